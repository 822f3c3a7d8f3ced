// The bundled digits and the seeded synthetic tasks: shapes, fixed splits, same seed same
// bytes, and each task's defining property checked directly (parity of the bits, a + b mod p,
// the convection solution solving u_t + beta u_x = 0).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  convectionProblem,
  digits,
  digitsDataset,
  gaussianBlobs,
  modularAddition,
  parity,
  spirals,
  subsample,
  teacherStudent,
  twoMoons,
  withLabelNoise,
} from 'weightlab/internal';

test('digits: 1,797 x 64 in [0, 1], 10 classes, fixed stratified split', () => {
  const all = digitsDataset();
  assert.equal(all.size, 1797);
  assert.equal(all.features, 64);
  assert.ok(all.x.every((v) => v >= 0 && v <= 1));
  const counts = new Array(10).fill(0);
  all.y.forEach((c) => counts[c]++);
  assert.deepEqual(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]); // the UCI test-set class counts
  const a = digits();
  const b = digits();
  assert.equal(a.train.size + a.test.size, 1797);
  assert.deepEqual(Array.from(a.test.y), Array.from(b.test.y));
  assert.notDeepEqual(Array.from(digits({ seed: 1 }).test.x.slice(0, 64)), Array.from(a.test.x.slice(0, 64)));
});

test('synthetic tasks are pure functions of their seed', () => {
  for (const make of [teacherStudent, gaussianBlobs, twoMoons, spirals] as ((o: { seed: number; size: number }) => {
    train: { x: Float64Array; y: Int32Array };
  })[]) {
    const one = make({ seed: 4, size: 200 });
    const two = make({ seed: 4, size: 200 });
    assert.deepEqual(Buffer.from(one.train.x.buffer), Buffer.from(two.train.x.buffer));
    assert.notDeepEqual(Buffer.from(make({ seed: 5, size: 200 }).train.x.buffer), Buffer.from(one.train.x.buffer));
  }
});

test('parity, modular addition, label noise and subsets do what they say', () => {
  const p = parity({ bits: 3, features: 5 });
  assert.equal(p.train.size + p.test.size, 32);
  for (const part of [p.train, p.test]) {
    for (let i = 0; i < part.size; i++) {
      const ones = [0, 1, 2].filter((k) => part.x[i * 5 + k] === 1).length;
      assert.equal(part.y[i], ones % 2);
    }
  }
  const m = modularAddition({ modulus: 7 });
  assert.equal(m.train.size + m.test.size, 49);
  for (let i = 0; i < m.train.size; i++) {
    const row = m.train.x.subarray(i * 14, (i + 1) * 14);
    assert.equal(m.train.y[i], (row.indexOf(1) + row.subarray(7).indexOf(1)) % 7);
  }
  const { train } = digits();
  const noisy = withLabelNoise(train, 0.2, 0);
  const changed = noisy.y.filter((c, i) => c !== train.y[i]).length;
  assert.equal(changed, Math.round(0.2 * train.size)); // noisy rows never keep their label
  assert.equal(subsample(train, 0.25, 0).size, Math.round(0.25 * train.size));
});

test('the convection solution sin(x - beta t) solves u_t + beta u_x = 0', () => {
  const problem = convectionProblem({ beta: 30, collocation: 50 });
  const h = 1e-5;
  for (let i = 0; i < 50; i++) {
    const x = problem.collocation[2 * i];
    const t = problem.collocation[2 * i + 1];
    const ut = (problem.exact(x, t + h) - problem.exact(x, t - h)) / (2 * h);
    const ux = (problem.exact(x + h, t) - problem.exact(x - h, t)) / (2 * h);
    // Central differences: error ~ h^2 beta^3 / 6 ~ 5e-7 for beta = 30.
    assert.ok(Math.abs(ut + problem.beta * ux) < 1e-5);
  }
  assert.ok(Math.abs(problem.initial.values[5] - Math.sin(problem.initial.points[10])) < 1e-15);
});
