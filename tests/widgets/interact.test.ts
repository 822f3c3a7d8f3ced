// interact() without a kernel (issue #20): the function runs with the controls' values in their
// order, again on every change (never two runs at once, the latest values last), its result or
// its error fills the Output, and the display is the current rendering. Expected texts are
// computed here from the values set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, checkbox, interact, mimeBundle, slider, svg } from 'weightlab/internal';

test('interact runs the function with the values in order and shows its result', async () => {
  const calls: Array<[number, boolean]> = [];
  const view = interact(
    async (width: number, square: boolean) => {
      calls.push([width, square]);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return `${width} -> ${square ? width * width : width}`;
    },
    { width: slider({ min: 1, max: 9, value: 3 }), square: checkbox({ value: true }) },
  );
  await view.settled();
  assert.deepEqual(calls, [[3, true]]);
  assert.deepEqual(view.values, { width: 3, square: true });
  assert.equal(view.result, `3 -> ${3 * 3}`);
  // Unlabelled controls take their names.
  assert.equal(view.controls.width.description, 'width');
  // Three changes while a run is in progress: the latest values run next, once.
  view.controls.width.value = 4;
  view.controls.width.value = 5;
  view.controls.square.value = false;
  await view.settled();
  assert.deepEqual(calls.at(-1), [5, false]);
  assert.ok(calls.length <= 3, `runs: ${JSON.stringify(calls)}`);
  assert.equal(view.output.outputs[0].output_type, 'display_data');
  const bundle = await view[mimeBundle]();
  assert.equal(bundle.data['text/plain'], 'interact(width=5, square=false)\n5 -> 5');
});

test('interact shows an error thrown by the function, and a chart result with its SVG as the fallback', async () => {
  const view = interact(
    (bars: number) => {
      if (bars === 2) throw new RangeError('two bars are refused');
      return svg(`<svg xmlns="http://www.w3.org/2000/svg"><rect width="${bars}" height="1"/></svg>`, `${bars} bars`);
    },
    { bars: slider({ min: 1, max: 4, value: 2 }) },
  );
  await view.settled();
  assert.equal(view.output.outputs[0].output_type, 'error');
  assert.ok(view.error instanceof RangeError);
  view.controls.bars.value = 3;
  await view.settled();
  const bundle = await view[mimeBundle]();
  assert.equal(
    bundle.data['image/svg+xml'],
    '<svg xmlns="http://www.w3.org/2000/svg"><rect width="3" height="1"/></svg>',
  );
  assert.equal(bundle.data['text/plain'], 'interact(bars=3)\n3 bars');
});

test('interact rejects what is not a function or a control, naming it', () => {
  assert.throws(
    () => interact(((x: number) => x) as never, { x: 3 } as never),
    (error: unknown) => error instanceof ArgumentError && error.details.field === 'controls.x',
  );
  assert.throws(
    () => interact('plot' as never, { x: slider() }),
    (error: unknown) => error instanceof ArgumentError && error.details.field === 'fn',
  );
  assert.throws(
    () => interact(() => 1, {}),
    (error: unknown) => error instanceof ArgumentError && error.details.field === 'controls',
  );
});
