// Display bundles outside a kernel: fallbacks, the Vega-Lite headless SVG, and progress.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  display,
  mimeBundle,
  publishInOrder,
  toMimeBundle,
  vegaLite,
  bundle,
  Progress,
  progress,
  InterruptedError,
  kernelHostKey,
  type KernelHost,
  type MimeBundle,
  VEGA_LITE_MIME,
  svgToPng,
} from 'weightlab/internal';

test('plain values get util.inspect text; displayables keep their bundle', async () => {
  assert.deepEqual(await toMimeBundle({ a: 1 }), { data: { 'text/plain': '{ a: 1 }' } });
  const b = await toMimeBundle(bundle({ 'text/html': '<b>x</b>', 'text/plain': 'x' }));
  assert.equal(b.data['text/html'], '<b>x</b>');
});

test('a Vega-Lite chart carries v5 JSON, an SVG with one symbol per row, and a summary', async () => {
  const values = Array.from({ length: 7 }, (_, i) => ({ epoch: i, accuracy: i / 10 }));
  const chart = vegaLite({
    data: { values },
    mark: 'point',
    encoding: { x: { field: 'epoch', type: 'quantitative' }, y: { field: 'accuracy', type: 'quantitative' } },
  });
  const b = await toMimeBundle(chart);
  assert.match(String((b.data[VEGA_LITE_MIME] as { $schema: string }).$schema), /vega-lite\/v5/);
  const svgText = String(b.data['image/svg+xml']);
  assert.match(svgText, /^<svg/);
  assert.equal((svgText.match(/aria-roledescription="point"/g) ?? []).length, 7);
  assert.equal(
    b.data['text/plain'],
    'Vega-Lite chart; point mark; x = epoch (quantitative), y = accuracy (quantitative); 7 rows',
  );
  const png = svgToPng(svgText);
  assert.deepEqual(Array.from(png.slice(0, 4)), [0x89, 0x50, 0x4e, 0x47]);
});

test('progress updates one display in place and stops on interrupt', () => {
  const published: { bundle: MimeBundle; displayId?: string; update?: boolean }[] = [];
  const controller = new AbortController();
  const host: KernelHost = {
    publish: (b, options = {}) => {
      published.push({ bundle: b, ...options });
    },
    clearOutput: () => {},
    track: () => {},
    signal: controller.signal,
  };
  (globalThis as Record<symbol, unknown>)[kernelHostKey] = host;
  try {
    const steps = [...progress(5, { label: 'epochs', interval: 0 })];
    assert.deepEqual(steps, [0, 1, 2, 3, 4]);
    const ids = new Set(published.map((p) => p.displayId));
    assert.equal(ids.size, 1);
    assert.equal(published[0].update, false);
    assert.ok(published.slice(1).every((p) => p.update === true));
    assert.match(String(published.at(-1)!.bundle.data['text/plain']), /^epochs \[#{24}\] 100% 5\/5/);
    const bar = new Progress({ total: 10, interval: 0 });
    bar.tick();
    controller.abort();
    assert.throws(() => bar.tick(), InterruptedError);
  } finally {
    delete (globalThis as Record<symbol, unknown>)[kernelHostKey];
  }
});

test('outputs appear in call order even when an earlier bundle renders slowly', async () => {
  const published: string[] = [];
  const tracked: Promise<unknown>[] = [];
  const host: KernelHost = {
    publish: (b) => {
      published.push(String(b.data['text/plain']));
    },
    clearOutput: () => {},
    track: (promise) => {
      tracked.push(promise);
    },
    signal: new AbortController().signal,
  };
  (globalThis as Record<symbol, unknown>)[kernelHostKey] = host;
  try {
    const slow = {
      [mimeBundle]: () =>
        new Promise<MimeBundle>((resolve) => setTimeout(() => resolve({ data: { 'text/plain': 'slow' } }), 30)),
    };
    void display(slow);
    void display('fast');
    publishInOrder({ data: { 'text/plain': 'bar' } });
    await Promise.all(tracked);
    assert.deepEqual(published, ['slow', 'fast', 'bar']);
    publishInOrder({ data: { 'text/plain': 'immediate' } });
    assert.deepEqual(published.at(-1), 'immediate');
  } finally {
    delete (globalThis as Record<symbol, unknown>)[kernelHostKey];
  }
});
