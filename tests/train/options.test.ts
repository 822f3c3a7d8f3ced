// Options of the train verbs: cnn's documented defaults, a training job with a misspelt or
// missing field is an ArgumentError naming it, and the engine of a job follows the one engine rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArgumentError,
  CNN_DEFAULTS,
  TRAINING_JOB_DEFAULTS,
  chooseEngine,
  cnn,
  digits,
  mlp,
  trainNetwork,
  type TrainingJob,
} from 'weightlab/internal';

test('cnn: unknown keys rejected; undefined keeps kernel 3, strides 1, 2, 2, ... and relu', () => {
  assert.throws(
    () => cnn([1, 8, 8], [2, 3], 10, { kernels: 3 } as never),
    (e) =>
      e instanceof ArgumentError &&
      /cnn has no option 'kernels'/.test(e.message) &&
      /kernel, activation/.test(String(e.details.expected)),
  );
  assert.throws(
    () => cnn([1, 8, 8], [2], 10, { activation: 'gelu' as never }),
    (e) => e instanceof ArgumentError && e.details.field === 'activation',
  );
  const implicit = cnn([1, 8, 8], [2, 3, 4], 10, { kernel: undefined, strides: undefined, activation: undefined });
  assert.deepEqual([implicit.kernel, implicit.strides, implicit.activation], [CNN_DEFAULTS.kernel, [1, 2, 2], 'relu']);
});

test('trainNetwork: a misspelt, missing or non-numeric job field is an ArgumentError naming it', () => {
  const { train, test: held } = digits();
  const job: TrainingJob = {
    architecture: mlp(64, [4], 10),
    seed: 0,
    batchSize: 64,
    learningRate: 0.05,
    momentum: 0.9,
    weightDecay: 0,
    epochs: 1,
  };
  assert.throws(
    () => trainNetwork({ ...job, learningrate: 0.1 } as never, train, held),
    (e) =>
      e instanceof ArgumentError &&
      /no option 'learningrate' \(did you mean 'learningRate'\?\)/.test(e.message) &&
      Object.keys(TRAINING_JOB_DEFAULTS).every((key) => String(e.details.expected).includes(key)),
  );
  const { momentum: _dropped, ...noMomentum } = job;
  assert.throws(
    () => trainNetwork(noMomentum as never, train, held),
    (e) => e instanceof ArgumentError && e.details.field === 'momentum',
  );
  assert.throws(
    () => trainNetwork({ ...job, weightDecay: Number.NaN }, train, held),
    (e) => e instanceof ArgumentError && e.details.field === 'weightDecay',
  );
  // optimizer: undefined is the documented 'sgd' (the same bytes as asking for it).
  const implicit = trainNetwork({ ...job, optimizer: undefined }, train, held).params;
  const explicit = trainNetwork({ ...job, optimizer: TRAINING_JOB_DEFAULTS.optimizer }, train, held).params;
  assert.deepEqual(Array.from(implicit), Array.from(explicit));
});

test('chooseEngine: explicit engines win or fail with the reason; auto takes js (measured faster here)', () => {
  const job: TrainingJob = {
    architecture: mlp(64, [4], 10),
    seed: 0,
    batchSize: 32,
    learningRate: 0.05,
    momentum: 0.9,
    weightDecay: 0,
    epochs: 1,
  };
  const cnnJob: TrainingJob = { ...job, architecture: cnn([1, 8, 8], [2], 10) };
  assert.equal(chooseEngine(job), 'js');
  assert.equal(chooseEngine(job, 'auto'), 'js');
  assert.equal(chooseEngine(job, 'jax'), 'jax');
  assert.equal(chooseEngine(cnnJob, 'js'), 'js');
  assert.throws(
    () => chooseEngine(cnnJob, 'jax'),
    (e) => e instanceof ArgumentError && /trains MLP classifiers only/.test(e.message),
  );
  assert.throws(
    () => chooseEngine({ ...job, optimizer: 'adam' }, 'jax'),
    (e) => e instanceof ArgumentError && /SGD with momentum only/.test(e.message),
  );
  assert.throws(
    () => chooseEngine(job, 'onnx' as never),
    (e) => e instanceof ArgumentError && /no engine 'onnx'/.test(e.message),
  );
});
