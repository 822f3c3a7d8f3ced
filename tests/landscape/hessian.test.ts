// Hessian-vector products and the spectral estimators built on them, each against an
// independent oracle: finite differences of the analytic gradient, jax-js (a separate autodiff
// engine, eager float64 forward-over-reverse on its exact 'cpu' device), and the dense
// Hessian's eigenvalues by Jacobi rotations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MlpWorkspace,
  hessianVectorProductMlp,
  hessianVectorProduct,
  layerSlots,
  topEigenvalues,
  hutchinsonTrace,
  lanczosDensity,
  densityCurve,
  tridiagonalEigen,
  mlpHessian,
  rng,
  jax,
  type JaxArray,
  type MlpArchitecture,
} from 'weightlab/internal';
import { denseOperator, finiteDifferenceHessian, jacobiEigenvalues, relativeError, tinyProblem } from './oracle';

const relative = relativeError;

test('R-operator HVP matches central finite differences of the gradient (tanh and relu)', () => {
  for (const activation of ['tanh', 'relu'] as const) {
    const { arch: base, params, x, y, n, P } = tinyProblem([6, 4]);
    const arch = { ...base, activation };
    const ws = new MlpWorkspace(arch, n);
    const H = finiteDifferenceHessian(arch, params, x, y, n);
    const v = rng(7).normal(P);
    const hv = new Float64Array(P);
    hessianVectorProductMlp(ws, params, x, y, n, v, hv);
    const dense = denseOperator(H, P).apply(v);
    // Central differences with h = 1e-5: truncation O(h^2 |g'''|) ~ 1e-10 and rounding
    // O(eps |g| / h) ~ 1e-11 per entry; summed over P ~ 450 entries a relative 1e-6 is ample.
    // ReLU kinks are crossed with probability ~ h per unit, negligible at these 24 rows.
    assert.ok(relative(hv, dense) < 1e-6, `${activation}: relative error ${relative(hv, dense)}`);
  }
});

test('R-operator HVP matches jax-js eager float64 forward-over-reverse (backend hessianVectorProduct)', async () => {
  const { arch, params, x, y, n, P } = tinyProblem([5]);
  const module = await jax();
  const np = module.numpy;
  const slots = layerSlots(arch);
  const xs = Float64Array.from(x);
  const onehot = new Float64Array(n * 10);
  for (let i = 0; i < n; i++) onehot[i * 10 + y[i]] = 1;
  // The MLP loss written independently in jax-js: slices of the flat vector, matmuls, log-softmax.
  const loss = (w: JaxArray): JaxArray => {
    let h: JaxArray = np.array(xs, { shape: [n, 64], dtype: 'float64' as never, device: 'cpu' });
    slots.forEach((slot, l) => {
      const W = w.ref
        .slice([slot.weight, slot.weight + slot.inputs * slot.outputs])
        .reshape([slot.outputs, slot.inputs]);
      const b = w.ref.slice([slot.bias, slot.bias + slot.outputs]);
      const z = np.matmul(h, W.transpose()).add(b);
      h = l + 1 < slots.length ? np.tanh(z) : z;
    });
    w.dispose();
    const max = module.lax.stopGradient(h.ref.max(-1, { keepdims: true }));
    const shifted = h.sub(max);
    const lse = np.log(np.exp(shifted.ref).sum(-1));
    const picked = shifted.mul(np.array(onehot, { shape: [n, 10], dtype: 'float64' as never, device: 'cpu' })).sum(-1);
    return lse.sub(picked).mean();
  };
  const v = rng(11).normal(P);
  const oracle = await hessianVectorProduct(loss, params, v, { device: 'cpu' });
  const ws = new MlpWorkspace(arch, n);
  const hv = new Float64Array(P);
  hessianVectorProductMlp(ws, params, x, y, n, v, hv);
  // Two exact float64 computations in different summation orders: agreement to ~1e-12 relative.
  assert.ok(relative(hv, oracle.toFloat64()) < 1e-10, `relative error ${relative(hv, oracle.toFloat64())}`);
});

test('top eigenvalue, trace and SLQ agree with the dense Hessian of a tiny net', () => {
  const { arch, params, x, y, n, P } = tinyProblem([4]);
  const H = finiteDifferenceHessian(arch, params, x, y, n);
  const eigen = jacobiEigenvalues(H, P);
  const largest = Math.abs(eigen[0]) > Math.abs(eigen[P - 1]) ? eigen[0] : eigen[P - 1];
  const exactTrace = eigen.reduce((a, b) => a + b, 0);
  const op = mlpHessian(arch as MlpArchitecture, params, { name: 't', x, y, size: n, features: 64, classes: 10 });
  // PyHessian defaults (maxIter 100, tol 1e-3): the Rayleigh quotient's relative change below
  // 1e-3 leaves it within ~1e-2 of the eigenvalue for a reasonable gap; tight settings get 1e-6.
  const fast = topEigenvalues(op, { seed: 0 });
  assert.ok(Math.abs(fast.values[0] - largest) / Math.abs(largest) < 2e-2, `default: ${fast.values[0]} vs ${largest}`);
  const tight = topEigenvalues(op, { seed: 0, maxIter: 3000, tol: 1e-12 });
  assert.ok(Math.abs(tight.values[0] - largest) / Math.abs(largest) < 1e-6, `tight: ${tight.values[0]} vs ${largest}`);
  // Hutchinson with 100 probes and no early stop: the estimate's error is a few standard errors.
  const trace = hutchinsonTrace(op, { tol: 0, seed: 1 });
  assert.equal(trace.samples.length, 100);
  assert.ok(
    Math.abs(trace.trace - exactTrace) < 4 * trace.standardError,
    `trace ${trace.trace} ± ${trace.standardError} vs ${exactTrace}`,
  );
  // SLQ with as many Lanczos steps as parameters: the quadrature is exact for polynomials of
  // degree < 2m, so sum w λ and sum w λ^2 equal q^T H q and |H q|^2 for the unit probe q, and the
  // extreme nodes are the extreme eigenvalues.
  const density = lanczosDensity(op, { iterations: P, seed: 2 });
  const nodes = density.nodes[0];
  const weights = density.weights[0];
  assert.ok(Math.abs(weights.reduce((a, b) => a + b, 0) - 1) < 1e-10);
  assert.ok(Math.abs(nodes[nodes.length - 1] - eigen[P - 1]) < 1e-6 * Math.abs(eigen[P - 1]));
  assert.ok(Math.abs(nodes[0] - eigen[0]) < 1e-6 * Math.abs(eigen[P - 1]));
  const q = rng(2)
    .fold('lanczos')
    .fold(0)
    .rademacher(P)
    .map((s) => s / Math.sqrt(P));
  const Hq = denseOperator(H, P).apply(q);
  const first = q.reduce((s, qi, i) => s + qi * Hq[i], 0);
  const second = Hq.reduce((s, v) => s + v * v, 0);
  assert.ok(Math.abs(nodes.reduce((s, l, i) => s + weights[i] * l, 0) - first) < 1e-6 * Math.abs(eigen[P - 1]));
  assert.ok(Math.abs(nodes.reduce((s, l, i) => s + weights[i] * l * l, 0) - second) < 1e-6 * eigen[P - 1] ** 2);
  const curve = densityCurve(density, { bins: 2000 });
  let area = 0;
  for (let b = 0; b < curve.density.length; b++) area += curve.density[b];
  area *= (curve.grid[curve.grid.length - 1] - curve.grid[0]) / (curve.grid.length - 1);
  assert.ok(Math.abs(area - 1) < 1e-9);
});

test('power iteration has magnitude-largest semantics and deflates', () => {
  const n = 6;
  const diag = [-5, 3, 1, 0.5, -0.25, 0.1];
  // A rotated diagonal matrix Q D Q^T with Q from a seeded Gram-Schmidt, so eigenvectors are not axes.
  const basis: Float64Array[] = [];
  const random = rng(5);
  for (let k = 0; k < n; k++) {
    const v = random.normal(n);
    for (const b of basis) {
      const c = v.reduce((s, vi, i) => s + vi * b[i], 0);
      for (let i = 0; i < n; i++) v[i] -= c * b[i];
    }
    const norm = Math.hypot(...v);
    basis.push(v.map((vi) => vi / norm));
  }
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) A[i * n + j] = basis.reduce((s, b, k) => s + diag[k] * b[i] * b[j], 0);
  const found = topEigenvalues(denseOperator(A, n), { count: 3, maxIter: 2000, tol: 1e-12, seed: 1 });
  assert.deepEqual(
    found.values.map((v) => Number(v.toFixed(6))),
    [-5, 3, 1],
  );
  // Hutchinson on a diagonal matrix is exact with Rademacher probes (v_i^2 = 1), and its
  // convergence test uses |trace|, so a negative trace stops after the second probe.
  const D = new Float64Array(n * n);
  diag.forEach((d, i) => {
    D[i * n + i] = d - 1;
  });
  const t = hutchinsonTrace(denseOperator(D, n), { seed: 3 });
  assert.ok(Math.abs(t.trace - (diag.reduce((a, b) => a + b, 0) - n)) < 1e-12);
  assert.equal(t.samples.length, 2);
  assert.equal(t.converged, true);
});

test('tridiagonal QL agrees with Jacobi on a random symmetric tridiagonal matrix', () => {
  const n = 30;
  const random = rng(9);
  const d = random.normal(n);
  const e = random.normal(n - 1);
  const T = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    T[i * n + i] = d[i];
    if (i + 1 < n) {
      T[i * n + i + 1] = e[i];
      T[(i + 1) * n + i] = e[i];
    }
  }
  const { values, firstComponents } = tridiagonalEigen(d, e);
  const oracle = jacobiEigenvalues(T, n);
  values.forEach((v, i) => assert.ok(Math.abs(v - oracle[i]) < 1e-12 * 10, `${v} vs ${oracle[i]}`));
  assert.ok(Math.abs(firstComponents.reduce((s, c) => s + c * c, 0) - 1) < 1e-12);
});
