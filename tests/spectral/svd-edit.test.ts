// svdSmoothing / svdSharpness against three oracles: a planted spectrum (the kept singular values
// are known in closed form), numpy (svd and matrix_rank of the written weights, through
// /usr/bin/python3), and WeightWatcher 0.7.5.5's own SVDSmoothing / SVDSharpness on a small state
// dict (oracle/weightwatcher-svd-edit.json; how it was made: oracle/README.md). Also: conv kernels
// keep their shape and dtype, the input is never changed, and bad input gets a typed error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  analyze,
  keepSingularTriplets,
  svdSharpness,
  svdSmoothing,
  rng,
  ArgumentError,
  DTypeError,
  Tensor,
  WeightSet,
  type SvdEditRow,
} from 'weightlab/internal';
import { repositoryRoot, temporaryFolder } from '../support/paths';

const PYTHON = '/usr/bin/python3';

function hasNumpy(): boolean {
  return fs.existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
}

/**
 * numpy's singular values (descending) and matrix_rank of each matrix, computed in the matrix's
 * own precision (float32 matrices get numpy's float32 rank tolerance).
 */
function numpySvd(
  matrices: { rows: number; cols: number; values: Float64Array | Float32Array }[],
): { singularValues: number[]; rank: number }[] {
  const folder = temporaryFolder('svd-edit-numpy');
  const manifest = matrices.map((matrix, index) => {
    const file = path.join(folder, `${index}.bin`);
    fs.writeFileSync(file, Buffer.from(matrix.values.buffer, matrix.values.byteOffset, matrix.values.byteLength));
    return { file, rows: matrix.rows, cols: matrix.cols, dtype: matrix.values instanceof Float32Array ? '<f4' : '<f8' };
  });
  fs.writeFileSync(path.join(folder, 'manifest.json'), JSON.stringify(manifest));
  const script = [
    'import json, sys, numpy as np',
    'out = []',
    'for m in json.load(open(sys.argv[1])):',
    "    a = np.fromfile(m['file'], dtype=m['dtype']).reshape(m['rows'], m['cols'])",
    "    out.append({'singularValues': [float(s) for s in np.linalg.svd(a.astype(np.float64), compute_uv=False)],",
    "                'rank': int(np.linalg.matrix_rank(a))})",
    'print(json.dumps(out))',
  ].join('\n');
  const run = spawnSync(PYTHON, ['-c', script, path.join(folder, 'manifest.json')], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`numpy failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** An orthogonal n x n matrix: a product of Householder reflections of random vectors. */
function orthogonal(n: number, seed: number): Float64Array {
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  const random = rng(seed);
  for (let reflection = 0; reflection < n; reflection++) {
    const v = random.normal(n);
    let norm = 0;
    for (const x of v) norm += x * x;
    // Q ← Q (I − 2 v vᵀ / vᵀv)
    for (let r = 0; r < n; r++) {
      let dot = 0;
      for (let c = 0; c < n; c++) dot += q[r * n + c] * v[c];
      for (let c = 0; c < n; c++) q[r * n + c] -= (2 * dot * v[c]) / norm;
    }
  }
  return q;
}

/** U diag(s) Vᵀ (rows x cols) with orthogonal U, V: its singular values are exactly `s` (up to rounding). */
function planted(rows: number, cols: number, s: number[], seed: number): Float64Array {
  const u = orthogonal(rows, seed),
    v = orthogonal(cols, seed + 1);
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      let sum = 0;
      for (let i = 0; i < s.length; i++) sum += u[r * rows + i] * s[i] * v[c * cols + i];
      out[r * cols + c] = sum;
    }
  return out;
}

/** The (out, in) slices [:, :, i, j] of a PyTorch conv kernel, in its own precision. */
function kernelSlices(tensor: Tensor): { rows: number; cols: number; values: Float64Array | Float32Array }[] {
  const [out, input, kh, kw] = tensor.shape;
  const values = tensor.dtype === 'float32' ? tensor.toFloat32() : tensor.toFloat64();
  const slices = [];
  for (let s = 0; s < kh * kw; s++) {
    const slice = tensor.dtype === 'float32' ? new Float32Array(out * input) : new Float64Array(out * input);
    for (let o = 0; o < out; o++)
      for (let c = 0; c < input; c++) slice[o * input + c] = values[(o * input + c) * kh * kw + s];
    slices.push({ rows: out, cols: input, values: slice });
  }
  return slices;
}

function rowOf(set: WeightSet, key: 'svdSmoothing' | 'svdSharpness', name: string): SvdEditRow {
  const rows = set.metadata[key] as SvdEditRow[];
  const row = rows.find((r) => r.name === name);
  assert.ok(row, `no ${key} row for ${name}`);
  return row;
}

function relativeClose(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance * Math.abs(expected),
    `${what}: ${actual} vs ${expected} (relative ${Math.abs(actual - expected) / Math.abs(expected)})`,
  );
}

// A dense layer with a planted spectrum 3·i^-1 (i = 1..20) and a float32 Conv2d kernel.
const PLANTED = Array.from({ length: 20 }, (_, i) => 3 / (i + 1));
function model(): Record<string, Tensor> {
  return {
    'fc.weight': Tensor.from(planted(30, 20, PLANTED, 7), [30, 20]),
    'fc.bias': Tensor.from(rng(3).normal(30), [30]),
    'conv.weight': Tensor.from(Float32Array.from(rng(4).normal(8 * 6 * 3 * 3)), [8, 6, 3, 3]),
  };
}

test('svdSmoothing keeps the top singular values: the planted ones in closed form, rank and spectrum by numpy', async (t) => {
  const input = model();
  const smoothed = await svdSmoothing(input, { method: 'svd', percent: 0.5 });
  // method 'svd': trunc(0.5·M·rf) = 10 for the 30 x 20 layer; 27 for the kernel (M 6, rf 9), ceil(27/9) = 3 per slice.
  const fc = rowOf(smoothed, 'svdSmoothing', 'fc');
  assert.deepEqual([fc.num_smooth, fc.kept, fc.slices, fc.singular_values], [10, 10, 1, 20]);
  const conv = rowOf(smoothed, 'svdSmoothing', 'conv');
  assert.deepEqual([conv.num_smooth, conv.kept, conv.slices, conv.singular_values], [27, 3, 9, 6]);
  assert.equal(smoothed.get('fc.bias'), input['fc.bias'], 'tensors not rewritten are passed through');
  assert.deepEqual(smoothed.names, Object.keys(input));
  if (!hasNumpy()) {
    t.skip('numpy not installed (apt-get install python3-numpy)');
    return;
  }
  const weight = smoothed.get('fc.weight');
  const [result, original] = numpySvd([
    { rows: 30, cols: 20, values: weight.toFloat64() },
    { rows: 30, cols: 20, values: input['fc.weight'].toFloat64() },
  ]);
  assert.equal(result.rank, 10);
  for (let i = 0; i < 10; i++) {
    relativeClose(result.singularValues[i], PLANTED[i], 1e-10, `planted singular value ${i}`);
    relativeClose(result.singularValues[i], original.singularValues[i], 1e-10, `numpy singular value ${i}`);
  }
  for (let i = 10; i < 20; i++) assert.ok(result.singularValues[i] < 1e-13 * PLANTED[0], `σ${i} is zeroed`);
  // The kernel, float32 in and out: each slice has rank 3 and the input slice's top 3 singular values
  // (to float32 rounding of the written weights).
  const kernel = smoothed.get('conv.weight');
  assert.equal(kernel.dtype, 'float32');
  assert.deepEqual(kernel.shape, [8, 6, 3, 3]);
  const after = numpySvd(kernelSlices(kernel));
  const before = numpySvd(kernelSlices(input['conv.weight']));
  after.forEach((slice, s) => {
    assert.equal(slice.rank, 3, `slice ${s} rank`);
    for (let i = 0; i < 3; i++)
      relativeClose(slice.singularValues[i], before[s].singularValues[i], 1e-6, `slice ${s} singular value ${i}`);
  });
});

test('svdSmoothing by detX (the default) keeps detX_num singular values of each layer, as analyze() reports them', async (t) => {
  const input = model();
  const analysis = await analyze(input, { detX: true, progress: false });
  const smoothed = await svdSmoothing(input);
  const detXNum = analysis.layer('fc').row.detX_num as number;
  assert.ok(detXNum > 0 && detXNum < 20);
  assert.equal(rowOf(smoothed, 'svdSmoothing', 'fc').kept, detXNum);
  const convCount = analysis.layer('conv').row.detX_num as number;
  const conv = rowOf(smoothed, 'svdSmoothing', 'conv');
  assert.equal(conv.num_smooth, convCount);
  assert.equal(conv.kept, Math.min(6, Math.ceil(convCount / 9)));
  if (!hasNumpy()) {
    t.skip('numpy not installed');
    return;
  }
  const [result] = numpySvd([{ rows: 30, cols: 20, values: smoothed.get('fc.weight').toFloat64() }]);
  assert.equal(result.rank, detXNum);
  for (let i = 0; i < detXNum; i++) relativeClose(result.singularValues[i], PLANTED[i], 1e-10, `σ${i}`);
});

test('svdSharpness removes the shuffled-ESD spikes: one spike of a mean-shifted matrix, so its top singular value', async (t) => {
  // Entries N(0, 1) + 2: the mean is a rank-one spike (σ ≈ 2·√(24·12) ≈ 34) that shuffling keeps,
  // far above the bulk edge (√24 + √12 ≈ 8.4), so the shuffled ESD has exactly one spike.
  const values = rng(11).normal(24 * 12, 2, 1);
  const input = { 'spiky.weight': Tensor.from(values, [24, 12]) };
  const sharpened = await svdSharpness(input, { seed: 5 });
  const row = rowOf(sharpened, 'svdSharpness', 'spiky');
  assert.deepEqual([row.num_smooth, row.kept, row.note], [-1, 11, '']);
  if (!hasNumpy()) {
    t.skip('numpy not installed');
    return;
  }
  const [result, original] = numpySvd([
    { rows: 24, cols: 12, values: sharpened.get('spiky.weight').toFloat64() },
    { rows: 24, cols: 12, values },
  ]);
  assert.ok(original.singularValues[0] > 3 * original.singularValues[1], 'the planted spike stands out');
  assert.equal(result.rank, 11);
  // What remains is the input's spectrum without its top: σ1..σ11 of the result = σ2..σ12 of the input.
  for (let i = 0; i < 11; i++)
    relativeClose(result.singularValues[i], original.singularValues[i + 1], 1e-10, `remaining σ${i}`);
  assert.ok(result.singularValues[0] < original.singularValues[0] / 3, 'no singular value above the bulk is left');
});

test('WeightWatcher oracle: SVDSmoothing (detX, svd 0.5, alpha_min, rmt) and SVDSharpness give the same weights', async () => {
  const oracle = JSON.parse(
    fs.readFileSync(path.join(repositoryRoot, 'tests', 'spectral', 'oracle', 'weightwatcher-svd-edit.json'), 'utf8'),
  ) as {
    inputs: Record<string, { shape: number[]; values: string }>;
    runs: Record<string, { stable_over_seeds: Record<string, boolean>; weights: Record<string, string> }>;
  };
  const decode = (text: string) => {
    const bytes = Buffer.from(text, 'base64');
    return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  };
  const inputs = Object.fromEntries(
    Object.entries(oracle.inputs).map(([name, { shape, values }]) => [name, Tensor.from(decode(values), shape)]),
  );
  const calls: Record<string, () => Promise<WeightSet>> = {
    smoothing_detX: () => svdSmoothing(inputs),
    'smoothing_svd_0.5': () => svdSmoothing(inputs, { method: 'svd', percent: 0.5 }),
    smoothing_alpha_min: () => svdSmoothing(inputs, { method: 'alpha_min' }),
    smoothing_rmt: () => svdSmoothing(inputs, { method: 'rmt' }),
    sharpness: () => svdSharpness(inputs),
  };
  assert.deepEqual(Object.keys(calls).sort(), Object.keys(oracle.runs).sort());
  let compared = 0;
  for (const [run, call] of Object.entries(calls)) {
    const edited = await call();
    for (const [name, expected] of Object.entries(oracle.runs[run].weights)) {
      // WeightWatcher's sharpness shuffles with numpy's RNG: only tensors every seed rewrote alike are compared.
      if (!oracle.runs[run].stable_over_seeds[name]) continue;
      const actual = edited.get(name).toFloat64();
      const want = decode(expected);
      assert.equal(actual.length, want.length);
      let scale = 0,
        worst = 0;
      for (let i = 0; i < want.length; i++) {
        scale = Math.max(scale, Math.abs(want[i]));
        worst = Math.max(worst, Math.abs(actual[i] - want[i]));
      }
      assert.ok(worst <= 1e-10 * scale, `${run} ${name}: max |difference| ${worst} of max |w| ${scale}`);
      compared++;
    }
  }
  // 5 runs x 4 tensors, less the one layer whose sharpness depends on WeightWatcher's shuffle.
  assert.equal(compared, 19);
});

test('the input is never changed, and the kernel keeps its shape and dtype (float16 included)', async () => {
  const input = model();
  input['half.weight'] = Tensor.from(rng(9).normal(16 * 12), [16, 12]).astype('float16');
  const snapshot = Object.fromEntries(
    Object.entries(input).map(([name, tensor]) => [name, tensor.toFloat64().slice()]),
  );
  const set = new WeightSet(input, { metadata: { source: 'test' } });
  for (const edited of [
    await svdSmoothing(set),
    await svdSmoothing(set, { method: 'svd', percent: -0.25 }),
    await svdSharpness(set),
  ]) {
    assert.equal(edited.metadata.source, 'test');
    for (const name of set.names) {
      assert.equal(edited.get(name).dtype, set.get(name).dtype, name);
      assert.deepEqual(edited.get(name).shape, set.get(name).shape, name);
    }
  }
  for (const [name, values] of Object.entries(snapshot)) assert.deepEqual(input[name].toFloat64(), values, name);
  assert.equal(set.metadata.svdSmoothing, undefined, "the input's metadata is not touched");
});

test('a negative percent drops that share of the components from the top', async () => {
  const smoothed = await svdSmoothing(model(), { method: 'svd', percent: -0.25, layers: ['fc'] });
  // trunc(-0.25·20) = -5: the top 5 go, 15 stay; the kernel is not in `layers` and stays as it was.
  const row = rowOf(smoothed, 'svdSmoothing', 'fc');
  assert.deepEqual([row.num_smooth, row.kept], [-5, 15]);
  assert.equal((smoothed.metadata.svdSmoothing as SvdEditRow[]).length, 1);
});

test('bad input gets a typed error naming the field', async () => {
  const input = model();
  await assert.rejects(svdSmoothing(input, { method: 'pca' as never }), (error: unknown) => {
    assert.ok(error instanceof ArgumentError);
    assert.equal(error.details.field, 'method');
    return true;
  });
  await assert.rejects(svdSmoothing(input, { percent: 1.5 }), (error: unknown) => {
    assert.ok(error instanceof ArgumentError);
    assert.equal(error.details.field, 'percent');
    return true;
  });
  await assert.rejects(svdSmoothing(input, { precent: 0.5 } as never), ArgumentError);
  await assert.rejects(svdSharpness(input['fc.weight'] as never), ArgumentError);
  const quantized = {
    'q.weight': Tensor.from(Int8Array.from(rng(2).normal(24 * 16, 0, 40), Math.round), [24, 16]),
  };
  await assert.rejects(svdSmoothing(quantized), (error: unknown) => {
    assert.ok(error instanceof DTypeError);
    assert.equal(error.details.field, 'q.weight');
    assert.equal(error.details.found, 'int8');
    return true;
  });
});

test('keepSingularTriplets: all triplets rebuild X; an exactly rank-deficient X converges (its null rows are not rotated forever)', () => {
  // A periodic integer pattern (shifts of one zero-sum period-7 sequence): rank 6 of 16 exactly, so
  // Jacobi leaves rows that are zero up to rounding.
  const values = Float64Array.from({ length: 24 * 16 }, (_, i) => (i % 7) - 3);
  for (const [rows, cols, x] of [
    [24, 16, values],
    [16, 24, values],
  ] as const) {
    const rebuilt = keepSingularTriplets(x, rows, cols, 0, Math.min(rows, cols));
    let worst = 0;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(rebuilt[i] - x[i]));
    assert.ok(worst < 1e-12, `rebuilt to ${worst}`);
    // The top 6 triplets are the whole matrix; the rest are rounding.
    const top = keepSingularTriplets(x, rows, cols, 0, 6);
    for (let i = 0; i < x.length; i++) assert.ok(Math.abs(top[i] - x[i]) < 1e-12);
  }
});

test('a Keras Conv2D kernel (kh, kw, in, out) is smoothed slice by slice like its PyTorch-layout twin', async () => {
  const keras = Tensor.from(Float32Array.from(rng(21).normal(3 * 3 * 6 * 8)), [3, 3, 6, 8]);
  const kerasSet = new WeightSet({ 'conv/kernel': keras, 'conv/bias': Tensor.from(new Float32Array(8), [8]) });
  assert.equal(kerasSet.layers[0].convention, 'keras');
  // The same matrices in PyTorch's (out, in, kh, kw): slice [:, :, i, j] is slice [i, j, :, :] transposed.
  const torch = keras.transpose([3, 2, 0, 1]).contiguous();
  const [kerasResult, torchResult] = await Promise.all([
    svdSmoothing(kerasSet, { method: 'svd', percent: 0.5 }),
    svdSmoothing({ 'conv.weight': torch }, { method: 'svd', percent: 0.5 }),
  ]);
  const row = rowOf(kerasResult, 'svdSmoothing', 'conv');
  // N 8, M 6, rf 9: trunc(0.5·54) = 27 pooled, ceil(27/9) = 3 per slice.
  assert.deepEqual([row.slices, row.singular_values, row.num_smooth, row.kept], [9, 6, 27, 3]);
  const edited = kerasResult.get('conv/kernel');
  assert.deepEqual([edited.dtype, edited.shape], ['float32', [3, 3, 6, 8]]);
  const back = torchResult.get('conv.weight').transpose([2, 3, 1, 0]).contiguous().toFloat64();
  const mine = edited.toFloat64();
  let scale = 0,
    worst = 0;
  for (let i = 0; i < mine.length; i++) {
    scale = Math.max(scale, Math.abs(back[i]));
    worst = Math.max(worst, Math.abs(mine[i] - back[i]));
  }
  assert.ok(worst <= 1e-6 * scale, `Keras and PyTorch layouts differ by ${worst}`);
  assert.ok(scale > 0);
});

test("method 'auto' keeps the Marchenko-Pastur spikes where alpha > 6 and the detX count elsewhere", async () => {
  const input = model();
  input['flat.weight'] = Tensor.from(rng(31).normal(40 * 20), [40, 20]); // Gaussian: a large alpha
  const analysis = await analyze(input, { detX: true, mpFit: true, progress: false });
  const alphas = analysis.rows().map((row) => row.alpha as number);
  assert.ok(alphas.some((a) => a > 6) && alphas.some((a) => a <= 6), `both rules are exercised: ${alphas.join(', ')}`);
  const smoothed = await svdSmoothing(input, { method: 'auto' });
  for (const layer of analysis.layers) {
    const row = rowOf(smoothed, 'svdSmoothing', layer.row.name);
    const expected = (layer.row.alpha as number) > 6 ? layer.row.num_spikes : layer.row.detX_num;
    assert.equal(row.num_smooth, expected, layer.row.name);
  }
});
