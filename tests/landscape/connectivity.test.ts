// Mode connectivity: the sign conventions against the golden values of the reference notes
// (§9), the bend gradient of the Bezier curve against finite differences, and the trained
// curve against the straight line it starts from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MlpWorkspace,
  bezierPath,
  bezierPoint,
  digits,
  fitBezierCurve,
  initialParameters,
  linearPath,
  lossAndGradient,
  lossBarrier,
  modeConnectivity,
  mlp,
  parameterCount,
  rng,
  trainMlp,
  curveLearningRate,
  l2Distance,
} from 'weightlab/internal';

test('mc follows Yang/PTMZ signs; the barrier follows Git Re-Basin', () => {
  assert.ok(Math.abs(modeConnectivity([0.1, 0.5, 0.1]) - -0.4) < 1e-15); // barrier
  assert.ok(Math.abs(modeConnectivity([1.0, 0.5, 1.0]) - 0.5) < 1e-15); // middle better
  assert.equal(modeConnectivity([0.2, 0.2, 0.2, 0.2, 0.2]), 0);
  assert.ok(Math.abs(modeConnectivity([90, 60, 90], { mode: 'max' }) - -30) < 1e-12); // accuracy drop = barrier
  assert.ok(Math.abs(lossBarrier([0.1, 0.5, 0.3]) - 0.3) < 1e-15);
  assert.equal(curveLearningRate(0.1, 0, 10), 0.1);
  assert.ok(Math.abs(curveLearningRate(0.1, 7, 10) - 0.1 * (1 - 0.5 * 0.99)) < 1e-15);
  assert.ok(Math.abs(curveLearningRate(0.1, 9.5, 10) - 0.001) < 1e-15);
  assert.equal(l2Distance(new Float64Array([0, 3]), new Float64Array([4, 0])), 5);
});

test('the bend gradient 2t(1-t) grad L(theta(t)) matches finite differences', () => {
  const { train } = digits();
  const arch = mlp(64, [6], 10, 'tanh');
  const P = parameterCount(arch);
  const a = initialParameters(arch, 1);
  const b = initialParameters(arch, 2);
  const bend = rng(3).normal(P, 0, 0.1);
  const n = 20;
  const x = train.x.slice(0, n * 64);
  const y = train.y.slice(0, n);
  const ws = new MlpWorkspace(arch, n);
  const t = 0.3;
  const grad = new Float64Array(P);
  const scratch = new Float64Array(P);
  lossAndGradient(ws, bezierPoint(a, bend, b, t), x, y, n, grad);
  const loss = (bendValues: Float64Array) =>
    lossAndGradient(ws, bezierPoint(a, bendValues, b, t), x, y, n, scratch).loss;
  for (const k of [0, 17, P - 1]) {
    const h = 1e-6;
    const plus = Float64Array.from(bend);
    plus[k] += h;
    const minus = Float64Array.from(bend);
    minus[k] -= h;
    const numeric = (loss(plus) - loss(minus)) / (2 * h);
    assert.ok(Math.abs(2 * t * (1 - t) * grad[k] - numeric) < 1e-7, `coordinate ${k}`);
  }
});

test('a trained Bezier curve keeps its ends and lowers the loss midway below the straight line', () => {
  const { train, test: held } = digits();
  const arch = mlp(64, [16], 10);
  const job = (seed: number) =>
    trainMlp(
      { architecture: arch, seed, batchSize: 32, learningRate: 0.05, momentum: 0.9, weightDecay: 5e-4, epochs: 3 },
      train,
      held,
    ).params;
  const a = job(0);
  const b = job(1);
  const bend = fitBezierCurve(arch, a, b, train, { epochs: 3, learningRate: 0.05, seed: 0 });
  const again = fitBezierCurve(arch, a, b, train, { epochs: 3, learningRate: 0.05, seed: 0 });
  assert.deepEqual(Array.from(again), Array.from(bend)); // same seed, same bytes
  const curve = bezierPath(arch, a, bend, b, train, held, 5);
  const line = linearPath(arch, a, b, train, held, 5);
  assert.equal(curve[0].train_loss, line[0].train_loss);
  assert.equal(curve[4].train_loss, line[4].train_loss);
  assert.ok(curve[2].train_loss < line[2].train_loss, `curve ${curve[2].train_loss} vs line ${line[2].train_loss}`);
  assert.ok(modeConnectivity(curve.map((p) => p.train_loss)) > modeConnectivity(line.map((p) => p.train_loss)));
});
