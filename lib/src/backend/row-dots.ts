// C = A Bᵀ for row-major float64 A (m x k) and B (n x k): the one kernel behind matmul and Gram
// when onnxruntime-node is not used. Two implementations with one contract: the AssemblyScript
// f64x2 kernel (lib/assembly/gram.ts) and a plain-JS one (the WEIGHTLAB_ENGINE=js reference,
// and the fallback when the wasm file is missing). Both accumulate in float64.

import { wasmKernel, wasmKernelAvailable } from './wasm';

interface GramExports {
  rowDots(a: number, m: number, b: number, n: number, k: number, c: number, lower: number): void;
}

/** Which implementation `rowDots` uses now. */
export function rowDotsEngine(): 'wasm' | 'js' {
  return wasmKernelAvailable('gram') ? 'wasm' : 'js';
}

/**
 * C (m x n) = A Bᵀ. With `symmetric` (B is A, m == n) only the lower triangle is computed and
 * mirrored: the Gram matrix A Aᵀ at half the cost.
 */
export function rowDots(
  a: Float64Array,
  m: number,
  b: Float64Array,
  n: number,
  k: number,
  symmetric = false,
): Float64Array {
  if (rowDotsEngine() === 'wasm') return rowDotsWasm(a, m, b, n, k, symmetric);
  return rowDotsJs(a, m, b, n, k, symmetric);
}

/** The wasm kernel (throws if it is not built). */
export function rowDotsWasm(
  a: Float64Array,
  m: number,
  b: Float64Array,
  n: number,
  k: number,
  symmetric = false,
): Float64Array {
  const kernel = wasmKernel<GramExports>('gram');
  return kernel.withArena(() => {
    const pa = kernel.writeFloat64(a);
    const pb = symmetric ? pa : kernel.writeFloat64(b);
    const pc = kernel.allocateFloat64(m * n);
    kernel.exports.rowDots(pa, m, pb, n, k, pc, symmetric ? 1 : 0);
    return kernel.readFloat64(pc, m * n);
  });
}

// Columns per pass: two rows of A and two of B (4 x 2 KiB) stay in L1.
const K_BLOCK = 256;

/** Plain JS: 2x2 register blocks over k-blocks, float64 accumulation. */
export function rowDotsJs(
  a: Float64Array,
  m: number,
  b: Float64Array,
  n: number,
  k: number,
  symmetric = false,
): Float64Array {
  const c = new Float64Array(m * n);
  for (let k0 = 0; k0 < k; k0 += K_BLOCK) {
    const k1 = Math.min(k0 + K_BLOCK, k);
    for (let i = 0; i < m; i += 2) {
      const twoRows = i + 1 < m;
      const a0 = i * k;
      const a1 = a0 + k;
      const jEnd = symmetric ? Math.min(n, i + 2) : n;
      for (let j = 0; j < jEnd; j += 2) {
        const twoCols = j + 1 < jEnd;
        const b0 = j * k;
        const b1 = b0 + k;
        let s00 = 0,
          s01 = 0,
          s10 = 0,
          s11 = 0;
        if (twoRows && twoCols) {
          for (let t = k0; t < k1; t++) {
            const x0 = a[a0 + t],
              x1 = a[a1 + t],
              y0 = b[b0 + t],
              y1 = b[b1 + t];
            s00 += x0 * y0;
            s01 += x0 * y1;
            s10 += x1 * y0;
            s11 += x1 * y1;
          }
          c[i * n + j] += s00;
          c[i * n + j + 1] += s01;
          c[(i + 1) * n + j] += s10;
          c[(i + 1) * n + j + 1] += s11;
        } else {
          for (let t = k0; t < k1; t++) {
            const x0 = a[a0 + t],
              y0 = b[b0 + t];
            s00 += x0 * y0;
            if (twoCols) s01 += x0 * b[b1 + t];
            if (twoRows) s10 += a[a1 + t] * y0;
          }
          c[i * n + j] += s00;
          if (twoCols) c[i * n + j + 1] += s01;
          if (twoRows) c[(i + 1) * n + j] += s10;
        }
      }
    }
  }
  if (symmetric) {
    for (let i = 0; i < m; i++) for (let j = i + 1; j < n; j++) c[i * n + j] = c[j * n + i];
  }
  return c;
}
