// The jax-js training engine of the zoo builder (lib/src/train/jax-engine.ts) against the JS
// engine as the oracle: the jitted group step's gradient against the hand-written float64
// backprop (lossAndGradient) on the same parameters and batch, a few epochs of training against
// trainNetwork (same init, batch order and SGD-with-momentum update), the independence and
// determinism of groups, and buildZoo / the CLI with `engine`.
//
// Tolerances: the wasm device computes float64 sums and matmuls exactly but exp and tanh only
// to float32 grade (relative error up to ~4e-7, lib/src/backend/jax.ts). The gradient is linear
// in the softmax probabilities and the activations, so its relative error is of that order at
// most; measured 1e-8 (ReLU) to 4e-8 (tanh). 1e-6 leaves margin; the jit(grad) miscompilation
// this guards against gives errors of order 1. Training: the per-step differences of ~1e-9
// accumulate over 2 epochs x 45 steps to 8e-9 (measured after 3 epochs: at most 1.6e-8 on
// weights of size ~2); 1e-6 absolute on the parameters and 1e-6 relative on the losses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  ArgumentError,
  buildZoo,
  digits,
  initialParameters,
  JaxMlpGroup,
  lossAndGradient,
  mlp,
  MlpWorkspace,
  openZoo,
  trainingGroups,
  trainNetwork,
  trainNetworksJax,
  expandGrid,
  type TrainingJob,
  type ZooSpec,
} from 'weightlab/internal';
import { cliEntry, temporaryFolder } from '../../support/paths';
import { spawnSync } from 'node:child_process';

const split = digits();

function relativeError(a: Float64Array, b: Float64Array): number {
  let diff = 0;
  let norm = 0;
  for (let k = 0; k < a.length; k++) {
    diff += (a[k] - b[k]) ** 2;
    norm += b[k] ** 2;
  }
  return Math.sqrt(diff / norm);
}

test('the jitted group step moves each model by the JS engine gradient (ReLU and tanh, two hidden layers)', async () => {
  for (const activation of ['relu', 'tanh'] as const) {
    const arch = mlp(64, [16, 8], 10, activation);
    const models = 3;
    const n = 32;
    const initial = Array.from({ length: models }, (_, m) => initialParameters(arch, 10 + m));
    // lr 1, no momentum, no weight decay: one step is p - g, so p - p' is the step's gradient.
    const group = await JaxMlpGroup.create(
      arch,
      initial,
      initial.map(() => ({ learningRate: 1, momentum: 0, weightDecay: 0 })),
    );
    const x = new Float64Array(models * n * 64);
    const labels = new Int32Array(models * n);
    for (let m = 0; m < models; m++) {
      for (let r = 0; r < n; r++) {
        const i = (m * 101 + r * 7) % split.train.size; // each model its own rows
        x.set(split.train.x.subarray(i * 64, (i + 1) * 64), (m * n + r) * 64);
        labels[m * n + r] = split.train.y[i];
      }
    }
    group.step(x, labels, n);
    const after = await group.parameters();
    group.dispose();
    for (let m = 0; m < models; m++) {
      const expected = new Float64Array(initial[m].length);
      lossAndGradient(
        new MlpWorkspace(arch, n),
        initial[m],
        x.subarray(m * n * 64, (m + 1) * n * 64),
        labels.subarray(m * n, (m + 1) * n),
        n,
        expected,
      );
      const stepped = initial[m].map((p, k) => p - after[m][k]);
      const error = relativeError(stepped, expected);
      assert.ok(error < 1e-6, `${activation} model ${m}: relative gradient error ${error}`);
    }
  }
});

test('engine jax tracks engine js over epochs; groups are deterministic and do not mix models', async () => {
  const arch = mlp(64, [16], 10);
  const jobs: TrainingJob[] = [0, 1, 2].map((seed) => ({
    architecture: arch,
    seed,
    batchSize: 32,
    learningRate: [0.05, 0.02, 0.1][seed],
    momentum: 0.9,
    weightDecay: 5e-4,
    epochs: 2,
  }));
  const js = jobs.map((job) => trainNetwork(job, split.train, split.test));
  const jax = await trainNetworksJax(
    jobs,
    jobs.map(() => split),
  );
  for (let m = 0; m < jobs.length; m++) {
    let worst = 0;
    js[m].params.forEach((p, k) => {
      worst = Math.max(worst, Math.abs(p - jax[m].params[k]));
    });
    assert.ok(worst < 1e-6, `model ${m}: parameters differ by ${worst}`);
    assert.equal(jax[m].records.length, 3);
    js[m].records.forEach((record, epoch) => {
      const other = jax[m].records[epoch];
      assert.equal(other.epoch, epoch);
      for (const key of ['train_loss', 'test_loss'] as const)
        assert.ok(
          Math.abs(other[key] - record[key]) <= 1e-6 * record[key],
          `model ${m} epoch ${epoch} ${key}: ${other[key]} vs ${record[key]}`,
        );
    });
    assert.deepEqual(jax[m].records[0], js[m].records[0]); // epoch 0: same init, same float64 evaluation
  }
  // A model's numbers do not depend on its group, and a rerun gives the same bytes.
  const alone = await trainNetworksJax([jobs[1]], [split]);
  assert.deepEqual(Buffer.from(alone[0].params.buffer), Buffer.from(jax[1].params.buffer));
  const again = await trainNetworksJax(
    jobs,
    jobs.map(() => split),
  );
  again.forEach((r, m) => assert.deepEqual(Buffer.from(r.params.buffer), Buffer.from(jax[m].params.buffer)));
});

test('a jax group refuses mixed shapes, Adam and missing data with ArgumentErrors that say why', async () => {
  const job: TrainingJob = {
    architecture: mlp(64, [8], 10),
    seed: 0,
    batchSize: 32,
    learningRate: 0.05,
    momentum: 0.9,
    weightDecay: 0,
    epochs: 1,
  };
  await assert.rejects(
    trainNetworksJax([job, { ...job, batchSize: 16 }], [split, split]),
    (e: unknown) => e instanceof ArgumentError && /batch size/.test(e.message),
  );
  await assert.rejects(
    trainNetworksJax([{ ...job, optimizer: 'adam' }], [split]),
    (e: unknown) => e instanceof ArgumentError && /SGD with momentum only/.test(e.message),
  );
  await assert.rejects(trainNetworksJax([job], []), ArgumentError);
});

test('buildZoo engine jax: groups, records the engine, matches a JS build, refuses CNNs and a change of engine on resume', async () => {
  const spec: ZooSpec = {
    name: 'jax-grid',
    dataset: 'digits',
    axes: { width: [8], learning_rate: [0.02, 0.05] },
    seeds: [0, 1],
    defaults: { batch_size: 64 },
    epochs: 2,
    checkpointEvery: 1,
  };
  const jobs = expandGrid(spec, 64, 10);
  assert.deepEqual(
    trainingGroups(jobs, 'jax', 3).map((g) => g.ids.length),
    [3, 1],
  ); // one shape, capped at 3 per group
  assert.deepEqual(trainingGroups(jobs, 'auto', 24), [{ engine: 'lockstep', ids: jobs.map((job) => job.id) }]); // chooseEngine: JS measured faster, so the JS lockstep kernels
  const a = temporaryFolder('zoo-jax');
  const b = temporaryFolder('zoo-js');
  const built = await buildZoo(spec, { out: a, engine: 'jax', workers: 1, progress: false });
  assert.deepEqual(built.failed, []);
  assert.equal(built.trained.length, 4);
  const reference = await buildZoo(spec, { out: b, workers: 0, progress: false });
  const manifest = JSON.parse(fs.readFileSync(path.join(a, 'zoo.json'), 'utf8'));
  assert.equal(manifest['weightlab.builder'].engine, 'jax');
  const zoo = openZoo(a);
  for (const model of zoo.models) {
    assert.equal(model.params['training::engine'], 'jax');
    const twin = reference.zoo.models.find((m) => m.id === model.id)!;
    assert.equal(twin.params['training::engine'], 'js');
    assert.deepEqual(
      model.checkpoints.map((c) => c.epoch),
      [0, 1, 2],
    );
    const mine = model.checkpoints[2].load().flatten();
    const theirs = twin.checkpoints[2].load().flatten();
    // float32 checkpoints: the ~1e-8 engine difference is below their rounding except for a few last-bit flips
    let worst = 0;
    mine.forEach((v, k) => {
      worst = Math.max(worst, Math.abs(v - theirs[k]));
    });
    assert.ok(worst < 1e-6, `${model.id}: checkpoints differ by ${worst}`);
  }
  await assert.rejects(
    buildZoo(spec, { out: a, engine: 'js', progress: false }),
    (e: unknown) => e instanceof ArgumentError && /engine 'jax'/.test(e.message),
  );
  const resumed = await buildZoo(spec, { out: a, engine: 'jax', progress: false });
  assert.equal(resumed.skipped.length, 4);
  const cnnSpec: ZooSpec = { ...spec, architecture: 'cnn', axes: { width: [2] }, seeds: [0] };
  await assert.rejects(
    buildZoo(cnnSpec, { out: temporaryFolder('zoo-jax-cnn'), engine: 'jax', progress: false }),
    (e: unknown) => e instanceof ArgumentError && /MLP classifiers only/.test(e.message),
  );
});

test('weightlab zoo build --engine: a bad engine is a usage error, jax on the CNN preset fails with the reason', () => {
  const out = temporaryFolder('zoo-cli-jax');
  const bad = spawnSync(
    process.execPath,
    [cliEntry, 'zoo', 'build', '--preset', 'digits-mlp-grid', '--small', '--out', out, '--engine', 'torch'],
    { encoding: 'utf8' },
  );
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--engine must be js, jax or auto/);
  const cnn = spawnSync(
    process.execPath,
    [
      cliEntry,
      'zoo',
      'build',
      '--preset',
      'digits-cnn-grid',
      '--small',
      '--out',
      temporaryFolder('zoo-cli-jax-cnn'),
      '--engine',
      'jax',
    ],
    { encoding: 'utf8' },
  );
  assert.equal(cnn.status, 1);
  assert.match(cnn.stderr, /MLP classifiers only/);
});
