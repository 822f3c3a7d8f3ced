// buildZoo end to end on a tiny digits grid: the native format, determinism across worker
// counts, resuming a killed build, and bad input (corrupt and missing checkpoints, NaN losses)
// reported per model by phaseMetrics; then the classifier's decision tree and the diagram bundle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  buildZoo,
  checkPhaseDiagramPayload,
  classifyPhases,
  mimeBundle,
  openZoo,
  phaseDiagram,
  phaseMetrics,
  PhaseTable,
  zooPreset,
  PHASE_DIAGRAM_MIME,
  type ZooSpec,
} from 'weightlab/internal';
import { temporaryFolder } from '../../support/paths';
import { phaseRow } from '../../support/phase-row';
import { zooFileDigests as files } from './zoo-files';

const spec: ZooSpec = {
  name: 'test-grid',
  dataset: 'digits',
  axes: { width: [4, 16], batch_size: [32, 512] },
  seeds: [0, 1],
  defaults: { learning_rate: 0.05 },
  epochs: 3,
  checkpointEvery: 2,
};

test('buildZoo writes the native format, deterministically, in workers or not, and resumes', async () => {
  const a = temporaryFolder('zoo-a');
  const b = temporaryFolder('zoo-b');
  const built = await buildZoo(spec, { out: a, workers: 2, progress: false });
  assert.equal(built.models, 8);
  assert.equal(built.trained.length, 8);
  assert.deepEqual(built.failed, []);
  const zoo = openZoo(a);
  assert.equal(zoo.kind, 'weightlab');
  assert.deepEqual(zoo.axes, { width: [4, 16], batch_size: [32, 512] });
  const model = zoo.model('width=16_batch_size=32_seed=1');
  assert.deepEqual(
    model.checkpoints.map((c) => c.epoch),
    [0, 2, 3],
  );
  assert.equal(model.results.length, 4);
  assert.equal(model.params['training::batchsize'], 32);
  assert.deepEqual(model.checkpoints[2].load().names, [
    'layers.0.weight',
    'layers.0.bias',
    'layers.1.weight',
    'layers.1.bias',
  ]);
  await buildZoo(spec, { out: b, workers: 0, progress: false });
  assert.deepEqual(files(b), files(a)); // same seed, same bytes, whichever thread trained it

  // A killed build: one model lost its result.json and last checkpoint, a temp file was left.
  fs.rmSync(path.join(a, 'width=4_batch_size=512_seed=0', 'result.json'));
  fs.rmSync(path.join(a, 'width=4_batch_size=512_seed=0', 'checkpoint_000003'), { recursive: true });
  fs.writeFileSync(path.join(a, 'width=4_batch_size=512_seed=0', '.result.json.123.tmp'), '{"half');
  const resumed = await buildZoo(spec, { out: a, progress: false });
  assert.deepEqual(resumed.trained, ['width=4_batch_size=512_seed=0']);
  assert.equal(resumed.skipped.length, 7);
  const after = files(a);
  delete after['width=4_batch_size=512_seed=0/.result.json.123.tmp'];
  assert.deepEqual(after, files(b));
  await assert.rejects(buildZoo({ ...spec, epochs: 4 }, { out: a, progress: false }), /another spec/);
});

test('phaseMetrics reports corrupt and missing checkpoints per model, flags NaN, and caches', async () => {
  const root = temporaryFolder('zoo-bad');
  await buildZoo(spec, { out: root, workers: 0, progress: false });
  const corrupt = path.join(root, 'width=16_batch_size=32_seed=0', 'checkpoint_000003', 'weights.safetensors');
  fs.writeFileSync(corrupt, fs.readFileSync(corrupt).subarray(0, 100));
  fs.rmSync(path.join(root, 'width=4_batch_size=32_seed=1', 'checkpoint_000003'), { recursive: true });
  const table = await phaseMetrics(root, { progress: false, hessianSamples: 64, bezier: { epochs: 1 } });
  assert.equal(table.rows().length, 4);
  assert.deepEqual(table.problems.map((p) => p.model).sort(), [
    'width=16_batch_size=32_seed=0',
    'width=4_batch_size=32_seed=1',
  ]);
  assert.match(
    table.problems.find((p) => p.model === 'width=16_batch_size=32_seed=0')!.problem,
    /unreadable checkpoint/,
  );
  assert.match(
    table.problems.find((p) => p.model === 'width=4_batch_size=32_seed=1')!.problem,
    /no checkpoint at epoch 3/,
  );
  const full = table.rows().find((r) => r.width === 16 && r.batch_size === 512)!;
  assert.equal(full.models.length, 2);
  assert.ok(
    full.curve_mc_train_error !== null &&
      full.representation_similarity! > 0 &&
      full.representation_similarity! <= 1 + 1e-12,
  );
  assert.ok(full.hessian_top_ev! > 0 && full.hessian_trace! > 0);
  const lonely = table.rows().find((r) => r.width === 16 && r.batch_size === 32)!;
  assert.equal(lonely.models.length, 1);
  assert.equal(lonely.curve_mc_train_error, null); // one model: no pair
  assert.equal(
    classifyPhases(table)
      .rows()
      .find((r) => r.width === lonely.width && r.batch_size === lonely.batch_size)?.phase ?? null,
    null,
  );
  const cache = JSON.parse(fs.readFileSync(path.join(root, 'phase-metrics.json'), 'utf8'));
  assert.ok(Object.keys(cache.entries).some((key) => key.startsWith('model:width=4_batch_size=512_seed=0@3|')));
  const again = await phaseMetrics(root, { progress: false, hessianSamples: 64, bezier: { epochs: 1 } });
  assert.deepEqual(again.rows(), table.rows());

  const diverging = temporaryFolder('zoo-nan');
  const report = await buildZoo(
    { ...spec, axes: { width: [8] }, defaults: { learning_rate: 1e4 }, epochs: 4 },
    { out: diverging, workers: 0, progress: false },
  );
  assert.equal(report.nan.length, 2);
  const nanTable = await phaseMetrics(diverging, { progress: false, hessianSamples: 32 });
  assert.equal(nanTable.rows()[0].nan, true);
  assert.ok(nanTable.problems.every((p) => /NaN/.test(p.problem)));
});

test('classifyPhases follows the decision tree with its documented defaults', async () => {
  const table = new PhaseTable(
    [
      phaseRow(2, 8, { train_loss: 1.5, train_acc: 0.5, curve_mc_train_error: -3 }), // underfit + barrier -> I
      phaseRow(2, 64, { train_loss: 1.2, train_acc: 0.6, curve_mc_train_error: 4 }), // underfit + mc > 0 -> II
      phaseRow(8, 8, { curve_mc_train_error: -2 }), // fit + barrier -> III
      phaseRow(8, 64, { curve_mc_train_error: 0.5, representation_similarity: 0.5 }), // fit, connected, CKA below 0.55 -> IV-A
      phaseRow(32, 8, { curve_mc_train_error: -0.5, representation_similarity: 0.95 }), // fit, connected, high CKA -> IV-B
      phaseRow(32, 64, { train_loss: 0.2, train_acc: 0.99 }), // loss 20x the best cell: underfit by the (optional) loss rule -> II
    ],
    { load: 'width', temperature: 'batch_size' },
  );
  const labelled = classifyPhases(table, { lossFactor: 10 });
  assert.deepEqual(
    labelled.rows().map((r) => r.phase),
    ['I', 'II', 'III', 'IV-A', 'IV-B', 'II'],
  );
  assert.equal(labelled.thresholds!.ckaThreshold, 0.55); // the absolute default, whatever the grid's CKA
  assert.deepEqual(
    classifyPhases(table, { ckaThreshold: 0.5, absoluteLoss: 0.5 })
      .rows()
      .map((r) => r.phase),
    ['I', 'II', 'III', 'IV-B', 'IV-B', 'IV-B'],
  );
  const bundle = await phaseDiagram(labelled)[mimeBundle]();
  const payload = checkPhaseDiagramPayload(bundle.data[PHASE_DIAGRAM_MIME]);
  assert.deepEqual(payload.phases, [
    ['I', 'II'],
    ['III', 'IV-A'],
    ['IV-B', 'II'],
  ]);
  assert.deepEqual(payload.x.values, [8, 64]);
  assert.match(String(bundle.data['image/svg+xml']), /^<svg/);
  assert.ok('application/vnd.vegalite.v5+json' in bundle.data);
  assert.match(String(bundle.data['text/plain']), /IV-B/);
});

test('presets: the full digits grid is PTMZ-shaped, the small one is a subset of its shape', () => {
  const full = zooPreset('digits-mlp-grid');
  assert.equal(full.axes.width!.length * full.axes.batch_size!.length * full.seeds.length, 192);
  const small = zooPreset('digits-mlp-grid', { small: true });
  assert.ok(small.axes.width!.every((w) => full.axes.width!.includes(w)));
});
