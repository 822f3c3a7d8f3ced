// Closed forms on diagonal and orthogonal matrices, WeightWatcher's layer → matrices conventions
// (Conv2d slices scaled by sqrt(1/2), the N/M swap quirk, transposed layouts, embeddings and the
// size filters), and SETOL's detX walk against a direct product loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  analyze,
  matrix,
  rng,
  Tensor,
  WeightSet,
  detX,
  squaredSingularValues,
  layerMatrices,
  layerSpectrum,
  ArgumentError,
} from 'weightlab/internal';

function diagonalMatrix(rows: number, cols: number, d: number[]): Float64Array {
  const w = new Float64Array(rows * cols);
  d.forEach((x, i) => {
    w[i * cols + i] = x;
  });
  return w;
}

test('diagonal matrix: eigenvalues are d², every scale metric has its closed form', async () => {
  const d = Array.from({ length: 20 }, (_, i) => 0.5 + i * 0.25);
  const row = (await analyze(matrix(30, 20, diagonalMatrix(30, 20, d)), { detX: true, progress: false })).rows()[0];
  const evals = d.map((x) => x * x);
  const sum = evals.reduce((a, b) => a + b, 0),
    max = Math.max(...evals);
  const close = (a: unknown, b: number, what: string) =>
    assert.ok(Math.abs((a as number) - b) <= 1e-12 * Math.abs(b), `${what}: ${a} vs ${b}`);
  close(row.norm, sum, 'norm');
  close(row.log_norm, Math.log10(sum), 'log_norm');
  close(row.spectral_norm, max, 'spectral_norm');
  close(row.lambda_max, max, 'lambda_max');
  close(row.stable_rank, sum / max, 'stable_rank');
  close(row.sv_max, Math.max(...d), 'sv_max');
  close(row.sv_min, Math.min(...d), 'sv_min');
  close(row.alpha_weighted, (row.alpha as number) * Math.log10(max), 'alpha_weighted');
  close(row.log_alpha_norm, Math.log10(evals.reduce((a, x) => a + x ** (row.alpha as number), 0)), 'log_alpha_norm');
  const p = evals.map((x) => x / sum + 1e-10);
  close(row.entropy, -p.reduce((a, x) => a + x * Math.log(x), 0) / Math.log(20 + 1e-10), 'entropy');
  assert.equal(row.matrix_rank, 20);
  assert.equal(row.N, 30);
  assert.equal(row.M, 20);
  assert.equal(row.num_evals, 20);
  assert.equal(row.weak_rank_loss, 0);
  // xmin is one of the eigenvalues, and the tail count is the number at or above it.
  assert.ok(evals.some((x) => Math.abs(x - (row.xmin as number)) <= 1e-12 * x));
  assert.equal(row.num_pl_spikes, evals.filter((x) => x >= (row.xmin as number) * (1 - 1e-12)).length);
});

test('orthogonal-like matrix: all eigenvalues 1, stable rank M, entropy 1', async () => {
  const row = (await analyze(matrix(24, 24, diagonalMatrix(24, 24, Array(24).fill(1))), { progress: false })).rows()[0];
  assert.equal(row.norm, 24);
  assert.equal(row.stable_rank, 24);
  assert.equal(row.log_spectral_norm, 0);
  assert.ok(Math.abs((row.entropy as number) - 1) < 1e-8);
});

test('detX: the first tail whose rescaled product drops below 1, by a direct product loop', () => {
  const evals = Float64Array.from(Array.from({ length: 40 }, (_, i) => 0.01 + (i / 10) ** 3)).sort();
  const result = detX(evals);
  const sum = evals.reduce((a, b) => a + b, 0);
  const scaled = Array.from(evals, (x) => (x * evals.length) / sum);
  let index = 1,
    num = evals.length;
  for (let i = evals.length - 1; i >= 1; i--) {
    let product = 1;
    for (let j = i; j < evals.length; j++) product *= scaled[j];
    if (product < 1) {
      index = i;
      num = evals.length - i;
      break;
    }
  }
  assert.equal(result.detXNum, num);
  assert.equal(result.index, index);
  assert.ok(Math.abs(result.detXVal - evals[index]) <= 1e-14 * evals[index]);
  assert.ok(Math.abs(result.detXValUnrescaled - scaled[index]) <= 1e-14 * scaled[index]);
  assert.deepEqual(detX(Float64Array.of(1, 1, 1)), { detXNum: 0, detXVal: 1, detXValUnrescaled: 1, index: 0 });
});

test('Conv2d: kh*kw slices scaled by sqrt(1/2) in float32, pooled (eigenvalues halved)', async () => {
  const [out, input, kh, kw] = [12, 6, 2, 3];
  const values = Float32Array.from(rng(3).normal(out * input * kh * kw));
  const kernel = new Tensor('float32', values, [out, input, kh, kw]);
  const result = await analyze(new WeightSet({ 'conv.weight': kernel }), { progress: false });
  const layer = result.layer('conv');
  assert.equal(layer.row.layer_type, 'conv2d');
  assert.equal(layer.row.rf, 6);
  assert.equal(layer.row.num_evals, 36);
  const expected: number[] = [];
  const scale = Math.fround(Math.SQRT1_2);
  for (let i = 0; i < kh; i++)
    for (let j = 0; j < kw; j++) {
      const slice = new Float64Array(out * input);
      for (let o = 0; o < out; o++)
        for (let c = 0; c < input; c++)
          slice[o * input + c] = Math.fround(values[((o * input + c) * kh + i) * kw + j] * scale);
      expected.push(...(await squaredSingularValues({ rows: out, cols: input, values: slice }, 'js')));
      // The unscaled slice's eigenvalues are twice as large (to float32 rounding of the scaled weights).
      const raw = new Float64Array(out * input);
      for (let o = 0; o < out; o++)
        for (let c = 0; c < input; c++) raw[o * input + c] = values[((o * input + c) * kh + i) * kw + j];
      const rawEvals = await squaredSingularValues({ rows: out, cols: input, values: raw }, 'js');
      const scaledEvals = expected.slice(-input);
      rawEvals.forEach((x, n) => assert.ok(Math.abs(scaledEvals[n] / x - 0.5) < 1e-6));
    }
  expected.sort((a, b) => a - b);
  layer.evals.forEach((x, i) => assert.ok(Math.abs(x - expected[i]) <= 1e-13 * expected[expected.length - 1]));
});

test('Conv2d N/M quirk: out < in with an even receptive field keeps N = out, M = in (Q < 1)', async () => {
  const even = new Tensor('float32', Float32Array.from(rng(4).normal(8 * 16 * 2 * 2)), [8, 16, 2, 2]);
  const odd = new Tensor('float32', Float32Array.from(rng(5).normal(8 * 16 * 3 * 3)), [8, 16, 3, 3]);
  const result = await analyze(new WeightSet({ 'a.weight': even, 'b.weight': odd }), { progress: false });
  assert.deepEqual([result.layer('a').row.N, result.layer('a').row.M, result.layer('a').row.Q], [8, 16, 0.5]);
  assert.deepEqual([result.layer('b').row.N, result.layer('b').row.M, result.layer('b').row.Q], [16, 8, 2]);
  assert.equal(result.layer('a').row.num_evals, 32); // 8 per slice; the filter saw M*rf = 64
});

test('layouts: GPT-2 Conv1D (in, out), Keras Dense and a transposed Linear give the same spectrum', async () => {
  const w = rng(6).normal(48 * 20);
  const transposed = new Float64Array(48 * 20);
  for (let i = 0; i < 48; i++) for (let j = 0; j < 20; j++) transposed[j * 48 + i] = w[i * 20 + j];
  const set = new WeightSet({
    'h.0.mlp.c_fc.weight': new Tensor('float64', w, [48, 20]),
    'fc.weight': new Tensor('float64', transposed, [20, 48]),
    'dense.kernel': new Tensor('float64', w, [48, 20]),
  });
  const result = await analyze(set, { progress: false });
  assert.deepEqual(
    result.rows().map((r) => r.layer_type),
    ['conv1d', 'dense', 'dense'],
  );
  const [a, b, c] = result.layers.map((l) => l.evals);
  a.forEach((x, i) => {
    assert.ok(Math.abs(x - b[i]) <= 1e-13 * a[19]);
    assert.equal(x, c[i]);
  });
  assert.deepEqual(
    result.rows().map((r) => [r.N, r.M]),
    [
      [48, 20],
      [48, 20],
      [48, 20],
    ],
  );
});

test('filters: minEvals, maxEvals, maxN, norm layers, and the layers option (ids, types, names)', async () => {
  const set = new WeightSet({
    'embed.weight': new Tensor('float32', new Float32Array(60 * 12).fill(0.5), [60, 12]),
    'fc1.weight': new Tensor('float32', Float32Array.from(rng(7).normal(30 * 12)), [30, 12]),
    'fc2.weight': new Tensor('float32', Float32Array.from(rng(8).normal(20 * 8)), [20, 8]),
    'ln.weight': new Tensor('float32', new Float32Array(12).fill(1), [12]),
  });
  const all = await analyze(set, { progress: false });
  assert.deepEqual(
    all.rows().map((r) => [r.layer_id, r.name, r.layer_type]),
    [
      [1, 'embed', 'embedding'],
      [2, 'fc1', 'dense'],
    ],
  );
  assert.deepEqual(
    all.skipped.map((s) => s.name),
    ['fc2', 'ln'],
  );
  assert.match(all.skipped[0].reason, /minEvals/);
  assert.deepEqual(
    (await analyze(set, { maxN: 40, maxEvals: 40, progress: false })).rows().map((r) => r.name),
    ['fc1'],
  );
  assert.deepEqual(
    (await analyze(set, { minEvals: 5, progress: false })).rows().map((r) => r.name),
    ['embed', 'fc1', 'fc2'],
  );
  assert.deepEqual(
    (await analyze(set, { layers: [2], progress: false })).rows().map((r) => r.name),
    ['fc1'],
  );
  assert.deepEqual(
    (await analyze(set, { layers: [-2], progress: false })).rows().map((r) => r.name),
    ['embed'],
  );
  assert.deepEqual(
    (await analyze(set, { layers: ['embedding'], progress: false })).rows().map((r) => r.name),
    ['embed'],
  );
  assert.deepEqual(
    (await analyze(set, { layers: ['-embed'], progress: false })).rows().map((r) => r.name),
    ['fc1'],
  );
  await assert.rejects(analyze(set, { minEvals: 50, maxEvals: 40 }), /minEvals must be below maxEvals/);
  await assert.rejects(analyze(set, { fixFingers: 'clip_xmin' as never }), /unsupported fixFingers/);
});

test('layerMatrices and layerSpectrum take options as data: conv2dNorm halves the eigenvalues, undefined keeps the default, unknown keys are rejected', async () => {
  // A 1x1 Conv2d kernel of the diagonal d: one slice, singular values d (or d/sqrt(2) with conv2dNorm).
  const d = [3, 2, 1, 0.5];
  const kernel = new Tensor('float64', diagonalMatrix(4, 4, d), [4, 4, 1, 1]);
  const squares = d.map((x) => x * x).sort((a, b) => a - b);
  const normed = await layerSpectrum(layerMatrices('conv2d', kernel), { engine: 'js' });
  const keptDefault = await layerSpectrum(
    layerMatrices('conv2d', kernel, { conv2dNorm: undefined, channelsFirst: undefined }),
    { engine: undefined, svd: undefined },
  );
  const raw = await layerSpectrum(layerMatrices('conv2d', kernel, { conv2dNorm: false }), { engine: 'js' });
  normed.evals.forEach((value, i) => assert.ok(Math.abs(value - squares[i] / 2) <= 1e-14 * squares[3], `normed ${i}`));
  raw.evals.forEach((value, i) => assert.ok(Math.abs(value - squares[i]) <= 1e-14 * squares[3], `raw ${i}`));
  keptDefault.evals.forEach((value, i) =>
    assert.ok(Math.abs(value - normed.evals[i]) <= 1e-14 * squares[3], `default ${i}`),
  );
  assert.throws(
    () => layerMatrices('conv2d', kernel, { conv2dnorm: false } as never),
    (error: unknown) =>
      error instanceof ArgumentError &&
      /layerMatrices has no option 'conv2dnorm' \(did you mean 'conv2dNorm'\?\)/.test(error.message),
  );
  await assert.rejects(
    layerSpectrum(layerMatrices('dense', matrix(4, 4, diagonalMatrix(4, 4, d))), { method: 'gram' } as never),
    /layerSpectrum has no option 'method'/,
  );
});
