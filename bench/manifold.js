#!/usr/bin/env node
// `npm run bench:manifold`: how long the weight-manifold pipeline takes at zoo scale.
//   1. randomised PCA of 2,000 models x 10,000 weights (2 components as weightManifold uses,
//      and 50 components as in shared/specs/numerics.md §7 to compare with sklearn), with
//      the products on the 'auto' engine (onnxruntime-node when installed) and on 'js',
//   2. UMAP of the same zoo (PCA-50 pre-reduction, umap-js, default epochs),
//   3. rendering 10,000 points in headless Chromium through JupyterLab's OutputArea:
//      time to first draw, and the redraw time of the canvas (2-D and 3-D).
// A benchmark, not a test: it prints numbers and writes out/bench/manifold.json.
// Options: --models N --weights D --points P --skip-umap --skip-js --skip-browser
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const models = option('models', 2000);
const weights = option('weights', 10000);
const points = option('points', 10000);

const lib = require('weightlab/internal');
const results = {
  machine: `${require('node:os').cpus().length} cores, ${require('node:os').cpus()[0].model}`,
  node: process.version,
  models,
  weights,
  points,
};

async function time(label, fn) {
  const started = process.hrtime.bigint();
  const value = await fn();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(`${label.padEnd(58)} ${ms.toFixed(0).padStart(7)} ms\n`);
  return { value, ms };
}

/** A synthetic zoo: 8 latent directions (a decaying spectrum) plus isotropic noise, as trained-model zoos look. */
function syntheticZoo(n, d, seed) {
  const random = lib.rng(seed);
  const values = new Float64Array(n * d);
  for (let r = 0; r < 8; r++) {
    const u = random.normal(n, 0, 10 / (r + 1));
    const v = random.normal(d, 0, 1 / Math.sqrt(d));
    for (let i = 0; i < n; i++) {
      const ui = u[i];
      const row = i * d;
      for (let j = 0; j < d; j++) values[row + j] += ui * v[j];
    }
  }
  const noise = random.normal(n * d, 0, 0.01);
  for (let i = 0; i < values.length; i++) values[i] += noise[i];
  return lib.denseMatrix(n, d, values);
}

async function main() {
  process.stdout.write(`weight manifold benchmark: ${models} models x ${weights} weights; ${results.machine}\n`);
  const zoo = (await time(`generate zoo (${models} x ${weights}, seeded)`, () => syntheticZoo(models, weights, 0)))
    .value;
  // engine 'auto' first (onnxruntime-node float64 GEMM when installed), then engine 'js'.
  results.pca2EngineMs = (
    await time("PCA 2 comp. (l = 12, 4 power it.), engine 'auto'", () =>
      lib.randomizedPca(zoo, { components: 2, seed: 1 }),
    )
  ).ms;
  results.pca50EngineMs = (
    await time("PCA 50 comp. (l = 60, 4 power it.), engine 'auto'", () =>
      lib.randomizedPca(zoo, { components: 50, seed: 1 }),
    )
  ).ms;
  if (!args.includes('--skip-umap')) {
    results.umapEngineMs = (
      await time("UMAP 2-D (PCA-50 on 'auto', 15 neighbours, default epochs)", () =>
        lib.umapEmbedding(zoo, { seed: 1 }),
      )
    ).ms;
  }
  if (!args.includes('--skip-js')) {
    results.pca2JsMs = (
      await time("PCA 2 comp. (l = 12, 4 power it.), engine 'js'", () =>
        lib.randomizedPca(zoo, { components: 2, seed: 1, engine: 'js' }),
      )
    ).ms;
    results.pca50JsMs = (
      await time("PCA 50 comp. (l = 60, 4 power it.), engine 'js'", () =>
        lib.randomizedPca(zoo, { components: 50, seed: 1, engine: 'js' }),
      )
    ).ms;
  }
  results.engine = lib
    .backendInfo()
    .toString()
    .split('\n')
    .find((line) => line.startsWith('matmul'));
  if (!args.includes('--skip-browser')) await browserRender();
  fs.mkdirSync(path.join(root, 'out', 'bench'), { recursive: true });
  fs.writeFileSync(path.join(root, 'out', 'bench', 'manifold.json'), `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`wrote out/bench/manifold.json\n`);
}

async function browserRender() {
  const support = path.join(root, 'tests', 'dist', 'browser', 'support', 'harness.js');
  if (!fs.existsSync(support))
    throw new Error('run `npm run build` first (the browser harness is compiled from tests/browser)');
  const { buildHarness, startHarnessServer, launchBrowser, openHarness } = require(support);
  const random = lib.rng(5);
  const d = 20;
  const vectors = Array.from({ length: points }, (_, i) => random.normal(d, i % 7, 1));
  const metadata = vectors.map((_, i) => ({
    id: `model-${i}`,
    learning_rate: 10 ** -(1 + (i % 4)),
    width: 16 << (i % 4),
    test_accuracy: 0.5 + 0.5 * (i / points),
    train_loss: 1 - i / points,
  }));
  const manifold2 = await lib.weightManifold(vectors, { metadata, colorBy: 'test_accuracy', sizeBy: 'width', seed: 1 });
  const manifold3 = await lib.weightManifold(vectors, { metadata, colorBy: 'test_accuracy', dimensions: 3, seed: 1 });
  const output = (m) => ({
    output_type: 'display_data',
    data: { [lib.MANIFOLD_MIME]: m.payload, 'text/plain': m.toString() },
    metadata: {},
  });
  const bundle = await buildHarness();
  const server = await startHarnessServer(
    [
      {
        id: 'flat',
        title: `${points} points, 2-D`,
        outputs: [output(manifold2)],
        trusted: true,
        renderers: ['weightlab'],
      },
      {
        id: 'solid',
        title: `${points} points, 3-D`,
        outputs: [output(manifold3)],
        trusted: true,
        renderers: ['weightlab'],
      },
    ],
    bundle,
  );
  const browser = await launchBrowser();
  try {
    const started = Date.now();
    const page = await openHarness(browser.context, `${server.url}/?mode=bundled`);
    await page.waitForSelector(`#solid .wl-manifold[data-weightlab-points="${points}"]`);
    results.pageToRenderedMs = Date.now() - started;
    process.stdout.write(
      `${`Chromium: page load to ${points}-point views rendered`.padEnd(58)} ${String(results.pageToRenderedMs).padStart(7)} ms\n`,
    );
    for (const [id, key] of [
      ['flat', 'redraw2dMs'],
      ['solid', 'redraw3dMs'],
    ]) {
      const samples = await page.evaluate((id) => {
        const probe = document.querySelector(`#${id} .wl-manifold`).weightlabManifold;
        return Array.from({ length: 30 }, () => probe.redraw());
      }, id);
      samples.sort((a, b) => a - b);
      results[key] = { median: samples[15], max: samples[29] };
      process.stdout.write(
        `${`Chromium: redraw ${points} points (${id === 'flat' ? '2-D' : '3-D, depth-sorted'}), median / max`.padEnd(58)} ${samples[15].toFixed(1).padStart(7)} / ${samples[29].toFixed(1)} ms\n`,
      );
    }
    // Hover latency: a pointermove that finds the nearest of 10,000 points and fills the tooltip.
    const hoverMs = await page.evaluate(() => {
      const root = document.querySelector('#flat .wl-manifold');
      const canvas = root.querySelector('canvas');
      const [x, y] = root.weightlabManifold.clientPosition(17);
      const started = performance.now();
      for (let i = 0; i < 20; i++)
        canvas.dispatchEvent(new PointerEvent('pointermove', { clientX: x + (i % 2), clientY: y, bubbles: true }));
      return (performance.now() - started) / 20;
    });
    results.hoverMs = hoverMs;
    process.stdout.write(
      `${'Chromium: hover (nearest of all points + tooltip)'.padEnd(58)} ${hoverMs.toFixed(2).padStart(7)} ms\n`,
    );
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
