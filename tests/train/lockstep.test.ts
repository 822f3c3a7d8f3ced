// The lockstep group trainer against its oracle, trainNetwork one model at a time: every model of
// a group gets trainNetwork's parameters and records to the last bit (same float64 operations in
// the same order per lane), whatever the group size, with hyperparameters varying inside a pair;
// the small CNN likewise (digits, and 28x28 MNIST where a minibatch takes several passes); jobs the
// kernels do not cover fall back to trainNetwork; bad options are ArgumentErrors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArgumentError,
  cnn,
  digits,
  mnist,
  mlp,
  subsample,
  trainLockstep,
  trainNetwork,
  wasmKernelAvailable,
  withLabelNoise,
  type DatasetSplit,
  type EpochRecord,
  type TrainingJob,
} from 'weightlab/internal';

const { train, test: held } = digits();
const base: TrainingJob = {
  architecture: mlp(64, [16], 10),
  seed: 0,
  batchSize: 32,
  learningRate: 0.05,
  momentum: 0.9,
  weightDecay: 5e-4,
  epochs: 2,
};

/** Bit-exact comparison of two parameter vectors (Object.is tells -0 from +0 and matches NaN). */
function sameBits(actual: Float64Array, expected: Float64Array, label: string): void {
  assert.equal(actual.length, expected.length, label);
  for (let k = 0; k < expected.length; k++) {
    if (!Object.is(actual[k], expected[k]))
      assert.fail(`${label}: parameter ${k} is ${actual[k]}, trainNetwork gives ${expected[k]}`);
  }
}

test('trainLockstep: the wasm kernel is built (else every case below would only test the fallback)', () => {
  assert.ok(wasmKernelAvailable('lockstep'));
});

test('trainLockstep: each model of a group equals trainNetwork bit for bit, for group sizes 1, 2, 3 and 5', () => {
  // Five models, odd so a pair holds a padded lane; learning rate, momentum and decay differ inside pairs.
  const jobs: TrainingJob[] = [
    { ...base, seed: 0 },
    { ...base, seed: 1, learningRate: 0.1 },
    { ...base, seed: 2, momentum: 0.5, weightDecay: 0 },
    { ...base, seed: 3, architecture: mlp(64, [16], 10) },
    { ...base, seed: 4, learningRate: 0.02, weightDecay: 1e-3 },
  ];
  const alone = jobs.map((job) => trainNetwork(job, train, held));
  for (const groupSize of [1, 2, 3, 5]) {
    const grouped = trainLockstep(jobs, { train, test: held }, { groupSize, engine: 'wasm' });
    grouped.forEach((result, m) => {
      sameBits(result.params, alone[m].params, `group size ${groupSize}, model ${m}`);
      assert.deepEqual(result.records, alone[m].records, `records of model ${m}, group size ${groupSize}`);
    });
  }
});

test('trainLockstep: one split per job (label noise, data fraction, as a zoo grid): grouped by inputs, each equals trainNetwork on its split', () => {
  const half = subsample(train, 0.5, 0);
  const splits: DatasetSplit[] = [
    { train, test: held },
    { train: withLabelNoise(train, 0.2, 0), test: held },
    { train: subsample(train, 0.5, 0), test: held },
    { train: withLabelNoise(half, 0.1, 0), test: held },
    { train, test: held },
  ];
  const jobs = splits.map((_, m): TrainingJob => ({ ...base, seed: 10 + m, epochs: 1 }));
  const grouped = trainLockstep(jobs, splits, { engine: 'wasm' });
  jobs.forEach((job, m) => {
    const alone = trainNetwork(job, splits[m].train, splits[m].test);
    sameBits(grouped[m].params, alone.params, `model ${m}`);
    assert.deepEqual(grouped[m].records, alone.records);
  });
  assert.throws(
    () => trainLockstep(jobs, splits.slice(1)),
    (e) => e instanceof ArgumentError && e.details.field === 'data',
  );
});

test('trainLockstep: two hidden layers, a last batch smaller than the others, and the epoch hook', () => {
  const job: TrainingJob = { ...base, architecture: mlp(64, [12, 7], 10), batchSize: 100, epochs: 2 };
  const jobs = [
    { ...job, seed: 7 },
    { ...job, seed: 8 },
    { ...job, seed: 9 },
  ];
  const seen: { index: number; record: EpochRecord; params: Float64Array }[] = [];
  const grouped = trainLockstep(
    jobs,
    { train, test: held },
    { engine: 'wasm', onEpoch: (index, record, params) => seen.push({ index, record, params }) },
  );
  jobs.forEach((one, m) => {
    const hooked: Float64Array[] = [];
    const alone = trainNetwork(one, train, held, {
      onEpoch: (_record, params) => hooked.push(Float64Array.from(params)),
    });
    sameBits(grouped[m].params, alone.params, `model ${m}`);
    assert.deepEqual(grouped[m].records, alone.records);
    const mine = seen.filter((entry) => entry.index === m);
    assert.deepEqual(
      mine.map((entry) => entry.record),
      alone.records,
    );
    mine.forEach((entry, epoch) => sameBits(entry.params, hooked[epoch], `model ${m} after epoch ${epoch}`));
  });
});

test('trainLockstep: a diverging model stops at its NaN record as trainNetwork does, without touching its pair', () => {
  const jobs = [
    { ...base, seed: 0, learningRate: 1e6, epochs: 3 },
    { ...base, seed: 1, epochs: 3 },
  ];
  const grouped = trainLockstep(jobs, { train, test: held }, { engine: 'wasm' });
  jobs.forEach((job, m) => {
    const alone = trainNetwork(job, train, held);
    assert.equal(grouped[m].records.length, alone.records.length);
    assert.equal(
      grouped[m].records.some((r) => r.nan),
      alone.records.some((r) => r.nan),
    );
    if (m === 1) sameBits(grouped[m].params, alone.params, 'the healthy model');
  });
  assert.ok(
    grouped[0].records.some((r) => r.nan),
    'the lr 1e6 model diverged',
  );
});

test('trainLockstep: jobs outside the kernels (tanh, adam) and engine js are trainNetwork; bad options are ArgumentErrors', () => {
  const jobs: TrainingJob[] = [
    { ...base, architecture: mlp(64, [8], 10, 'tanh'), epochs: 1 },
    { ...base, optimizer: 'adam', learningRate: 0.01, epochs: 1 },
    { ...base, epochs: 1 },
  ];
  const expected = jobs.map((job) => trainNetwork(job, train, held).params);
  for (const engine of ['auto', 'js'] as const) {
    trainLockstep(jobs, { train, test: held }, { engine }).forEach((result, m) =>
      sameBits(result.params, expected[m], `${engine} model ${m}`),
    );
  }
  // interruption is checked between epochs: the second check stops a two-epoch group
  let checks = 0;
  const stop = new Error('interrupted');
  assert.throws(
    () =>
      trainLockstep(
        [base, { ...base, seed: 1 }],
        { train, test: held },
        { engine: 'wasm', interruption: () => (++checks === 2 ? stop : undefined) },
      ),
    (e) => e === stop,
  );
  assert.equal(checks, 2);
  assert.throws(
    () => trainLockstep(jobs, { train, test: held }, { groupsize: 4 } as never),
    (e) => e instanceof ArgumentError && /did you mean 'groupSize'/.test(e.message),
  );
  assert.throws(
    () => trainLockstep(jobs, { train, test: held }, { groupSize: 0 }),
    (e) => e instanceof ArgumentError && e.details.field === 'groupSize',
  );
  assert.throws(
    () => trainLockstep([{ ...base, batchSize: -1 }], { train, test: held }),
    (e) => e instanceof ArgumentError && e.details.field === 'batchSize',
  );
  assert.throws(
    () => trainLockstep([{ ...base, architecture: mlp(63, [8], 10) }], { train, test: held }, { engine: 'wasm' }),
    (e) => e instanceof ArgumentError && /does not fit/.test(e.message),
  );
});

test('trainLockstep float32: the same bits for any group size, and within float32 rounding of trainNetwork (float64) after one epoch', () => {
  const jobs = Array.from({ length: 6 }, (_, m): TrainingJob => ({
    ...base,
    seed: m,
    learningRate: 0.03 + 0.01 * m,
    epochs: 1,
  }));
  const oracle = jobs.map((job) => trainNetwork(job, train, held));
  const together = trainLockstep(jobs, { train, test: held }, { precision: 'float32', groupSize: 6 });
  for (const groupSize of [1, 5]) {
    trainLockstep(jobs, { train, test: held }, { precision: 'float32', groupSize }).forEach((result, m) =>
      sameBits(result.params, together[m].params, `float32, group size ${groupSize}, model ${m}`),
    );
  }
  together.forEach((result, m) => {
    // Parameters are float32 values (widened), so a float64 run cannot be reproduced; after 45
    // steps the measured relative distance is ~2e-7 (a few float32 roundings). 1e-5 leaves room
    // for growth along the trajectory yet fails on any wrong operation (those differ at O(1)).
    assert.ok(
      result.params.every((v) => Math.fround(v) === v),
      'float32 parameters',
    );
    let difference = 0;
    let norm = 0;
    for (let k = 0; k < result.params.length; k++) {
      difference += (result.params[k] - oracle[m].params[k]) ** 2;
      norm += oracle[m].params[k] ** 2;
    }
    assert.ok(Math.sqrt(difference / norm) < 1e-5, `model ${m}: relative distance ${Math.sqrt(difference / norm)}`);
    assert.ok(
      Math.abs(result.records[1].test_acc! - oracle[m].records[1].test_acc!) <= 2 / held.size,
      `model ${m}: test accuracy`,
    );
  });
  assert.throws(
    () => trainLockstep([{ ...base, optimizer: 'adam' }], { train, test: held }, { precision: 'float32' }),
    (e) => e instanceof ArgumentError && e.details.field === 'jobs[0]',
  );
  assert.throws(
    () => trainLockstep([base], { train, test: held }, { precision: 'float16' as never }),
    (e) => e instanceof ArgumentError && e.details.field === 'precision',
  );
});

test('trainLockstep CNN: each model equals trainNetwork bit for bit on digits, for group sizes 1, 2 and 3, last batch short', () => {
  const architecture = cnn([1, 8, 8], [4, 4], 10);
  // 1,437 rows in batches of 100: the last holds 37; hyperparameters differ inside a pair.
  const jobs: TrainingJob[] = [
    { ...base, architecture, seed: 0, batchSize: 100, learningRate: 0.1 },
    { ...base, architecture, seed: 1, batchSize: 100, learningRate: 0.05, momentum: 0.5 },
    { ...base, architecture, seed: 2, batchSize: 100, learningRate: 0.1, weightDecay: 0 },
  ];
  const alone = jobs.map((job) => trainNetwork(job, train, held));
  for (const groupSize of [1, 2, 3]) {
    trainLockstep(jobs, { train, test: held }, { groupSize, engine: 'wasm' }).forEach((result, m) => {
      sameBits(result.params, alone[m].params, `CNN, group size ${groupSize}, model ${m}`);
      assert.deepEqual(result.records, alone[m].records, `CNN records of model ${m}, group size ${groupSize}`);
    });
  }
  // training moved the CNN downhill (measured 2.312 -> 2.275): the equality is not of two idle vectors
  const [first, last] = [alone[0].records[0], alone[0].records[2]];
  assert.ok(last.train_loss < first.train_loss - 0.02, `train loss ${first.train_loss} -> ${last.train_loss}`);
});

test('trainLockstep CNN on 28x28 MNIST: minibatches and evaluation chunks cut into passes keep trainNetwork bits; float32 stays close', () => {
  // A 28x28 row's patches take ~0.5 MB of lane scratch, so a pass holds ~31 rows: batches of 48
  // and the 256-row evaluation chunk each take several passes.
  const split = mnist({ perClass: 12, seed: 0 });
  const architecture = cnn([1, 28, 28], [4, 4], 10);
  const jobs: TrainingJob[] = [0, 1, 2].map((seed) => ({ ...base, architecture, seed, batchSize: 48, epochs: 2 }));
  const alone = jobs.map((job) => trainNetwork(job, split.train, split.test));
  trainLockstep(jobs, split, { engine: 'wasm', groupSize: 3 }).forEach((result, m) => {
    sameBits(result.params, alone[m].params, `MNIST CNN model ${m}`);
    assert.deepEqual(result.records, alone[m].records, `MNIST CNN records of model ${m}`);
  });
  // float32: the same bits alone and in a group; within float32 rounding of float64 after 2 epochs
  const together = trainLockstep(jobs, split, { precision: 'float32', groupSize: 3 });
  const single = trainLockstep([jobs[2]], split, { precision: 'float32' });
  sameBits(single[0].params, together[2].params, 'float32 CNN model 2 alone and in a group');
  together.forEach((result, m) => {
    let difference = 0;
    let norm = 0;
    for (let k = 0; k < result.params.length; k++) {
      difference += (result.params[k] - alone[m].params[k]) ** 2;
      norm += alone[m].params[k] ** 2;
    }
    assert.ok(
      Math.sqrt(difference / norm) < 1e-4,
      `float32 CNN model ${m}: relative distance ${Math.sqrt(difference / norm)}`,
    );
  });
});
