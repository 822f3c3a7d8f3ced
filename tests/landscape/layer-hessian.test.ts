// Per-layer Hessian spectra (hessianByLayer) against independent oracles: the dense Hessian of a
// small tanh MLP by torch's double backpropagation in float64 (eigvalsh of each diagonal block,
// its trace, and the variance of a Rademacher probe, which bounds Hutchinson's error), and the
// closed form of a quadratic (least squares: the block of a layer is A_l^T A_l / n, its
// eigenvalues by Jacobi rotations). The small CNN's blocks (conv layers and classifier) against
// central differences of its gradient. Every check runs for several seeds of the estimators.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArgumentError,
  HESSIAN_BY_LAYER_DEFAULTS,
  InterruptedError,
  LayerHessian,
  blockOperator,
  buildNetwork,
  cnn,
  digits,
  gaussianBlobs,
  hessianByLayer,
  initialParameters,
  mlp,
  networkSlots,
  parameterCount,
  rng,
  supervisedTask,
  toWeightSet,
  type LayerHessianRow,
  type TrainingTask,
} from 'weightlab/internal';
import { torchHessianBlocks } from './torch-hessian';
import { finiteDifferenceHessianOf, jacobiEigenvalues } from './oracle';
import { rejectsUnknownKey } from '../support/options';
import { temporaryFolder } from '../support/paths';

const SEEDS = [0, 1, 7, 2024];
/** Settings under which power iteration converges to float64 accuracy on these small blocks. */
const TIGHT = { maxIterations: 20000, tolerance: 1e-13, progress: false } as const;

/** The eigenvalues ordered by magnitude, largest first (what deflated power iteration finds). */
function byMagnitude(values: readonly number[]): number[] {
  return [...values].sort((a, b) => Math.abs(b) - Math.abs(a));
}

function relative(a: number, b: number): number {
  return Math.abs(a - b) / Math.abs(b);
}

/** A small classification problem: MLP 5-6-4-3 (tanh) at its initialisation on 32 Gaussian-blob rows. */
function blobsProblem() {
  const split = gaussianBlobs({ size: 40, features: 5, classes: 3, seed: 1 });
  const arch = mlp(5, [6, 4], 3, 'tanh');
  const params = initialParameters(arch, 2);
  return { split, arch, params, task: supervisedTask(arch, split) };
}

test('per-layer and per-tensor blocks: eigenvalues and traces equal torch float64 dense Hessian blocks', async () => {
  const { split, arch, params, task } = blobsProblem();
  const slots = networkSlots(arch);
  const layerBlocks = slots.map((s): [number, number] => [s.weight, s.bias + s.outputs]);
  const tensorBlocks = slots.flatMap((s): [number, number][] => [
    [s.weight, s.bias],
    [s.bias, s.bias + s.outputs],
  ]);
  const whole: [number, number] = [0, parameterCount(arch)];
  const torch = torchHessianBlocks(temporaryFolder('layer-hessian'), arch, params, split.train.x, split.train.y, [
    ...layerBlocks,
    ...tensorBlocks,
    whole,
  ]);
  const [layers, tensors, [model]] = [
    torch.blocks.slice(0, layerBlocks.length),
    torch.blocks.slice(layerBlocks.length, -1),
    torch.blocks.slice(-1),
  ];
  for (const seed of SEEDS) {
    for (const [groups, oracle, topK] of [
      ['layer', layers, 2],
      ['tensor', tensors, 1],
    ] as const) {
      const result = await hessianByLayer(params, task, { ...TIGHT, groups, topK, seed, traceProbes: 1000 });
      const rows = result.rows();
      assert.equal(rows.length, oracle.length);
      assert.ok(
        relative(result.context.loss, torch.loss) < 1e-12,
        `loss ${result.context.loss} vs torch ${torch.loss}`,
      );
      rows.forEach((row, b) => {
        const expected = byMagnitude(oracle[b].eigenvalues);
        assert.equal(row.parameters, oracle[b].eigenvalues.length, row.layer);
        assert.ok(row.converged, `${groups} ${row.layer} seed ${seed}: not converged`);
        row.top_eigenvalues.forEach((value, k) =>
          assert.ok(
            relative(value, expected[k]) < 1e-8,
            `${groups} ${row.layer} seed ${seed}: eigenvalue ${k} ${value} vs torch ${expected[k]}`,
          ),
        );
        // traceProbes >= parameters: the exact trace from unit vectors.
        assert.ok(row.trace_exact && row.trace_standard_error === 0);
        assert.ok(
          relative(row.trace, oracle[b].trace) < 1e-10,
          `${row.layer}: trace ${row.trace} vs ${oracle[b].trace}`,
        );
      });
    }
  }
  // Cauchy interlacing: no block's magnitude-largest eigenvalue exceeds the whole Hessian's; the block traces sum to its trace.
  const full = await hessianByLayer(params, task, { ...TIGHT, groups: 'model', traceProbes: 1000 });
  const largest = Math.abs(byMagnitude(model.eigenvalues)[0]);
  assert.ok(relative(Math.abs(full.rows()[0].top_eigenvalue), largest) < 1e-8);
  for (const block of layers) assert.ok(Math.abs(byMagnitude(block.eigenvalues)[0]) <= largest);
  const sum = layers.reduce((s, b) => s + b.trace, 0);
  assert.ok(relative(full.rows()[0].trace, sum) < 1e-10);
});

test("Hutchinson's per-layer trace is within its statistical error of torch's exact block trace", async () => {
  const { split, arch, params, task } = blobsProblem();
  const slots = networkSlots(arch);
  const torch = torchHessianBlocks(
    temporaryFolder('layer-hessian-trace'),
    arch,
    params,
    split.train.x,
    split.train.y,
    slots.map((s) => [s.weight, s.bias + s.outputs]),
  );
  const probes = 12; // fewer than every layer's parameters (15, 28, 36): Hutchinson, not the exact trace
  for (const seed of SEEDS) {
    // tolerance 0: every probe is used, so the estimate is a mean of exactly `probes` samples.
    const rows = (
      await hessianByLayer(params, task, { seed, traceProbes: probes, tolerance: 0, progress: false })
    ).rows();
    rows.forEach((row, b) => {
      assert.ok(!row.trace_exact && row.trace_products === probes, row.layer);
      // Var(v^T H v) = 2 sum_{i != j} H_ij^2 for Rademacher v; 6 standard errors of the mean of `probes`.
      const bound = 6 * Math.sqrt(torch.blocks[b].probe_variance / probes);
      assert.ok(
        Math.abs(row.trace - torch.blocks[b].trace) <= bound,
        `${row.layer} seed ${seed}: Hutchinson ${row.trace} vs exact ${torch.blocks[b].trace} (bound ${bound})`,
      );
      assert.ok(row.trace_standard_error > 0);
    });
  }
});

/**
 * Least squares over an MLP's flat parameter vector: L(θ) = |A θ - t|² / 2n with a random design
 * A (n x P), so H = AᵀA / n everywhere and the block of a layer is A_lᵀ A_l / n (A_l: the
 * layer's columns). A real TrainingTask with exact products, no network involved.
 */
function leastSquaresTask(n: number): { task: TrainingTask; design: Float64Array } {
  const architecture = mlp(3, [4], 2);
  const P = parameterCount(architecture);
  const design = rng(11).normal(n * P);
  const target = rng(12).normal(n);
  const residual = (params: Float64Array, rows: ArrayLike<number>) =>
    Array.from(rows, (i) => {
      let s = -target[i];
      for (let j = 0; j < P; j++) s += design[i * P + j] * params[j];
      return s;
    });
  const task: TrainingTask = {
    name: 'least-squares',
    architecture,
    dimension: P,
    examples: n,
    lossAndGradient(params, grad, rows) {
      const r = residual(params, rows);
      grad.fill(0);
      Array.from(rows).forEach((i, k) => {
        for (let j = 0; j < P; j++) grad[j] += (design[i * P + j] * r[k]) / rows.length;
      });
      return r.reduce((s, e) => s + e * e, 0) / (2 * rows.length);
    },
    hessianVectorProduct(params, v, out, rows) {
      out.fill(0);
      for (const i of Array.from(rows)) {
        let av = 0;
        for (let j = 0; j < P; j++) av += design[i * P + j] * v[j];
        for (let j = 0; j < P; j++) out[j] += (design[i * P + j] * av) / rows.length;
      }
      return residual(params, rows).reduce((s, e) => s + e * e, 0) / (2 * rows.length);
    },
    evaluate: () => ({ train_loss: NaN, test_loss: NaN }),
    representation: () => ({ values: new Float64Array(0), rows: 0, columns: 0 }),
  };
  return { task, design };
}

test('a quadratic: each layer block is A_l^T A_l / n (closed form), also for a WeightSet model and selected layers', async () => {
  const n = 50;
  const { task, design } = leastSquaresTask(n);
  const P = task.dimension;
  const params = rng(13).normal(P);
  const blockOf = (start: number, end: number) => {
    const d = end - start;
    const G = new Float64Array(d * d);
    for (let a = 0; a < d; a++)
      for (let b = 0; b < d; b++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += design[i * P + start + a] * design[i * P + start + b];
        G[a * d + b] = s / n;
      }
    return {
      eigenvalues: jacobiEigenvalues(G, d),
      trace: Array.from({ length: d }, (_, a) => G[a * d + a]).reduce((x, y) => x + y),
    };
  };
  const slots = networkSlots(task.architecture);
  for (const seed of SEEDS) {
    const result = await hessianByLayer(toWeightSet(task.architecture, params, 'float64'), task, {
      ...TIGHT,
      topK: 3,
      seed,
    });
    result.rows().forEach((row, l) => {
      const expected = blockOf(slots[l].weight, slots[l].bias + slots[l].outputs);
      const top = [...expected.eigenvalues].reverse(); // positive semidefinite: largest = magnitude-largest
      row.top_eigenvalues.forEach((value, k) =>
        assert.ok(relative(value, top[k]) < 1e-8, `${row.layer} seed ${seed}: ${value} vs ${top[k]}`),
      );
      assert.ok(relative(row.trace, expected.trace) < 1e-12);
    });
  }
  // Layers by index and by tensor name pick those blocks only, in parameter order.
  const picked = await hessianByLayer(params, task, { ...TIGHT, groups: 'tensor', layers: ['layers.1.bias', 0] });
  assert.deepEqual(
    picked.rows().map((row) => row.layer),
    ['layers.0.weight', 'layers.0.bias', 'layers.1.bias'],
  );
  const bias = blockOf(slots[1].bias, slots[1].bias + slots[1].outputs);
  assert.ok(relative(picked.rows()[2].top_eigenvalue, Math.max(...bias.eigenvalues)) < 1e-8);
});

test("the small CNN's layer blocks (two convolutions, the classifier) match the dense Hessian by differences of the gradient", async () => {
  const { train } = digits();
  const n = 40;
  const data = {
    name: 'digits-40',
    x: train.x.slice(0, n * 64),
    y: train.y.slice(0, n),
    size: n,
    features: 64,
    classes: 10,
  };
  const arch = cnn([1, 8, 8], [2, 3], 10, { activation: 'tanh' });
  const params = initialParameters(arch, 4);
  const net = buildNetwork(arch, n);
  const P = net.parameterCount;
  const H = finiteDifferenceHessianOf((w, out) => net.lossAndGradient(w, data.x, data.y, n, out), params);
  const task = supervisedTask(arch, { train: data, test: data });
  for (const seed of SEEDS.slice(0, 2)) {
    const rows = (await hessianByLayer(params, task, { ...TIGHT, seed, traceProbes: P })).rows();
    assert.deepEqual(
      rows.map((row) => row.layer),
      ['layers.0', 'layers.1', 'layers.2'],
    );
    networkSlots(arch).forEach((slot, l) => {
      const [start, end] = [slot.weight, slot.bias + slot.outputs];
      const d = end - start;
      const block = new Float64Array(d * d);
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) block[a * d + b] = H[(start + a) * P + start + b];
      const expected = byMagnitude(jacobiEigenvalues(block, d))[0];
      const trace = Array.from({ length: d }, (_, a) => block[a * d + a]).reduce((x, y) => x + y);
      // h = 1e-5 differences of an exact gradient: ~1e-9 per entry, so 1e-6 relative on these blocks.
      assert.equal(rows[l].parameters, d);
      assert.ok(
        relative(rows[l].top_eigenvalue, expected) < 1e-6,
        `${rows[l].layer}: ${rows[l].top_eigenvalue} vs ${expected}`,
      );
      assert.ok(relative(rows[l].trace, trace) < 1e-6, `${rows[l].layer}: trace ${rows[l].trace} vs ${trace}`);
    });
  }
});

test('blockOperator reads and writes only its block of the whole product', () => {
  const n = 6;
  const matrix = Float64Array.from(rng(4).normal(n * n));
  const whole = {
    dimension: n,
    apply: (v: Float64Array) =>
      Float64Array.from({ length: n }, (_, i) => v.reduce((s, x, j) => s + matrix[i * n + j] * x, 0)),
  };
  const op = blockOperator(whole, 2, 5);
  const v = Float64Array.of(1, -2, 0.5);
  const expected = [2, 3, 4].map((i) => v.reduce((s, x, j) => s + matrix[i * n + 2 + j] * x, 0));
  assert.deepEqual(Array.from(op.apply(v)), expected);
  assert.throws(
    () => blockOperator(whole, 4, 4),
    (e) => e instanceof ArgumentError && e.details.field === 'block',
  );
});

test('hessianByLayer: options are data (unknown keys, bad values, layers) and an abort signal interrupts', async () => {
  const { params, task } = blobsProblem();
  await assert.rejects(hessianByLayer(params, task, { maxIter: 5 } as never), (e) =>
    rejectsUnknownKey(e, 'hessianByLayer', 'maxIter', HESSIAN_BY_LAYER_DEFAULTS),
  );
  for (const [options, field] of [
    [{ topK: 0 }, 'topK'],
    [{ topK: 4, groups: 'tensor' }, 'topK'], // the last bias has 3 parameters
    [{ maxIterations: 1.5 }, 'maxIterations'],
    [{ tolerance: -1 }, 'tolerance'],
    [{ groups: 'rows' }, 'groups'],
    [{ layers: ['layers.7'] }, 'layers'],
    [{ layers: [] }, 'layers'],
  ] as const)
    await assert.rejects(
      hessianByLayer(params, task, { progress: false, ...options } as never),
      (e) => e instanceof ArgumentError && e.details.field === field,
      JSON.stringify(options),
    );
  await assert.rejects(
    hessianByLayer(params.subarray(1), task, { progress: false }),
    (e) => e instanceof Error && (e as ArgumentError).details?.field === 'model',
  );
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(hessianByLayer(params, task, { signal: controller.signal }), InterruptedError);
  // Defaults (PyHessian's): one eigenvalue per layer, at most 100 products per eigenvalue.
  const result = await hessianByLayer(params, task, { progress: false });
  assert.ok(result instanceof LayerHessian);
  const rows: LayerHessianRow[] = result.rows();
  assert.deepEqual(
    rows.map((row) => [row.layer, row.top_eigenvalues.length]),
    [
      ['layers.0', 1],
      ['layers.1', 1],
      ['layers.2', 1],
    ],
  );
  assert.ok(rows.every((row) => row.iterations <= 100));
  assert.equal(result.table().numRows(), 3);
  assert.match(result.toString(), /layers\.0 .* top eigenvalue/);
  // The chart: one bar per layer in each panel, its title replaceable (chart options are data too).
  const chart = result.chart({ title: 'curvature' });
  assert.equal(chart.spec.title, 'curvature');
  assert.equal((chart.spec.data as { values: unknown[] }).values.length, 3);
  assert.throws(
    () => result.chart({ titel: 'x' } as never),
    (e) => e instanceof ArgumentError && e.details.field === 'titel',
  );
});
