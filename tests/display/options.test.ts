// The options of the display verbs are data checked by resolveOptions: display() (displayId,
// update), svgToPng (width, background) and every result's `.chart(options)` (title). An unknown
// key is an ArgumentError naming the verb and listing the valid keys; an explicit undefined keeps
// the default. Published options are observed through a kernel host installed for the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArgumentError,
  CHART_DEFAULTS,
  display,
  DISPLAY_DEFAULTS,
  kernelHostKey,
  PNG_DEFAULTS,
  retitled,
  svgToPng,
  type KernelHost,
  type PublishOptions,
} from 'weightlab/internal';

/** Runs `body` with a kernel host that records what is published, and returns the records. */
async function published(body: () => Promise<void>): Promise<PublishOptions[]> {
  const records: PublishOptions[] = [];
  const host: KernelHost = {
    publish: (_bundle, options = {}) => {
      records.push(options);
    },
    clearOutput: () => {},
    track: () => {},
    signal: new AbortController().signal,
  };
  (globalThis as Record<symbol, unknown>)[kernelHostKey] = host;
  try {
    await body();
  } finally {
    delete (globalThis as Record<symbol, unknown>)[kernelHostKey];
  }
  return records;
}

test('display(): an unknown option lists displayId and update; undefined keeps update false', async () => {
  await assert.rejects(
    () => display('x', { displayID: 'a' } as never),
    (error: unknown) =>
      error instanceof ArgumentError &&
      /display has no option 'displayID' \(did you mean 'displayId'\?\)/.test(error.message) &&
      error.details.expected === `one of ${Object.keys(DISPLAY_DEFAULTS).join(', ')}`,
  );
  const records = await published(async () => {
    await display('first', { displayId: 'd1', update: undefined });
    await display('second', { displayId: 'd1', update: true });
  });
  assert.deepEqual(records, [
    { displayId: 'd1', update: false },
    { displayId: 'd1', update: true },
  ]);
});

test('svgToPng: an unknown option is an ArgumentError; width scales the image, undefined keeps its own size', () => {
  const square = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>';
  assert.throws(
    () => svgToPng(square, { height: 20 } as never),
    (error: unknown) =>
      error instanceof ArgumentError &&
      error.details.field === 'height' &&
      error.details.expected === `one of ${Object.keys(PNG_DEFAULTS).join(', ')}`,
  );
  // PNG width and height are big-endian 32-bit integers at bytes 16-23 (the IHDR chunk).
  const size = (png: Uint8Array) => [
    new DataView(png.buffer, png.byteOffset).getUint32(16),
    new DataView(png.buffer, png.byteOffset).getUint32(20),
  ];
  assert.deepEqual(size(svgToPng(square, { width: undefined })), [10, 10]);
  assert.deepEqual(size(svgToPng(square, { width: 40 })), [40, 40]);
});

test('chart options: an unknown key is an ArgumentError; a title replaces the text and keeps the subtitle', () => {
  const spec = { title: { text: 'own', subtitle: 'n = 3' }, mark: 'point' };
  assert.throws(
    () => retitled(spec, { titel: 'x' } as never),
    (error: unknown) =>
      error instanceof ArgumentError &&
      /chart has no option 'titel' \(did you mean 'title'\?\)/.test(error.message) &&
      error.details.expected === `one of ${Object.keys(CHART_DEFAULTS).join(', ')}`,
  );
  assert.deepEqual(retitled(spec, { title: undefined }), spec);
  assert.deepEqual(retitled(spec, { title: 'mine' }).title, { text: 'mine', subtitle: 'n = 3' });
});
