// Zoo tables and zoo options under the public API (issue #17): one name per zoo axis (PTMZ keys
// in params.json/zoo.json, snake_case axis names in zoo.axes, tables and model ids), the tables
// as ResultTables with a CSV round trip, and options that reject unknown keys and keep their
// defaults when a key is given as undefined. Expected values are the numbers written to the files.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fromCSV } from 'arquero';
import {
  ArgumentError,
  FormatError,
  ResultTable,
  Tensor,
  openZoo,
  buildZoo,
  writeZooCheckpoint,
  writeZooManifest,
  writeZooParams,
  writeZooResults,
  OPEN_ZOO_DEFAULTS,
  ZOO_TABLE_DEFAULTS,
  tokeniseCheckpoint,
  vectoriseCheckpoint,
  zooCache,
  zooPreset,
  type ZooSpec,
} from 'weightlab/internal';
import { temporaryFolder } from '../support/paths';

/** A native zoo written with the format writers: widths x learning rates x 1 seed, PTMZ keys on disk. */
function writtenZoo(): string {
  const root = temporaryFolder('zoo-table');
  const ids: string[] = [];
  for (const width of [4, 8])
    for (const lr of [0.01, 0.1]) {
      const id = `model_${width}_${lr}`;
      ids.push(id);
      writeZooParams(root, id, {
        'model::width': width,
        'optim::lr': lr,
        'training::batchsize': 16,
        'model::nlin': 'relu',
        seed: 0,
      });
      writeZooResults(
        root,
        id,
        [0, 1].map((epoch) => ({
          epoch,
          train_acc: 0.5 + 0.1 * epoch + width / 100,
          test_acc: 0.5 + 0.05 * epoch,
          train_loss: 1 / (epoch + 1 + lr),
        })),
      );
      writeZooCheckpoint(root, id, 1, { 'fc.weight': Tensor.from([width, lr], [2], 'float32') });
    }
  writeZooManifest(root, {
    name: 'written',
    axes: { 'model::width': [4, 8], 'optim::lr': [0.01, 0.1] },
    seeds: [0],
    epochs: [1],
    models: ids,
  });
  return root;
}

test('zoo.table(): a ResultTable with axis names as columns, typed rows, and a CSV round trip', () => {
  const root = writtenZoo();
  const zoo = openZoo(root);
  assert.deepEqual(zoo.axes, { width: [4, 8], learning_rate: [0.01, 0.1] });
  const model = zoo.model('model_8_0.1');
  assert.equal(model.params['training::batchsize'], 16, 'params stays the file as written');
  assert.deepEqual(model.hyperparameters, {
    width: 8,
    learning_rate: 0.1,
    batch_size: 16,
    'model::nlin': 'relu',
    seed: 0,
  });

  const table = zoo.table();
  assert.ok(table instanceof ResultTable);
  assert.deepEqual(table.columnNames(), [
    'model',
    'epoch',
    'width',
    'learning_rate',
    'batch_size',
    'model::nlin',
    'seed',
    'train_acc',
    'test_acc',
    'train_loss',
    'training_iteration',
    'ggap',
    'checkpoint',
  ]);
  assert.equal(table.numRows(), 8);
  const row = table.filter((r) => r.model === 'model_8_0.1' && r.epoch === 1).row(0);
  assert.equal(row.width, 8);
  assert.equal(row.learning_rate, 0.1);
  assert.equal(row.train_acc, 0.5 + 0.1 + 8 / 100);
  assert.equal(row.ggap, 0.5 + 0.1 + 8 / 100 - (0.5 + 0.05));
  assert.equal(row.checkpoint, true);
  assert.deepEqual(table.column('checkpoint'), [false, true, false, true, false, true, false, true]);

  // CSV: parsed back by Arquero's reader, every numeric cell equals the table's (17 significant digits survive).
  const parsed = fromCSV(table.toCSV());
  assert.deepEqual(parsed.columnNames(), table.columnNames());
  for (const name of [
    'epoch',
    'width',
    'learning_rate',
    'batch_size',
    'train_acc',
    'test_acc',
    'train_loss',
    'ggap',
  ] as const) {
    assert.deepEqual(Array.from(parsed.array(name) as ArrayLike<number>), table.column(name), name);
  }
  assert.deepEqual(Array.from(parsed.array('model') as ArrayLike<string>), table.column('model'));

  const models = zoo.modelTable();
  assert.deepEqual(models.column('checkpoints'), [1, 1, 1, 1]);
  assert.deepEqual(models.column('learning_rate'), [0.01, 0.1, 0.01, 0.1]);
  assert.equal(models.get('ggap', 1), 0.5 + 0.1 + 4 / 100 - (0.5 + 0.05));
});

test('zoo options: unknown keys are an ArgumentError listing the valid ones; undefined keeps the default', () => {
  const root = writtenZoo();
  const zoo = openZoo(root);
  assert.throws(
    () => zoo.table({ bookeeping: true } as never),
    (error: Error) =>
      error instanceof ArgumentError &&
      /did you mean 'bookkeeping'/.test(error.message) &&
      /bookkeeping/.test(error.message),
  );
  assert.deepEqual(zoo.table({ bookkeeping: undefined }).columnNames(), zoo.table().columnNames());
  assert.equal(ZOO_TABLE_DEFAULTS.bookkeeping, false);
  assert.throws(
    () => openZoo(root, { strcit: true } as never),
    (error: Error) =>
      error instanceof ArgumentError &&
      /openZoo has no option 'strcit'/.test(error.message) &&
      new RegExp(Object.keys(OPEN_ZOO_DEFAULTS).join('.*')).test(error.message),
  );
  // { maxTextBytes: undefined } keeps the 16 MiB default instead of failing the limit check.
  assert.equal(openZoo(root, { maxTextBytes: undefined, strict: undefined }).size, 4);
  assert.throws(
    () => zoo.model('nope'),
    (error: Error) => error instanceof ArgumentError && /model_4_0\.01/.test(error.message),
  );
});

test('zoo specs: axes use the snake_case names; the old camelCase and unknown fields are refused with the valid keys', async () => {
  const out = temporaryFolder('zoo-spec');
  const base: ZooSpec = {
    name: 'spec-check',
    dataset: 'two-moons',
    datasetOptions: { size: 64 },
    axes: { width: [3] },
    seeds: [0],
    epochs: 1,
  };
  await assert.rejects(
    buildZoo({ ...base, axes: { batchSize: [8] } } as never, { out, progress: false }),
    (error: Error) =>
      error instanceof ArgumentError &&
      /has no option 'batchSize'/.test(error.message) &&
      /did you mean 'batch_size'/.test(error.message),
  );
  await assert.rejects(
    buildZoo({ ...base, defaults: { learningRate: 0.1 } } as never, { out, progress: false }),
    /did you mean 'learning_rate'/,
  );
  await assert.rejects(
    buildZoo({ ...base, epoch: 2 } as never, { out, progress: false }),
    (error: Error) =>
      error instanceof ArgumentError &&
      /zoo spec has no option 'epoch'/.test(error.message) &&
      /checkpointEvery/.test(error.message),
  );
  await assert.rejects(
    buildZoo(base, { out, progres: false } as never),
    (error: Error) =>
      error instanceof ArgumentError &&
      /buildZoo has no option 'progres'/.test(error.message) &&
      /groupModels/.test(error.message),
  );
  await assert.rejects(buildZoo(base, { out: undefined } as never), /needs an output folder/);
  assert.deepEqual(fs.readdirSync(out), [], 'nothing written by a refused build');
  const cacheRoot = temporaryFolder('zoo-spec-cache');
  await assert.rejects(
    zooCache({ ...base, epoch: 2 } as never, { root: cacheRoot, progress: false }),
    /zoo spec has no option 'epoch'/,
  );
  await assert.rejects(
    zooCache(base, { root: cacheRoot, progres: false } as never),
    /zooCache has no option 'progres' \(did you mean 'progress'\?\)/,
  );
  assert.deepEqual(fs.readdirSync(cacheRoot), [], 'no cache folder or lock for a refused spec');
  // undefined options keep their defaults: a build with { workers: 0, engine: undefined, momentum: undefined } trains with js and momentum 0.9.
  const built = await buildZoo(
    { ...base, momentum: undefined },
    { out, workers: 0, progress: false, engine: undefined, groupModels: undefined },
  );
  assert.deepEqual(built.trained, ['width=3_seed=0']);
  const params = JSON.parse(fs.readFileSync(path.join(out, 'width=3_seed=0', 'params.json'), 'utf8'));
  assert.equal(params['optim::momentum'], 0.9);
  assert.equal(params['training::engine'], 'js');
  assert.equal(params['model::width'], 3, 'params.json keeps the PTMZ keys');
});

test('native zoo manifest: version 2 records data and architectures; a broken record is a FormatError naming the field', async () => {
  const out = temporaryFolder('zoo-manifest');
  const spec: ZooSpec = {
    name: 'records',
    dataset: 'two-moons',
    datasetOptions: { size: 64, seed: 3 },
    axes: { width: [3, 5] },
    defaults: { depth: 2 },
    seeds: [0],
    epochs: 1,
  };
  await buildZoo(spec, { out, workers: 0, progress: false });
  const zoo = openZoo(out);
  assert.equal(zoo.manifest?.version, 2);
  assert.deepEqual(zoo.dataset, { name: 'two-moons', options: { size: 64, seed: 3 } });
  assert.deepEqual(zoo.model('width=5_seed=0').architecture, {
    kind: 'mlp',
    inputs: 2,
    hidden: [5, 5],
    outputs: 2,
    activation: 'relu',
  });
  // The recorded architecture is the one the weights have: layer shapes read from the checkpoint.
  const weights = zoo.model('width=3_seed=0').checkpoints.at(-1)!.load();
  assert.deepEqual(
    [0, 1, 2].map((l) => weights.info(`layers.${l}.weight`).shape),
    [
      [3, 2],
      [3, 3],
      [2, 3],
    ],
  );
  // trainingData is the dataset's own split (the two-moons generator with the recorded options).
  const data = zoo.trainingData(zoo.models[0]);
  assert.equal(data.train.size + data.test.size, 64);

  const manifestFile = path.join(out, 'zoo.json');
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  fs.writeFileSync(
    manifestFile,
    JSON.stringify({ ...manifest, architectures: { 'width=3_seed=0': { kind: 'transformer' } } }),
  );
  assert.throws(
    () => openZoo(out),
    (error: Error) =>
      error instanceof FormatError &&
      /architectures\.width=3_seed=0\.kind/.test(error.message) &&
      /transformer/.test(error.message),
  );
  fs.writeFileSync(manifestFile, JSON.stringify({ ...manifest, data: { name: 'imagenet', options: {} } }));
  assert.throws(
    () => openZoo(out),
    (error: Error) =>
      error instanceof FormatError && /data\.name/.test(error.message) && /imagenet/.test(error.message),
  );
  fs.writeFileSync(manifestFile, JSON.stringify({ ...manifest, version: 3 }));
  assert.throws(
    () => openZoo(out),
    (error: Error) =>
      error instanceof FormatError &&
      /version/.test(error.message) &&
      /1 or 2/.test(error.message) &&
      /found 3|3/.test(error.message),
  );
});

test('weights, presets, vectors and tokens: misspelled options are refused by name; undefined keeps the default', () => {
  const zoo = openZoo(writtenZoo());
  assert.throws(
    () => [...zoo.weights({ dropNan: true } as never)],
    (error: Error) =>
      error instanceof ArgumentError &&
      /zoo\.weights has no option 'dropNan' \(did you mean 'dropNaN'\?\)/.test(error.message),
  );
  // { maxAbsWeight: undefined } is no limit (the default): all 4 checkpoints pass; 5 keeps the two with |w| <= 5 (widths 4).
  assert.equal([...zoo.weights({ maxAbsWeight: undefined, dropNaN: undefined })].length, 4);
  assert.deepEqual(
    [...zoo.weights({ maxAbsWeight: 5 })].map(({ checkpoint }) => checkpoint.model.id),
    ['model_4_0.01', 'model_4_0.1'],
  );
  assert.throws(
    () => zooPreset('digits-mlp-grid', { smal: true } as never),
    /zooPreset has no option 'smal' \(did you mean 'small'\?\)/,
  );
  assert.deepEqual(zooPreset('digits-mlp-grid', { small: undefined }), zooPreset('digits-mlp-grid'));
  const weights = zoo.models[0].checkpoints[0].load();
  assert.throws(
    () => vectoriseCheckpoint(weights, { bias: false } as never),
    /vectoriseCheckpoint has no option 'bias'.*useBias/,
  );
  assert.throws(
    () => tokeniseCheckpoint(weights, { size: 2 } as never),
    /tokeniseCheckpoint has no option 'size'.*tokenSize, ignoreBatchNorm/,
  );
  assert.deepEqual(
    tokeniseCheckpoint(weights, { tokenSize: undefined }).tokens.shape,
    tokeniseCheckpoint(weights).tokens.shape,
  );
});
