// Every displayable the library defines, built small and displayed: a bundle with a chart never
// carries text/html (JupyterLab ranks its HTML renderer above Vega-Lite, so the chart would not
// show), and results that are both a table and a chart offer the other view as its own output.
// The list of displayables is read from lib/src, so a new one without an instance here fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  analyze,
  interact,
  slider,
  alphaPlot,
  buildZoo,
  compareModels,
  gaussianBlobs,
  hessianByLayer,
  initialParameters,
  lossSurface,
  mlp,
  predictProperty,
  supervisedTask,
  toWeightSet,
  ArgumentError,
  backendInfo,
  bundle,
  checkMimeBundle,
  classifyPhases,
  compareGenerators,
  display,
  esdGrid,
  esdPlot,
  evaluateGenerator,
  html,
  InductiveBiasByDimension,
  InductiveBiasComparison,
  inductiveBias,
  json,
  kernelHostKey,
  kernelHypothesisSpace,
  markdown,
  mimeBundle,
  mimeBundleOf,
  PhaseTable,
  phaseDiagram,
  Progress,
  ResultTable,
  rng,
  svg,
  teacherTask,
  Tensor,
  toMimeBundle,
  vegaLite,
  VEGA_LITE_MIME,
  weightManifold,
  WeightSet,
  Zoo,
  type KernelHost,
  type MimeBundle,
  type PhaseRow,
} from 'weightlab/internal';
import { syntheticSetup } from '../generate/synthetic';
import { CopyGenerator } from './fixtures';
import { repositoryRoot, temporaryFolder } from '../support/paths';

const VEGA_LITE_TYPE = /^application\/vnd\.vegalite\.v\d+\+json$/;

/** Names of the classes in lib/src that define a `[mimeBundle]()` method (the displayables). */
function displayableClasses(): Set<string> {
  const names = new Set<string>();
  const visit = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        visit(full);
        continue;
      }
      if (!entry.name.endsWith('.ts')) continue;
      const source = fs.readFileSync(full, 'utf8');
      for (const method of source.matchAll(/^\s*(?:async\s+)?\[mimeBundle\]\(\)[^;{]*\{/gm)) {
        const owner = [...source.slice(0, method.index).matchAll(/\bclass\s+(\w+)/g)].pop();
        assert.ok(owner, `${full}: a [mimeBundle]() method outside a class`);
        names.add(owner[1]);
      }
    }
  };
  visit(path.join(repositoryRoot, 'lib', 'src'));
  return names;
}

function phaseRow(width: number, batch: number, trainLoss: number, barrier: number): PhaseRow {
  return {
    width,
    batch_size: batch,
    models: ['a', 'b'],
    train_loss: trainLoss,
    train_acc: 1 - trainLoss / 3,
    test_loss: 0.2,
    test_acc: 0.9,
    hessian_top_ev: 2,
    hessian_trace: 10,
    log_hessian_top_ev: Math.log(2),
    log_hessian_trace: Math.log(10),
    curve_mc_train_error: barrier,
    curve_mc_test_error: barrier,
    curve_mc_train_loss: barrier,
    linear_barrier_train_loss: 0.1,
    representation_similarity: 0.9,
    l2_distance: 10,
    nan: false,
  };
}

/** One small instance of every displayable result type, with a name for messages. */
async function displayables(): Promise<{ name: string; value: object }[]> {
  const weights = new WeightSet({
    'fc1.weight': new Tensor('float32', Float32Array.from(rng(1).normal(40 * 24)), [40, 24]),
    'fc1.bias': new Tensor('float32', new Float32Array(40), [40]),
  });
  const htsr = await analyze(weights, { progress: false });
  const task = teacherTask({ dimension: 4, trainSize: 24, testSize: 32, seed: 2 });
  const options = { eps: 0.2, samples: 120, progress: false, warn: false };
  const rbf = await inductiveBias(task, kernelHypothesisSpace(), options);
  const laplace = await inductiveBias(task, kernelHypothesisSpace({ kernel: 'laplace' }), options);
  const { task: classification, train, heldOut } = await syntheticSetup();
  const evaluation = await evaluateGenerator(new CopyGenerator('held-out copies', heldOut), {
    trainZoo: train,
    heldOutZoo: heldOut,
    task: classification,
    samples: 4,
    finetuneSteps: [],
  });
  const phases = classifyPhases(
    new PhaseTable(
      [phaseRow(2, 8, 1.5, -3), phaseRow(2, 64, 0.01, 0), phaseRow(8, 8, 0.01, -2), phaseRow(8, 64, 0.01, 0.5)],
      { load: 'width', temperature: 'batch_size' },
    ),
  );
  const vectors = Array.from({ length: 8 }, (_, i) => rng(3 + i).normal(12));
  const zoo = new Zoo('weightlab', '/nonexistent-zoo-root', [
    {
      id: 'width=8_seed=0',
      path: 'width=8_seed=0',
      params: { 'model::width': 8 },
      hyperparameters: { width: 8 },
      results: [{ epoch: 1, train_acc: 0.9, test_acc: 0.8 }],
      checkpoints: [],
    },
  ]);
  const other = new WeightSet({
    'fc1.weight': new Tensor('float32', Float32Array.from(rng(2).normal(40 * 24)), [40, 24]),
    'fc1.bias': new Tensor('float32', new Float32Array(40), [40]),
  });
  const blobs = gaussianBlobs({ size: 60, features: 4, classes: 2, seed: 1 });
  const architecture = mlp(4, [6], 2);
  const surface = lossSurface(
    toWeightSet(architecture, initialParameters(architecture, 1), 'float64'),
    supervisedTask(architecture, blobs),
    { resolution: 3 },
  );
  const layerHessian = await hessianByLayer(initialParameters(architecture, 1), supervisedTask(architecture, blobs), {
    progress: false,
  });
  const built = await buildZoo(
    {
      name: 'bundles-predict',
      dataset: 'digits',
      axes: { width: [4, 8], learning_rate: [0.01, 0.1] },
      seeds: [0, 1, 2],
      epochs: 2,
      checkpointEvery: 1,
    },
    { out: temporaryFolder('bundles-predict'), workers: 0, progress: false },
  );
  const prediction = await predictProperty(built.zoo, { features: ['statistics'], model: 'ridge', resamples: 20 });
  return [
    { name: 'bundle()', value: bundle({ 'text/plain': 'plain' }) },
    { name: 'ModelComparison', value: await compareModels(weights, other, { spectral: false }) },
    { name: 'LossSurface', value: surface },
    { name: 'LayerHessian', value: layerHessian },
    { name: 'LayerHessian.table()', value: layerHessian.table() },
    { name: 'PropertyPrediction', value: prediction },
    { name: 'html()', value: html('<b>bold</b>', 'bold') },
    { name: 'svg()', value: svg('<svg xmlns="http://www.w3.org/2000/svg"/>') },
    { name: 'markdown()', value: markdown('**bold**') },
    { name: 'json()', value: json({ a: 1 }) },
    {
      name: 'vegaLite()',
      value: vegaLite({
        data: { values: [{ a: 1, b: 2 }] },
        mark: 'point',
        encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'b', type: 'quantitative' } },
      }),
    },
    { name: 'Tensor', value: weights.get('fc1.bias') },
    { name: 'WeightSet', value: weights },
    { name: 'HtsrResult', value: htsr },
    { name: 'ResultTable (HtsrResult.table)', value: htsr.table },
    { name: 'esdPlot', value: esdPlot(htsr.layers[0], { title: 'fc1' }) },
    { name: 'alphaPlot', value: alphaPlot(htsr) },
    { name: 'esdGrid', value: esdGrid(htsr) },
    { name: 'InductiveBiasResult', value: rbf },
    { name: 'InductiveBiasResult.table()', value: rbf.table() },
    { name: 'InductiveBiasComparison', value: new InductiveBiasComparison([rbf, laplace]) },
    { name: 'InductiveBiasComparison.table()', value: new InductiveBiasComparison([rbf, laplace]).table() },
    { name: 'InductiveBiasByDimension', value: new InductiveBiasByDimension([4], [[rbf], [laplace]]) },
    { name: 'InductiveBiasByDimension.table()', value: new InductiveBiasByDimension([4], [[rbf], [laplace]]).table() },
    { name: 'GeneratorEvaluation', value: evaluation },
    { name: 'GeneratorComparison', value: compareGenerators([evaluation]) },
    { name: 'GeneratorComparison.table()', value: compareGenerators([evaluation]).table() },
    { name: 'PhaseTable', value: phases },
    { name: 'PhaseDiagram', value: phaseDiagram(phases) },
    { name: 'WeightManifold', value: await weightManifold(vectors, { seed: 1 }) },
    { name: 'BackendInfo', value: backendInfo() },
    {
      name: 'ResultTable',
      value: ResultTable.fromRows(
        [
          { model: 'a', test_accuracy: 0.9 },
          { model: 'b', test_accuracy: 0.7 },
        ],
        { title: 'two models' },
      ),
    },
    { name: 'Zoo', value: zoo },
    { name: 'slider()', value: slider({ min: 0, max: 10, description: 'width' }) },
    {
      name: 'interact()',
      value: interact((width: number) => `width ${width}`, { width: slider({ min: 1, max: 4 }) }),
    },
    { name: 'Zoo.table() (a ResultTable)', value: zoo.table() },
  ];
}

test('no displayable carries text/html next to a chart, and every displayable class in lib/src is checked', async () => {
  const shown = await displayables();
  const classes = new Set<string>();
  for (const { name, value } of shown) {
    // A subclass's instance covers the class whose [mimeBundle]() it inherits (an abstract Widget).
    for (
      let proto = Object.getPrototypeOf(value);
      proto && proto !== Object.prototype;
      proto = Object.getPrototypeOf(proto)
    )
      classes.add((proto as { constructor: { name: string } }).constructor.name);
    const { data } = await (value as { [mimeBundle](): MimeBundle | Promise<MimeBundle> })[mimeBundle]();
    const types = Object.keys(data);
    assert.ok(types.includes('text/plain'), `${name}: text/plain`);
    if (types.some((type) => VEGA_LITE_TYPE.test(type))) {
      assert.ok(!types.includes('text/html'), `${name}: a chart with text/html (${types.join(', ')})`);
      assert.match(String(data['image/svg+xml']), /^<svg/, `${name}: the chart's SVG fallback`);
    }
    // display() goes through the same check (toMimeBundle) as the kernel's results do.
    await toMimeBundle(value);
  }
  // Progress bars publish directly: capture one through a kernel host.
  const published: MimeBundle[] = [];
  const host: KernelHost = {
    publish: (b) => {
      published.push(b);
    },
    clearOutput: () => {},
    track: () => {},
    signal: new AbortController().signal,
  };
  (globalThis as Record<symbol, unknown>)[kernelHostKey] = host;
  try {
    const bar = new Progress({ total: 2, interval: 0, label: 'steps' });
    bar.tick();
    bar.done();
  } finally {
    delete (globalThis as Record<symbol, unknown>)[kernelHostKey];
  }
  assert.ok(
    published.length > 0 &&
      published.every((b) => 'text/html' in b.data && !Object.keys(b.data).some((type) => VEGA_LITE_TYPE.test(type))),
  );
  const missing = [...displayableClasses()].filter((name) => !classes.has(name));
  assert.deepEqual(missing, [], 'a displayable class without an instance in this test');
});

test('results that are a table and a chart show the chart and offer each view alone', async () => {
  const task = teacherTask({ dimension: 4, trainSize: 24, testSize: 32, seed: 2 });
  const result = await inductiveBias(task, kernelHypothesisSpace(), {
    eps: 0.2,
    samples: 120,
    progress: false,
    warn: false,
  });
  const { task: classification, train, heldOut } = await syntheticSetup();
  const comparison = compareGenerators([
    await evaluateGenerator(new CopyGenerator('train copies', train), {
      trainZoo: train,
      heldOutZoo: heldOut,
      task: classification,
      samples: 4,
      finetuneSteps: [],
    }),
  ]);
  const architecture = mlp(4, [6], 2);
  const layerHessian = await hessianByLayer(
    initialParameters(architecture, 1),
    supervisedTask(architecture, gaussianBlobs({ size: 60, features: 4, classes: 2, seed: 1 })),
    { progress: false },
  );
  for (const [name, value] of [
    ['inductive bias', result],
    ['per-layer Hessian', layerHessian],
    ['comparison', new InductiveBiasComparison([result])],
    ['sweep', new InductiveBiasByDimension([4], [[result]])],
    ['generators', comparison],
  ] as const) {
    const shown = await toMimeBundle(value);
    const chart = await toMimeBundle(value.chart());
    const table = await toMimeBundle(value.table());
    assert.deepEqual(shown.data[VEGA_LITE_MIME], chart.data[VEGA_LITE_MIME], `${name}: shows its chart by default`);
    assert.ok(!('text/html' in shown.data) && !('text/html' in chart.data), name);
    assert.match(String(table.data['text/html']), /<table/, `${name}: .table() is an HTML table`);
    assert.ok(!(VEGA_LITE_MIME in table.data), `${name}: .table() carries no chart`);
  }
});

test('the bundle builder and display() refuse text/html next to a chart with a typed error', async () => {
  const spec = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', mark: 'point' };
  const refused = (error: unknown) =>
    error instanceof ArgumentError &&
    error.details.field === 'text/html' &&
    /JupyterLab would show the table/.test(error.message);
  assert.throws(
    () => mimeBundleOf({ [VEGA_LITE_MIME]: spec, 'text/html': '<table></table>', 'text/plain': 'x' }),
    refused,
  );
  assert.throws(() => bundle({ 'application/vnd.vegalite.v4+json': spec, 'text/html': '<p>x</p>' }), refused);
  assert.throws(() => checkMimeBundle({ data: { [VEGA_LITE_MIME]: spec, 'text/html': '' } }), refused);
  // A user's own displayable is checked when shown.
  const mixed = {
    [mimeBundle]: (): MimeBundle => ({
      data: { [VEGA_LITE_MIME]: spec, 'text/html': '<table></table>', 'text/plain': 'mixed' },
    }),
  };
  await assert.rejects(toMimeBundle(mixed), refused);
  await assert.rejects(display(mixed), refused);
  // Either alone is fine.
  assert.doesNotThrow(() => mimeBundleOf({ [VEGA_LITE_MIME]: spec, 'text/plain': 'chart' }));
  assert.doesNotThrow(() => mimeBundleOf({ 'text/html': '<table></table>', 'text/plain': 'table' }));
});

test('a PhaseTable shows as an HTML table: one row per cell, its phase and coordinates, the text form alongside', async () => {
  const rows = [
    phaseRow(2, 8, 1.5, -3),
    phaseRow(2, 64, 0.01, 0),
    phaseRow(8, 8, 0.01, -2),
    phaseRow(8, 64, 0.01, 0.5),
  ];
  const phases = classifyPhases(new PhaseTable(rows, { load: 'width', temperature: 'batch_size' }));
  const { data } = await toMimeBundle(phases);
  const page = String(data['text/html']);
  const bodyRows = [...page.matchAll(/<tr><td>(.*?)<\/td><\/tr>/g)].map((match) => match[1].split('</td><td>'));
  assert.equal(bodyRows.length, rows.length);
  const header = [...page.matchAll(/<th>(.*?)<\/th>/g)].map((match) => match[1]);
  assert.deepEqual([header[0], header[1], header.at(-1)], ['width', 'batch_size', 'phase']);
  phases.rows().forEach((row, index) => {
    assert.equal(bodyRows[index][0], String(row.width));
    assert.equal(bodyRows[index][1], String(row.batch_size));
    assert.equal(bodyRows[index].at(-1), row.phase);
  });
  assert.doesNotMatch(page, /<pre>/, 'no problems: no preformatted block');
  assert.equal(data['text/plain'], phases.toString());
});
