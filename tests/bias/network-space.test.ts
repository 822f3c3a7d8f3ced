// Trained-network and random-feature hypothesis spaces: nets fit their training set, results are
// reproducible bit for bit and independent of how nets are batched; the display carries the
// weightlab MIME type, Vega-Lite v5 and an SVG.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  networkHypothesisSpace,
  randomFeatureHypothesisSpace,
  taskData,
  teacherTask,
  WarningLog,
  rng,
  inductiveBias,
  mimeBundle,
  compareInductiveBias,
  kernelHypothesisSpace,
} from 'weightlab/internal';

const task = teacherTask({ dimension: 4, trainSize: 24, testSize: 32, seed: 2 });
const data = taskData(task);

test('batched networks fit the training set; same seed same bytes; batching does not matter', async () => {
  const space = (batchModels: number) => networkHypothesisSpace({ hidden: [16], steps: 400, batchModels });
  const context = () => ({ rng: rng(4), warnings: new WarningLog(false) });
  const whole = await space(24).sample(data, 24, context());
  assert.equal(whole.errors.length, 24);
  // Fits: mean training MSE below 1 % of the one-hot targets' variance (0.25), every net below 4 %.
  const training = Array.from(whole.trainingErrors!);
  assert.ok(training.reduce((s, e) => s + e, 0) / training.length < 0.0025);
  for (const e of training) assert.ok(e < 0.01, `training MSE ${e}`);
  const again = await space(24).sample(data, 24, context());
  assert.deepEqual(Buffer.from(again.errors.buffer), Buffer.from(whole.errors.buffer));
  const batched = await space(7).sample(data, 24, context());
  // Nets never interact, but the batched float32 matmul may order its sums differently per batch
  // shape: allow float32 rounding drift amplified by 400 steps (1e-4 of the error).
  for (let i = 0; i < 24; i++)
    assert.ok(Math.abs(batched.errors[i] - whole.errors[i]) <= 1e-4 * whole.errors[i], `net ${i}`);
});

test('random-feature posterior samples need p >= n and are reproducible', async () => {
  await assert.rejects(
    randomFeatureHypothesisSpace({ features: 10 }).sample(data, 4, { rng: rng(0), warnings: new WarningLog(false) }),
    /10 random features cannot interpolate 24/,
  );
  const space = randomFeatureHypothesisSpace({ features: 64 });
  const a = await space.sample(data, 8, { rng: rng(0), warnings: new WarningLog(false) });
  const b = await space.sample(data, 8, { rng: rng(0), warnings: new WarningLog(false) });
  assert.deepEqual(Array.from(a.errors), Array.from(b.errors));
  assert.ok(a.errors.every((e) => Number.isFinite(e) && e > 0));
});

test('results display as weightlab JSON, Vega-Lite v5, SVG and text; comparisons too', async () => {
  const result = await inductiveBias(task, kernelHypothesisSpace(), {
    eps: 0.2,
    samples: 300,
    progress: false,
    warn: false,
  });
  const bundle = await result[mimeBundle]();
  const payload = bundle.data['application/vnd.weightlab.inductive-bias.v1+json'] as Record<string, unknown>;
  assert.equal(payload.bits, result.bits);
  assert.equal((payload.errors as number[]).length, 300);
  assert.match(
    String((bundle.data['application/vnd.vegalite.v5+json'] as Record<string, unknown>).$schema),
    /vega-lite\/v5/,
  );
  assert.match(String(bundle.data['image/svg+xml']), /^<svg/);
  assert.match(String(bundle.data['text/plain']), /bits/);
  const comparison = await compareInductiveBias(
    task,
    [kernelHypothesisSpace(), kernelHypothesisSpace({ kernel: 'laplace' })],
    { eps: 0.2, samples: 200, progress: false, warn: false },
  );
  assert.equal(comparison.results.length, 2);
  const table = await comparison[mimeBundle]();
  assert.ok('application/vnd.weightlab.inductive-bias-comparison.v1+json' in table.data);
  assert.ok(comparison.at(0.15).results[0].bits > comparison.results[0].bits);
});
