// The zoo builder's lockstep groups (issue #18): with engine 'js', same-shaped ReLU MLPs trained by
// SGD (and ReLU CNNs) are trained side by side by trainLockstep. The oracle is the same zoo built one model per
// group (groupModels: 1, the one-model loop of runJob): every checkpoint, params.json and
// result.json must have the same bytes, and a resumed grouped build retrains only the models
// whose files are incomplete.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  buildZoo,
  expandGrid,
  openZoo,
  trainingGroups,
  wasmKernelUnavailable,
  zooPreset,
  type ZooSpec,
} from 'weightlab/internal';
import { temporaryFolder } from '../../support/paths';
import { zooFileDigests as files } from './zoo-files';

// Two data fractions (two input sets), label noise (labels differ within a group), two widths.
const spec: ZooSpec = {
  name: 'lockstep-grid',
  dataset: 'digits',
  axes: { width: [4, 12], learning_rate: [0.02, 0.08], data_fraction: [0.5, 1], label_noise: [0, 0.2] },
  seeds: [0, 1],
  defaults: { batch_size: 32 },
  epochs: 3,
  checkpointEvery: 2,
};

test('trainingGroups: lockstep groups per shape for js, split per worker; tanh and groupModels 1 stay single', () => {
  const jobs = expandGrid(spec, 64, 10);
  const groups = trainingGroups(jobs, 'js', 24);
  // one group per (width, data fraction): 4 shapes of 8 models
  assert.deepEqual(
    groups.map((g) => [g.engine, g.ids.length]),
    [
      ['lockstep', 8],
      ['lockstep', 8],
      ['lockstep', 8],
      ['lockstep', 8],
    ],
  );
  assert.deepEqual(groups.flatMap((g) => g.ids).sort(), jobs.map((j) => j.id).sort());
  for (const group of groups) {
    const members = group.ids.map((id) => jobs.find((j) => j.id === id)!);
    assert.equal(new Set(members.map((j) => `${j.values.width}|${j.values.data_fraction}`)).size, 1);
  }
  // capped by size, then split so two workers each get a group
  assert.deepEqual(
    trainingGroups(jobs, 'js', 3).map((g) => g.ids.length),
    [3, 3, 2, 3, 3, 2, 3, 3, 2, 3, 3, 2],
  );
  // 4 shapes keep 2 workers busy: no further cut. One shape is cut for 2 workers, never into single models.
  assert.deepEqual(
    trainingGroups(jobs, 'js', 24, 2).map((g) => g.ids.length),
    [8, 8, 8, 8],
  );
  const oneShape = jobs.filter((job) => job.values.width === 4 && job.values.data_fraction === 1);
  assert.deepEqual(
    trainingGroups(oneShape, 'js', 24, 2).map((g) => [g.engine, g.ids.length]),
    [
      ['lockstep', 4],
      ['lockstep', 4],
    ],
  );
  assert.deepEqual(
    trainingGroups(oneShape.slice(0, 3), 'js', 24, 4).map((g) => g.ids.length),
    [3],
    '3 models for 4 workers: one group (parts of one model would train by the slower one-model loop)',
  );
  assert.ok(trainingGroups(jobs, 'js', 1).every((g) => g.engine === 'js' && g.ids.length === 1));
  const tanh = expandGrid({ ...spec, activation: 'tanh' }, 64, 10);
  assert.ok(trainingGroups(tanh, 'js', 24).every((g) => g.engine === 'js' && g.ids.length === 1)); // not covered by the kernels
  const convolutional = expandGrid(zooPreset('digits-cnn-grid', { small: true }), 64, 10, [1, 8, 8]);
  assert.deepEqual(
    trainingGroups(convolutional, 'js', 24).map((g) => [g.engine, g.ids.length]),
    [
      ['lockstep', 2],
      ['lockstep', 2],
      ['lockstep', 2],
      ['lockstep', 2],
    ],
  );
});

test('a CNN zoo built in lockstep groups has the bytes of the zoo built one model at a time', async () => {
  const small = zooPreset('digits-cnn-grid', { small: true });
  const cnnSpec: ZooSpec = { ...small, axes: { width: [3], batch_size: [32, 512] }, seeds: [0, 1, 2], epochs: 2 };
  const single = temporaryFolder('zoo-cnn-single');
  const grouped = temporaryFolder('zoo-cnn-grouped');
  const reference = await buildZoo(cnnSpec, { out: single, workers: 0, progress: false, groupModels: 1 });
  assert.deepEqual(reference.failed, []);
  const built = await buildZoo(cnnSpec, { out: grouped, workers: 0, progress: false });
  assert.deepEqual(built.failed, []);
  assert.equal(built.trained.length, 6);
  assert.equal(trainingGroups(expandGrid(cnnSpec, 64, 10, [1, 8, 8]), 'js', 24)[0].engine, 'lockstep');
  const expected = files(single);
  assert.ok(Object.keys(expected).some((name) => name.endsWith('weights.safetensors')));
  assert.deepEqual(files(grouped), expected);
});

test('a zoo built in lockstep groups has the bytes of the zoo built one model at a time, and resumes', async () => {
  assert.equal(wasmKernelUnavailable('lockstep'), undefined); // the kernels run, not trainLockstep's JS fallback
  const single = temporaryFolder('zoo-single');
  const grouped = temporaryFolder('zoo-grouped');
  const workers = temporaryFolder('zoo-grouped-workers');
  const reference = await buildZoo(spec, { out: single, workers: 0, progress: false, groupModels: 1 });
  assert.deepEqual(reference.failed, []);
  const built = await buildZoo(spec, { out: grouped, workers: 0, progress: false });
  assert.deepEqual(built.failed, []);
  assert.equal(built.trained.length, 32);
  const expected = files(single);
  assert.equal(Object.keys(expected).filter((name) => name.endsWith('weights.safetensors')).length, 32 * 3); // epochs 0, 2, 3
  assert.deepEqual(files(grouped), expected);
  assert.equal(openZoo(grouped).model(built.trained[0]).params['training::engine'], 'js'); // same bits, same engine
  const inWorkers = await buildZoo(spec, { out: workers, workers: 2, progress: false, groupModels: 5 });
  assert.deepEqual(inWorkers.failed, []);
  assert.deepEqual(files(workers), expected);

  // A killed grouped build: one model lost its result.json and last checkpoint, another only its result.json.
  const lost = 'width=12_learning_rate=0.08_data_fraction=0.5_label_noise=0.2_seed=1';
  const unfinished = 'width=12_learning_rate=0.02_data_fraction=0.5_label_noise=0_seed=0';
  fs.rmSync(path.join(grouped, lost, 'result.json'));
  fs.rmSync(path.join(grouped, lost, 'checkpoint_000003'), { recursive: true });
  fs.rmSync(path.join(grouped, unfinished, 'result.json'));
  const resumed = await buildZoo(spec, { out: grouped, workers: 0, progress: false });
  assert.deepEqual(resumed.trained.sort(), [lost, unfinished].sort());
  assert.equal(resumed.skipped.length, 30);
  assert.deepEqual(files(grouped), expected);
});
