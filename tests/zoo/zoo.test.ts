// Zoo readers on folders built here: ray-tune trials in both epoch conventions and both
// checkpoint paddings (with torch checkpoints built opcode by opcode), the native format
// written with its own writers, and a Small CNN Zoo with TensorFlow layouts. Expected table
// values are the numbers written into the files.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'fflate';
import {
  ArgumentError,
  FormatError,
  Tensor,
  Zoo,
  epochOffset,
  filterReport,
  openZoo,
  readSmallCnnZoo,
  rng,
  writeNpy,
  writeZooCheckpoint,
  writeZooManifest,
  writeZooParams,
  writeZooResults,
  type ZooModel,
} from 'weightlab/internal';
import { f32, pickledDict, pickledTensor, tempDir, torchArchive } from '../io/helpers';

/** A torch checkpoint with fc.weight = values (shape [n]) under DataParallel's module. prefix. */
function torchCheckpoint(values: number[]): Uint8Array {
  return torchArchive(
    pickledDict([['module.fc.weight', pickledTensor('FloatStorage', '0', values.length, 0, [values.length], [1])]]),
    { 0: f32(...values) },
  );
}

function writeTrial(
  root: string,
  name: string,
  params: unknown,
  lines: string[],
  checkpoints: Record<string, number[]>,
): void {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'params.json'), JSON.stringify(params));
  fs.writeFileSync(path.join(dir, 'result.json'), lines.join('\n') + '\n');
  for (const [folder, values] of Object.entries(checkpoints)) {
    fs.mkdirSync(path.join(dir, folder));
    fs.writeFileSync(path.join(dir, folder, 'checkpoints'), torchCheckpoint(values));
  }
}

function rayTuneZoo(): string {
  const root = tempDir('weightlab-zoo-');
  // PTMZ convention: line k is epoch k (evaluation at init), padded checkpoint names; Python's NaN token.
  writeTrial(
    root,
    'trial_a',
    { model: { width: 8 }, 'optim::lr': 0.1, seed: 0 },
    [
      '{"train_acc": 0.1, "test_acc": 0.1, "test_loss": 2.3, "training_iteration": 0, "config": {"x": 1}, "hostname": "h"}',
      '{"train_acc": 0.6, "test_acc": 0.5, "test_loss": 1.0, "training_iteration": 1, "config": {"x": 1}, "hostname": "h"}',
      '{"train_acc": 0.9, "test_acc": 0.7, "test_loss": NaN, "training_iteration": 2, "config": {"x": 1}, "hostname": "h"}',
    ],
    { checkpoint_000000: [0.5, -0.5], checkpoint_000002: [1, 10] },
  );
  // ModelZoos convention: no checkpoint_0, first line is epoch 1, unpadded names.
  writeTrial(
    root,
    'trial_b',
    { model: { width: 16 }, 'optim::lr': 0.1, seed: 1 },
    [
      '{"train_acc": 0.5, "test_acc": 0.45, "test_loss": 1.5, "training_iteration": 1}',
      '{"train_acc": 0.8, "test_acc": 0.6, "test_loss": 1.2, "training_iteration": 2}',
      '{"train_acc": 0.95, "test_acc": 0.65, "test_loss": 1.1, "training_iteration": 3}',
    ],
    { checkpoint_1: [0.25, 0.25], checkpoint_3: [NaN, 1] },
  );
  fs.mkdirSync(path.join(root, 'not_a_trial'));
  return root;
}

test('ray-tune zoo: models, paddings, epoch offsets, flattened params, ggap, lazy checkpoints', () => {
  const zoo = openZoo(rayTuneZoo());
  assert.equal(zoo.kind, 'ray-tune');
  assert.deepEqual(
    zoo.models.map((m) => m.id),
    ['trial_a', 'trial_b'],
  );
  assert.deepEqual(
    zoo.models.map((m) => m.checkpoints.map((c) => c.epoch)),
    [
      [0, 2],
      [1, 3],
    ],
  );
  assert.deepEqual(
    zoo.models.map((m) => m.epochOffset),
    [0, 1],
  );
  assert.deepEqual(zoo.axes, { width: [8, 16], seed: [0, 1] });
  assert.equal(zoo.numCheckpoints, 4);

  const table = zoo.table();
  assert.deepEqual(table.columnNames().slice(0, 5), ['model', 'epoch', 'width', 'learning_rate', 'seed']);
  assert.ok(
    !table.columnNames().includes('hostname') && !table.columnNames().includes('config'),
    'bookkeeping dropped',
  );
  const rows = table.rows() as Record<string, unknown>[];
  assert.deepEqual(
    rows.map((r) => [r.model, r.epoch]),
    [
      ['trial_a', 0],
      ['trial_a', 1],
      ['trial_a', 2],
      ['trial_b', 1],
      ['trial_b', 2],
      ['trial_b', 3],
    ],
  );
  const expectedGap = [
    [0.1, 0.1],
    [0.6, 0.5],
    [0.9, 0.7],
    [0.5, 0.45],
    [0.8, 0.6],
    [0.95, 0.65],
  ].map(([train, test]) => train - test);
  rows.forEach((row, i) => assert.equal(row.ggap, expectedGap[i]));
  assert.ok(Number.isNaN(rows[2].test_loss as number), "Python's NaN token read as NaN");
  assert.deepEqual(
    rows.map((r) => r.checkpoint),
    [true, false, true, true, false, true],
  );

  const first = [...zoo][0];
  const weights = first.load();
  assert.deepEqual(weights.names, ['fc.weight']);
  assert.deepEqual(weights.get('fc.weight').toArray(), [0.5, -0.5]);
  assert.deepEqual(
    (zoo.modelTable().rows() as Record<string, unknown>[]).map((r) => r.checkpoints),
    [2, 2],
  );
});

test('checkpoint filters drop NaN and |w| above the threshold, and report why', () => {
  const zoo = openZoo(rayTuneZoo());
  const report = filterReport();
  const kept = [...zoo.weights({ dropNaN: true, maxAbsWeight: 5, report })].map(
    ({ checkpoint }) => `${checkpoint.model.id}@${checkpoint.epoch}`,
  );
  assert.deepEqual(kept, ['trial_a@0', 'trial_b@1']);
  assert.equal(report.kept, 2);
  assert.deepEqual(
    report.dropped.map((d) => [d.model, d.epoch]),
    [
      ['trial_a', 2],
      ['trial_b', 3],
    ],
  );
  assert.match(report.dropped[0].reason, /10 > 5/);
  assert.match(report.dropped[1].reason, /non-finite/);
  assert.equal([...zoo.weights({ epochs: [2, 3] })].length, 2);
  assert.equal(zoo.filter((model) => model.params['model::width'] === 16).size, 1);
});

test('epoch-offset rule: checkpoint_0 decides, training_iteration overrides, contradictions are errors', () => {
  assert.equal(epochOffset([{}, {}], true, 'r'), 0);
  assert.equal(epochOffset([{}, {}], false, 'r'), 1);
  assert.equal(epochOffset([{ training_iteration: 0 }, { training_iteration: 1 }], false, 'r'), 0);
  assert.equal(epochOffset([{ training_iteration: 1 }, { training_iteration: 2 }], true, 'r'), 1);
  assert.throws(() => epochOffset([{ training_iteration: 5 }], true, 'r'), FormatError);
});

test('native zoo: written with the format writers, read back through openZoo', () => {
  const root = tempDir('weightlab-native-');
  const random = rng(7);
  const ids: string[] = [];
  const written = new Map<string, Tensor[]>();
  for (const width of [2, 4]) {
    for (const seed of [0, 1]) {
      const id = `w${width}_s${seed}`;
      ids.push(id);
      writeZooParams(root, id, { 'model::width': width, seed, 'optim::lr': 0.01 });
      writeZooResults(
        root,
        id,
        [0, 1, 2].map((epoch) => ({
          epoch,
          train_acc: 0.5 + 0.1 * epoch + 0.01 * width,
          test_acc: 0.5 + 0.05 * epoch,
          train_loss: epoch === 2 && seed === 1 ? NaN : 1 / (epoch + 1),
        })),
      );
      const tensors: Tensor[] = [];
      for (const epoch of [0, 2]) {
        const tensor = Tensor.from(random.normal(width * 3), [width, 3], 'float32');
        tensors.push(tensor);
        writeZooCheckpoint(root, id, epoch, { 'fc.weight': tensor });
      }
      written.set(id, tensors);
    }
  }
  writeZooManifest(root, {
    name: 'test',
    axes: { 'model::width': [2, 4] },
    seeds: [0, 1],
    epochs: [0, 2],
    models: ids,
    dataset: 'none',
  });
  const zoo = openZoo(root);
  assert.equal(zoo.kind, 'weightlab');
  assert.deepEqual(zoo.axes, { width: [2, 4] });
  assert.equal(zoo.manifest?.format, 'weightlab-zoo');
  assert.ok(fs.existsSync(path.join(root, 'w2_s0', 'checkpoint_000002', 'weights.safetensors')));
  for (const model of zoo.models) {
    assert.deepEqual(
      model.checkpoints.map((c) => c.epoch),
      [0, 2],
    );
    model.checkpoints.forEach((checkpoint, i) => {
      assert.deepEqual([...checkpoint.load().get('fc.weight').toFloat32()], [...written.get(model.id)![i].toFloat32()]);
    });
  }
  const rows = zoo.table().rows() as Record<string, number | null>[];
  assert.equal(rows.length, 12);
  const row = rows.find((r) => (r.model as unknown) === 'w4_s1' && r.epoch === 2)!;
  assert.equal(row.ggap, 0.5 + 0.2 + 0.04 - (0.5 + 0.1));
  assert.equal(row.train_loss, null, 'NaN is stored as null (strict JSON)');
  assert.throws(() => writeZooParams(root, '../escape', {}), /model ids/);
  fs.writeFileSync(
    path.join(root, 'zoo.json'),
    JSON.stringify({ format: 'weightlab-zoo', version: 99, axes: {}, models: [] }),
  );
  assert.throws(
    () => openZoo(root),
    (error: unknown) => error instanceof FormatError && error.details.field === 'version',
  );
});

test('Small CNN Zoo: rows of weights.npy, layout.csv, metrics.csv.gz; HWIO kernels become OIHW', () => {
  const root = tempDir('weightlab-smallcnn-');
  const [H, W, I, O] = [2, 2, 1, 3];
  const width = H * W * I * O + O + 3 * 2 + 2;
  const rows = 3;
  const values = Array.from({ length: rows * width }, (_, i) => i / 10);
  writeNpy(path.join(root, 'weights.npy'), Tensor.from(values, [rows, width], 'float32'));
  fs.writeFileSync(
    path.join(root, 'layout.csv'),
    [
      'varname,start_idx,end_idx,shape',
      `sequential/conv2d/kernel:0,0,12,"(2, 2, 1, 3)"`,
      'sequential/conv2d/bias:0,12,15,"(3,)"',
      'sequential/dense/kernel:0,15,21,"(3, 2)"',
      'sequential/dense/bias:0,21,23,"(2,)"',
    ].join('\n'),
  );
  const metrics = [
    'modeldir,step,test_accuracy,train_accuracy,config.w_init',
    'run1,0,0.1,0.1,he',
    'run1,86,0.6,0.8,he',
    'run2,86,0.5,0.55,glorot',
  ].join('\n');
  fs.writeFileSync(path.join(root, 'metrics.csv.gz'), gzipSync(Buffer.from(metrics)));
  const zoo = openZoo(root);
  assert.equal(zoo.kind, 'small-cnn-zoo');
  assert.deepEqual(
    zoo.models.map((m) => [m.id, m.checkpoints.map((c) => c.epoch)]),
    [
      ['run1', [0, 86]],
      ['run2', [86]],
    ],
  );
  assert.deepEqual(zoo.axes, { w_init: ['glorot', 'he'] });
  const ggap = (zoo.table().rows() as Record<string, number>[]).map((r) => r.ggap);
  assert.deepEqual(ggap, [0.1 - 0.1, 0.8 - 0.6, 0.55 - 0.5]);

  const row = 1;
  const weights = zoo.models[0].checkpoints[1].load();
  assert.deepEqual(weights.names, [
    'sequential.conv2d.weight',
    'sequential.conv2d.bias',
    'sequential.dense.weight',
    'sequential.dense.bias',
  ]);
  const conv = weights.get('sequential.conv2d.weight');
  assert.deepEqual(conv.shape, [O, I, H, W]);
  const at = (flat: number) => Math.fround((row * width + flat) / 10);
  for (let o = 0; o < O; o++)
    for (let h = 0; h < H; h++)
      for (let w = 0; w < W; w++) {
        assert.equal(conv.get(o, 0, h, w), at(((h * W + w) * I + 0) * O + o));
      }
  const dense = weights.get('sequential.dense.weight');
  assert.deepEqual(dense.shape, [2, 3]);
  assert.equal(dense.get(1, 2), at(15 + 2 * 2 + 1));
  const raw = readSmallCnnZoo(root, { layout: 'tensorflow' }).models[0].checkpoints[1].load();
  assert.deepEqual(raw.info('sequential/conv2d/kernel:0').shape, [H, W, I, O]);
  fs.writeFileSync(
    path.join(root, 'metrics.csv.gz'),
    gzipSync(Buffer.from(metrics.split('\n').slice(0, 3).join('\n'))),
  );
  assert.throws(() => openZoo(root), /row counts/);
});

test('zoo.subset(ids): exactly those models in the given order, duplicates once, unknown ids named', () => {
  // Twelve models (more than the error lists in full), each with one result that tells it apart.
  const models: ZooModel[] = [];
  for (const width of [2, 4, 8])
    for (const seed of [0, 1, 2, 3])
      models.push({
        id: `w${width}_s${seed}`,
        path: `w${width}_s${seed}`,
        params: { 'model::width': width, seed },
        hyperparameters: { width, seed },
        results: [{ epoch: 1, test_acc: width / 10 + seed / 100 }],
        checkpoints: [],
      });
  const zoo = new Zoo('weightlab', '/zoo-in-memory', models);
  const ids = ['w8_s3', 'w2_s0', 'w4_s1'];
  const picked = zoo.subset(ids);
  assert.deepEqual(
    picked.models.map((model) => model.id),
    ids,
    'the order given, not the zoo order',
  );
  assert.ok(
    picked.models.every((model) => models.includes(model)),
    'the same model objects',
  );
  assert.deepEqual(picked.axes, zoo.axes, 'a subset keeps the whole grid');
  assert.equal(picked.kind, zoo.kind);
  assert.equal(picked.root, zoo.root);
  assert.deepEqual(picked.table().column('test_acc'), [0.8 + 0.03, 0.2, 0.4 + 0.01]);
  assert.equal(zoo.size, 12, 'the zoo itself is unchanged');

  // A repeated id counts once, at its first place (a Set of ids, in order, is an equal argument).
  assert.deepEqual(
    zoo.subset(['w4_s1', 'w2_s0', 'w4_s1', 'w2_s0']).models.map((model) => model.id),
    ['w4_s1', 'w2_s0'],
  );
  assert.deepEqual(
    zoo.subset(new Set(['w2_s3', 'w8_s0'])).models.map((model) => model.id),
    ['w2_s3', 'w8_s0'],
  );
  assert.equal(zoo.subset([]).size, 0);

  // Every unknown id is named, once, with a few of the zoo's ids; nothing is returned.
  assert.throws(
    () => zoo.subset(['w2_s0', 'w16_s0', 'w16_s0', 'w2_s9']),
    (error: unknown) =>
      error instanceof ArgumentError &&
      error.details.file === '/zoo-in-memory' &&
      error.details.field === 'id' &&
      error.details.found === '"w16_s0", "w2_s9"' &&
      error.details.expected === 'one of 12 model ids, such as "w2_s0", "w2_s1", "w2_s2", "w2_s3", "w4_s0"',
  );
  // A small zoo lists all its ids; model(id) reports an unknown id the same way.
  const small = zoo.subset(['w2_s0', 'w2_s1']);
  assert.throws(
    () => small.model('w4_s0'),
    (error: unknown) =>
      error instanceof ArgumentError &&
      error.details.found === '"w4_s0"' &&
      error.details.expected === 'one of "w2_s0", "w2_s1"' &&
      /no such model in the zoo/.test(error.message),
  );
  assert.throws(
    () => small.subset([]).subset(['w2_s0']),
    (error: unknown) => error instanceof ArgumentError && /the zoo has no models/.test(error.message),
  );
});
