// Widget models without a kernel (issue #20): the state each control sends matches the model
// @jupyter-widgets/controls 5 draws (IntSlider when everything is an integer, else FloatSlider),
// values set from a cell are checked like the front end's, and outside a kernel a widget shows
// as its text (no widget-view MIME type naming a model nobody opened). The live protocol is
// tested against a running kernel in tests/python/test_kernel_widgets.py.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, WIDGET_VIEW_MIME, checkbox, dropdown, mimeBundle, output, slider } from 'weightlab/internal';

test('slider: an IntSlider for integers, a FloatSlider otherwise, starting mid-range on the step grid', () => {
  const integer = slider({ min: 1, max: 9, description: 'width' });
  const state = integer.serializedState();
  assert.equal(state._model_name, 'IntSliderModel');
  assert.equal(state._view_name, 'IntSliderView');
  assert.equal(state._model_module_version, '2.0.0');
  assert.equal(state.readout_format, 'd');
  // (1 + 9) / 2 = 5.
  assert.equal(integer.value, 5);
  const float = slider({ min: 0, max: 1, step: 0.1, decimals: 3 });
  assert.equal(float.serializedState()._model_name, 'FloatSliderModel');
  assert.equal(float.serializedState().readout_format, '.3f');
  // 0 + round(0.5 / 0.1) * 0.1: the grid point nearest the middle.
  assert.ok(Math.abs(float.value - 0.5) < 1e-12);
  // Outside a kernel nothing is opened: references to the layout and style are null.
  assert.equal(state.layout, null);
  assert.equal(integer.modelId, undefined);
});

test('slider: values set by a cell are clamped into [min, max] and rounded for an IntSlider', () => {
  const width = slider({ min: 2, max: 8, value: 4 });
  const seen: unknown[] = [];
  width.observe((change) => seen.push(change.value));
  width.value = 6.6;
  assert.equal(width.value, 7);
  width.value = 100;
  assert.equal(width.value, 8);
  assert.deepEqual(seen, [7, 8]);
  assert.throws(
    () => (width.value = Number.NaN),
    (error: unknown) => error instanceof ArgumentError && error.details.field === 'value',
  );
});

test('slider: bad options are ArgumentErrors naming the option', () => {
  assert.throws(
    () => slider({ min: 3, max: 3 }),
    (error: unknown) => error instanceof ArgumentError && error.details.field === 'max',
  );
  assert.throws(
    () => slider({ min: 0, max: 1, step: 0 }),
    (error: unknown) => error instanceof ArgumentError && error.details.field === 'step',
  );
  assert.throws(
    () => slider({ maximum: 3 } as never),
    (error: unknown) => error instanceof ArgumentError && /maximum/.test(error.message),
  );
});

test('dropdown and checkbox: values, labels and checks', () => {
  const rule = dropdown({
    options: [
      ['plain SGD', 'sgd'],
      ['Adam', 'adam'],
    ] as const,
    value: 'adam',
  });
  const state = rule.serializedState();
  assert.deepEqual(state._options_labels, ['plain SGD', 'Adam']);
  assert.equal(state.index, 1);
  assert.equal(rule.value, 'adam');
  rule.value = 'sgd';
  assert.equal(rule.serializedState().index, 0);
  assert.throws(
    () => dropdown({ options: ['a', 'b'], value: 'c' }),
    (error: unknown) => error instanceof ArgumentError && error.details.field === 'value',
  );
  assert.throws(
    () => dropdown({ options: [] }),
    (error: unknown) => error instanceof ArgumentError && error.details.field === 'options',
  );
  const box = checkbox({ description: 'log scale' });
  assert.equal(box.serializedState()._model_name, 'CheckboxModel');
  assert.equal(box.value, false);
  box.value = true;
  assert.equal(box.value, true);
  assert.throws(() => (box.value = 'yes' as never), ArgumentError);
});

test('outside a kernel a widget displays as its text, without the widget-view MIME type', async () => {
  const width = slider({ min: 1, max: 9, value: 3, description: 'width' });
  const bundle = await width[mimeBundle]();
  assert.deepEqual(Object.keys(bundle.data), ['text/plain']);
  assert.equal(bundle.data['text/plain'], 'IntSlider(value=3, min=1, max=9, step=1, description="width")');
  assert.equal(WIDGET_VIEW_MIME in bundle.data, false);
  const area = output();
  await area.show('hello');
  assert.deepEqual(area.outputs, [{ output_type: 'display_data', data: { 'text/plain': 'hello' }, metadata: {} }]);
  assert.equal((await area[mimeBundle]()).data['text/plain'], 'hello');
});
