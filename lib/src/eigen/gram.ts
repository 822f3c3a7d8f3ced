// The Gram matrix of a layer's weight matrix on its smaller side, in float64: the ESD is the
// spectrum of WᵀW (or WWᵀ, whichever is smaller), so the eigensolver never sees the long side.
// Small ones are formed here in plain JS (the WebAssembly kernel has its own SIMD copy in
// lib/assembly/eigen.ts), large ones by onnxruntime-node (gramUpperOnnxWriter).

import { gramUpperOnnxGraph } from '../backend/products';

/**
 * Rows of the "short" factor: for W (rows x cols) the m x k matrix X with m = min(rows, cols),
 * k = max(rows, cols), such that the Gram matrix is X Xᵀ. Always a fresh float64 array.
 */
export function shortSide(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
): { x: Float64Array; m: number; k: number } {
  const out = new Float64Array(rows * cols);
  if (rows <= cols) {
    for (let i = 0; i < out.length; i++) out[i] = values[i];
    return { x: out, m: rows, k: cols };
  }
  // Transpose so the dot products of the Gram matrix run over contiguous memory.
  for (let i = 0; i < rows; i++) {
    const row = i * cols;
    for (let j = 0; j < cols; j++) out[j * rows + i] = values[row + j];
  }
  return { x: out, m: cols, k: rows };
}

/** Upper triangle (row-major, m x m) of X Xᵀ for X of m x k; the lower triangle is left at 0. */
export function gramUpper(x: Float64Array, m: number, k: number): Float64Array {
  const g = new Float64Array(m * m);
  // 2 x 2 register blocks: each pair of loaded rows feeds four dot products.
  for (let i = 0; i < m; i += 2) {
    const i1 = Math.min(i + 1, m - 1);
    const a0 = i * k,
      a1 = i1 * k;
    for (let j = i; j < m; j += 2) {
      const j1 = Math.min(j + 1, m - 1);
      const b0 = j * k,
        b1 = j1 * k;
      let s00 = 0,
        s01 = 0,
        s10 = 0,
        s11 = 0;
      for (let t = 0; t < k; t++) {
        const x0 = x[a0 + t],
          x1 = x[a1 + t],
          y0 = x[b0 + t],
          y1 = x[b1 + t];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s10 += x1 * y0;
        s11 += x1 * y1;
      }
      g[i * m + j] = s00;
      if (j1 !== j) g[i * m + j1] = s01;
      if (i1 !== i) {
        if (j >= i1) g[i1 * m + j] = s10;
        if (j1 !== j) g[i1 * m + j1] = s11;
      }
    }
  }
  return g;
}

/**
 * Upper triangle of X Xᵀ on the smaller side of W (rows x cols, row-major; float64, or float32
 * cast to float64 inside the graph) by onnxruntime-node, in float64, through the backend's session
 * cache (whose intra-op threads sleep between products, so they leave both cores to the
 * eigensolver that runs next), as a writer for the eigensolvers (SymmetricMatrix): from the blocked
 * graph (gramBlocks, gramUpperOnnxGraph), the blocks on and above the block diagonal, so the
 * upper triangle is complete and the target's lower one mostly untouched, which the solvers never
 * read. Its entries match one Gemm's product bit for bit on every shape measured (MLAS sums each
 * dot product in the same order however the output is tiled), and tests hold them to 1e-13.
 */
export async function gramUpperOnnxWriter(
  values: Float64Array | Float32Array,
  rows: number,
  cols: number,
): Promise<(target: Float64Array) => void> {
  return await gramUpperOnnxGraph(
    rows <= cols ? 'rows' : 'columns',
    'float64',
    values.subarray(0, rows * cols),
    rows,
    cols,
  );
}
