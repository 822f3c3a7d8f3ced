// The convection PINN against independent oracles: the forward-mode tangents u_x, u_t against
// central differences of u in the input; the loss against the exact solution's residual
// (a network is not needed for that: the loss terms are checked on sin(x - beta t) directly
// through the same definitions); the reverse-mode parameter gradient against central
// differences of the loss; and the difference-of-gradients Hessian-vector product against
// second differences of the loss alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  PinnNetwork,
  convectionProblem,
  initialParameters,
  pinnArchitecture,
  pinnTask,
  rng,
  taskHessian,
  topEigenvalues,
} from 'weightlab/internal';
import { relativeError } from './oracle';

const problem = convectionProblem({ beta: 5, collocation: 40, initial: 12, boundary: 8, grid: 12 });

test('forward-mode tangents u_x, u_t equal central differences of u in the input', () => {
  const arch = pinnArchitecture([7, 5]);
  const net = new PinnNetwork(arch, 40);
  const p = initialParameters(arch, 1);
  const m = 20;
  const points = problem.collocation.slice(0, 2 * m);
  const { ux, ut } = net.forward(p, points, m);
  const [tx, tt] = [Float64Array.from(ux), Float64Array.from(ut)];
  const h = 1e-5;
  const u = (dx: number, dt: number) => {
    const shifted = points.map((v, k) => v + (k % 2 === 0 ? dx : dt));
    return Float64Array.from(net.forward(p, shifted, m).u);
  };
  const [xp, xm, tp, tm] = [u(h, 0), u(-h, 0), u(0, h), u(0, -h)];
  for (let i = 0; i < m; i++) {
    // Central differences of a smooth tanh net: error h^2 |u'''| / 6 + eps |u| / h ~ 1e-10.
    assert.ok(Math.abs(tx[i] - (xp[i] - xm[i]) / (2 * h)) < 1e-8, `u_x at point ${i}`);
    assert.ok(Math.abs(tt[i] - (tp[i] - tm[i]) / (2 * h)) < 1e-8, `u_t at point ${i}`);
  }
});

test('PINN loss terms vanish on the exact solution and the residual is u_t + beta u_x', () => {
  // A one-hidden-unit tanh net cannot be sin, so check the loss definition on the exact solution
  // by evaluating the terms the loss sums with the exact u and its derivatives, then check the
  // task's residual term equals mean (u_t + beta u_x)^2 computed from the tangents.
  const exact = (x: number, t: number) => Math.sin(x - problem.beta * t);
  let residual = 0;
  for (let i = 0; i < 40; i++) {
    const [x, t] = [problem.collocation[2 * i], problem.collocation[2 * i + 1]];
    const ut = -problem.beta * Math.cos(x - problem.beta * t);
    const ux = Math.cos(x - problem.beta * t);
    residual += (ut + problem.beta * ux) ** 2;
  }
  assert.ok(residual < 1e-24);
  for (let i = 0; i < 12; i++)
    assert.ok(Math.abs(exact(problem.initial.points[2 * i], 0) - problem.initial.values[i]) < 1e-15);
  for (const t of problem.boundaryTimes) assert.ok(Math.abs(exact(0, t) - exact(2 * Math.PI, t)) < 1e-14);

  const arch = pinnArchitecture([6]);
  const task = pinnTask(arch, problem);
  const p = initialParameters(arch, 3);
  const net = new PinnNetwork(arch, 200);
  const all = task.losses(p);
  const { u, ux, ut } = net.forward(p, problem.collocation, 40);
  let expected = 0;
  for (let i = 0; i < 40; i++) expected += (ut[i] + problem.beta * ux[i]) ** 2;
  assert.ok(Math.abs(all.residual - expected / 40) < 1e-12 * Math.max(1, expected));
  const initial = net.forward(p, problem.initial.points, 12).u;
  let ic = 0;
  for (let i = 0; i < 12; i++) ic += (initial[i] - problem.initial.values[i]) ** 2;
  assert.ok(Math.abs(all.initial - ic / 12) < 1e-12);
  assert.ok(Math.abs(all.loss - (all.residual + all.initial + all.boundary)) < 1e-12);
  assert.ok(u.length === 40);
});

test('PINN parameter gradient (reverse through the tangents) matches central differences of the loss', () => {
  for (const activation of ['tanh', 'relu'] as const) {
    const arch = pinnArchitecture([6, 5], activation);
    const task = pinnTask(arch, problem);
    const noise = rng(2).normal(task.dimension, 0, 0.05);
    const p = initialParameters(arch, 2).map((w, i) => w + noise[i]);
    const batch = Int32Array.from({ length: 25 }, (_, i) => 3 + i);
    const grad = new Float64Array(task.dimension);
    const scratch = new Float64Array(task.dimension);
    task.lossAndGradient(p, grad, batch);
    const numeric = Array.from({ length: task.dimension }, (_, k) => {
      const h = 1e-6;
      const plus = Float64Array.from(p);
      plus[k] += h;
      const minus = Float64Array.from(p);
      minus[k] -= h;
      return (task.lossAndGradient(plus, scratch, batch) - task.lossAndGradient(minus, scratch, batch)) / (2 * h);
    });
    // h = 1e-6 on a loss of order 1-10: rounding ~1e-9 per entry against entries ~1e-2..10.
    // (ReLU's second derivative is 0 a.e., so its tangent streams are exact too; kinks crossed with probability ~h.)
    assert.ok(relativeError(grad, numeric) < 1e-6, `${activation}: ${relativeError(grad, numeric)}`);
  }
});

test('PINN Hessian-vector products agree with second differences of the loss; the power iteration runs on them', () => {
  const arch = pinnArchitecture([6]);
  const task = pinnTask(arch, problem);
  const p = initialParameters(arch, 4);
  const all = Int32Array.from({ length: task.examples }, (_, i) => i);
  const loss = (w: Float64Array) => task.losses(w).loss;
  for (const seed of [1, 2]) {
    const v = rng(seed).normal(task.dimension);
    const hv = new Float64Array(task.dimension);
    task.hessianVectorProduct(p, v, hv, all);
    const quadratic = hv.reduce((s, x, i) => s + x * v[i], 0);
    // v^T H v from the loss alone: (L(p + hv) - 2 L(p) + L(p - hv)) / h^2, h = 1e-4: truncation
    // h^2 |L''''| / 12 and rounding 4 eps L / h^2 ~ 1e-7 relative to |v^T H v| ~ 10..1000.
    const h = 1e-4;
    const shifted = (sign: number) => p.map((w, i) => w + sign * h * v[i]);
    const second = (loss(shifted(1)) - 2 * loss(p) + loss(shifted(-1))) / (h * h);
    assert.ok(Math.abs(quadratic - second) < 1e-5 * Math.abs(second), `${quadratic} vs ${second}`);
  }
  const top = topEigenvalues(taskHessian(task, p, all), { seed: 0 });
  assert.ok(top.converged[0] && Number.isFinite(top.values[0]));
});
