// The Gram matrices the ESD is computed from: onnxruntime-node's (gramUpperOnnxWriter, the route analyze()
// takes for large layers) and the wasm kernel's (small layers, and every layer without
// onnxruntime) against the plain-JS dot products, on both orientations of W.
// Tolerance 1e-13 of the largest entry: each entry is a dot product of length <= 700, whose
// rounding error is bounded by k·eps·Σ|x||y| (~1e-13 relative here) whatever the summation order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { layerMatrices, rng, Tensor } from 'weightlab/internal';
import { onnxAvailable } from 'weightlab/dist/backend/onnx/runtime';
import { gramUpper, gramUpperOnnxWriter, shortSide } from 'weightlab/dist/eigen/gram';
import { gramOnnxGraph } from 'weightlab/dist/backend/products';
import { eigenKernelAvailable, gramUpperWasm } from 'weightlab/dist/eigen/eigen-wasm';

/** gramUpperOnnxWriter's matrix written into a fresh m x m array (zeros below the block diagonal). */
async function gramUpperOnnx(values: Float64Array | Float32Array, rows: number, cols: number): Promise<Float64Array> {
  const m = Math.min(rows, cols);
  const out = new Float64Array(m * m);
  (await gramUpperOnnxWriter(values, rows, cols))(out);
  return out;
}

/** Largest difference over the upper triangles of two m x m matrices, relative to the largest |entry| of `expected` there. */
function upperTriangleError(got: Float64Array, expected: Float64Array, m: number): number {
  let error = 0,
    scale = 0;
  for (let i = 0; i < m; i++) {
    for (let j = i; j < m; j++) {
      error = Math.max(error, Math.abs(got[i * m + j] - expected[i * m + j]));
      scale = Math.max(scale, Math.abs(expected[i * m + j]));
    }
  }
  return error / scale;
}

test('gramUpperOnnxWriter: the upper triangle of the plain-JS Gram matrix on the smaller side, for wide and tall W, in 1, 2 and 6 blocks (skipped without onnxruntime)', async (t) => {
  if (!onnxAvailable()) {
    t.skip('onnxruntime-node not installed or WEIGHTLAB_ENGINE is not auto');
    return;
  }
  // m = 300, 257: one block; 450: 2 blocks (225 + 225); 700: 6 blocks (117 x 5 + 115), as row
  // inputs (wide W) and as a Split of the columns (tall W).
  for (const [rows, cols] of [
    [300, 700],
    [700, 300],
    [257, 257],
    [450, 520],
    [700, 760],
    [760, 700],
  ]) {
    const w = rng(rows + cols).normal(rows * cols);
    const { x, m, k } = shortSide(w, rows, cols);
    const expected = gramUpper(x, m, k);
    const got = await gramUpperOnnx(w, rows, cols);
    assert.equal(got.length, m * m);
    const error = upperTriangleError(got, expected, m);
    assert.ok(error <= 1e-13, `${rows}x${cols}: ${error}`);
    // The same bits as the full blocked graph behind gram(): same products, only fewer copies.
    const full = await gramOnnxGraph(rows <= cols ? 'rows' : 'columns', 'float64', w, rows, cols);
    for (let i = 0; i < m; i++)
      for (let j = i; j < m; j++) assert.equal(got[i * m + j], full[i * m + j], `${rows}x${cols} (${i}, ${j})`);
  }
});

test('the wasm Gram kernel equals the plain-JS Gram matrix: edge tiles, odd widths, several depth slices', (t) => {
  if (!eigenKernelAvailable()) {
    t.skip('wasm eigen kernel not built');
    return;
  }
  // m not a multiple of 4 (edge tiles), k odd and past the kernel's 256-column slices.
  for (const [m, k] of [
    [1, 5],
    [3, 1],
    [7, 13],
    [130, 517],
    [257, 700],
    [64, 256],
  ]) {
    const x = rng(m * 1000 + k).normal(m * k);
    const expected = gramUpper(x, m, k);
    const error = upperTriangleError(gramUpperWasm(x, m, k), expected, m);
    assert.ok(error <= 1e-13, `${m}x${k}: ${error}`);
  }
});

test('float32 weights: onnxruntime casts them inside the Gram graph, with the bits of a float64 copy; LayerMatrix converts values only on use', async (t) => {
  const rows = 300,
    cols = 700; // m*m*k past the onnxruntime threshold
  const w32 = Float32Array.from(rng(5).normal(rows * cols));
  const matrices = layerMatrices('dense', new Tensor('float32', w32, [rows, cols]));
  const [matrix] = matrices.matrices;
  assert.equal(matrix.float32, w32, 'the float32 storage itself, not a copy');
  assert.deepEqual(matrix.values, Float64Array.from(w32));
  if (!onnxAvailable()) {
    t.skip('onnxruntime-node not installed or WEIGHTLAB_ENGINE is not auto');
    return;
  }
  for (const [r, c, data] of [
    [rows, cols, w32],
    [cols, rows, w32],
  ] as const) {
    const cast = await gramUpperOnnx(data, r, c);
    const copy = await gramUpperOnnx(Float64Array.from(data), r, c);
    assert.deepEqual(cast, copy, `${r}x${c}`);
  }
});
