// Options of the bias verbs are data: an unknown key is an ArgumentError naming the verb and
// listing the valid keys, an explicit undefined keeps the default, and each *_DEFAULTS object
// is what the verb really uses (checked by comparing against an explicit call).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArgumentError,
  ESTIMATOR_DEFAULTS,
  INDUCTIVE_BIAS_DEFAULTS,
  KERNEL_SPACE_DEFAULTS,
  NETWORK_SPACE_DEFAULTS,
  RANDOM_FEATURE_SPACE_DEFAULTS,
  TEACHER_TASK_DEFAULTS,
  compareInductiveBias,
  estimateInductiveBias,
  inductiveBias,
  inductiveBiasByDimension,
  kernelHypothesisSpace,
  networkHypothesisSpace,
  randomFeatureHypothesisSpace,
  rng,
  teacherTask,
} from 'weightlab/internal';
import { rejectsUnknownKey } from '../support/options';

const task = teacherTask({ dimension: 8, trainSize: 24, testSize: 24, seed: 3 });

test('inductiveBias, compareInductiveBias, inductiveBiasByDimension: unknown keys are ArgumentErrors listing the valid ones', async () => {
  const space = kernelHypothesisSpace();
  await assert.rejects(inductiveBias(task, space, { eps: 0.1, sample: 100 } as never), (e) =>
    rejectsUnknownKey(e, 'inductiveBias', 'sample', INDUCTIVE_BIAS_DEFAULTS),
  );
  await assert.rejects(compareInductiveBias(task, [space], { eps: 0.1, bootstraps: 10 } as never), (e) =>
    rejectsUnknownKey(e, 'compareInductiveBias', 'bootstraps', INDUCTIVE_BIAS_DEFAULTS),
  );
  await assert.rejects(
    inductiveBiasByDimension((d) => teacherTask({ dimension: d }), [space], [4], { eps: 0.1, sed: 1 } as never),
    (e) => rejectsUnknownKey(e, 'inductiveBiasByDimension', 'sed', INDUCTIVE_BIAS_DEFAULTS),
  );
  // "did you mean": the nearest valid key is named.
  await assert.rejects(inductiveBias(task, space, { eps: 0.1, sampels: 100 } as never), /did you mean 'samples'/);
  await assert.rejects(
    inductiveBias(task, space, { samples: 100 } as never),
    (e) => e instanceof ArgumentError && e.details.field === 'eps',
  );
});

test('inductiveBias: undefined keeps each default, and the defaults are the ones documented', async () => {
  const space = kernelHypothesisSpace();
  const quiet = { eps: 0.2, progress: false, warn: false };
  const implicit = await inductiveBias(task, space, {
    ...quiet,
    samples: undefined,
    seed: undefined,
    level: undefined,
    bootstrap: undefined,
    fit: undefined,
  });
  const explicit = await inductiveBias(task, space, {
    ...quiet,
    samples: INDUCTIVE_BIAS_DEFAULTS.samples,
    seed: 0,
    level: 0.95,
    bootstrap: 300,
    fit: 'moments',
  });
  assert.equal(INDUCTIVE_BIAS_DEFAULTS.samples, 1000);
  assert.equal(implicit.errors.length, 1000);
  assert.equal(implicit.seed, 0);
  assert.deepEqual(Array.from(implicit.errors), Array.from(explicit.errors));
  assert.equal(implicit.bits, explicit.bits);
  assert.deepEqual(implicit.interval, explicit.interval);
  assert.equal(implicit.estimate.interval.level, 0.95);
  assert.equal(implicit.estimate.interval.resamples, 300);
});

test('estimateInductiveBias: unknown keys rejected, undefined keeps the defaults (300 moment resamples at level 0.95)', () => {
  const errors = rng(5)
    .normal(400)
    .map((z) => 1 + 0.1 * z * z);
  assert.throws(
    () => estimateInductiveBias(errors, 1.01, { levels: 0.9 } as never),
    (e) => rejectsUnknownKey(e, 'estimateInductiveBias', 'levels', ESTIMATOR_DEFAULTS),
  );
  assert.throws(
    () => estimateInductiveBias(errors, 1.01, { fit: 'median' as never }),
    (e) => e instanceof ArgumentError && e.details.field === 'fit',
  );
  const estimate = estimateInductiveBias(errors, 1.01, { level: undefined, bootstrap: undefined, warn: false });
  assert.equal(estimate.interval.level, 0.95);
  assert.equal(estimate.interval.resamples, 300);
  const likelihood = estimateInductiveBias(errors, 1.01, { fit: 'maximum-likelihood', warn: false });
  assert.equal(likelihood.interval.resamples, 40);
});

test('teacherTask: unknown keys and values rejected; undefined keeps the defaults', () => {
  assert.throws(
    () => teacherTask({ dimension: 4, trainsize: 10 } as never),
    (e) => rejectsUnknownKey(e, 'teacherTask', 'trainsize', TEACHER_TASK_DEFAULTS),
  );
  assert.throws(
    () => teacherTask({ dimension: 4, teacher: 'quadratic' as never }),
    (e) => e instanceof ArgumentError && e.details.field === 'teacher',
  );
  assert.throws(
    () => teacherTask({ dimension: 4, targets: 'labels' as never }),
    (e) => e instanceof ArgumentError && e.details.field === 'targets',
  );
  assert.throws(
    () => teacherTask({} as never),
    (e) => e instanceof ArgumentError && e.details.field === 'dimension',
  );
  const implicit = teacherTask({
    dimension: 5,
    trainSize: undefined,
    testSize: undefined,
    classes: undefined,
    seed: undefined,
  });
  assert.deepEqual(
    [implicit.trainX.shape, implicit.testX.shape, implicit.trainY.shape],
    [
      [64, 5],
      [128, 5],
      [64, 2],
    ],
  );
  const explicit = teacherTask({
    dimension: 5,
    trainSize: 64,
    testSize: 128,
    teacher: 'linear',
    classes: 2,
    targets: 'one-hot',
    seed: 0,
  });
  assert.deepEqual(Array.from(implicit.testY.toFloat64()), Array.from(explicit.testY.toFloat64()));
  // The network teacher's width is an option now (it was a hidden 32): another width, other labels.
  const wide = teacherTask({ dimension: 5, teacher: 'network', targets: 'regression' });
  const narrow = teacherTask({ dimension: 5, teacher: 'network', targets: 'regression', teacherWidth: 4 });
  assert.deepEqual(
    Array.from(wide.trainY.toFloat64()),
    Array.from(
      teacherTask({ dimension: 5, teacher: 'network', targets: 'regression', teacherWidth: 32 }).trainY.toFloat64(),
    ),
  );
  assert.notDeepEqual(Array.from(wide.trainY.toFloat64()), Array.from(narrow.trainY.toFloat64()));
});

test('hypothesis spaces: unknown keys rejected, undefined keeps the defaults they describe', () => {
  assert.throws(
    () => kernelHypothesisSpace({ kernal: 'rbf' } as never),
    (e) => rejectsUnknownKey(e, 'kernelHypothesisSpace', 'kernal', KERNEL_SPACE_DEFAULTS),
  );
  assert.throws(
    () => networkHypothesisSpace({ width: 32 } as never),
    (e) => rejectsUnknownKey(e, 'networkHypothesisSpace', 'width', NETWORK_SPACE_DEFAULTS),
  );
  assert.throws(
    () => randomFeatureHypothesisSpace({ feature: 64 } as never),
    (e) => rejectsUnknownKey(e, 'randomFeatureHypothesisSpace', 'feature', RANDOM_FEATURE_SPACE_DEFAULTS),
  );
  assert.deepEqual(kernelHypothesisSpace({ kernel: undefined, bandwidth: undefined }).describe(), {
    space: 'kernel',
    kernel: 'rbf',
    bandwidth: 'sqrt-dimension',
    jitter: 1e-10,
    maxCondition: 1e10,
    maxJitter: 1e-2,
  });
  const network = networkHypothesisSpace({ hidden: undefined, steps: undefined }).describe();
  assert.deepEqual(
    [network.hidden, network.activation, network.steps, network.learningRate, network.dtype, network.fitTolerance],
    [[32], 'relu', 300, 0.01, 'float32', 0.01],
  );
  assert.equal(networkHypothesisSpace().name, 'MLP 32 relu');
  assert.deepEqual(randomFeatureHypothesisSpace({ features: undefined }).describe(), {
    space: 'random-features',
    features: 512,
    activation: 'relu',
    readout: 'posterior',
    jitter: 1e-10,
  });
});
