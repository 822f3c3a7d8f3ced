// Dense "row dots" kernel: C = A Bᵀ for row-major A (m x k) and B (n x k), f64x2 SIMD.
// It is the library's matmul and Gram engine when onnxruntime-node is unavailable (browser,
// WEIGHTLAB_ENGINE=wasm): every product is a dot of two contiguous rows, which is the one
// memory pattern 128-bit wasm SIMD handles well. The JS side transposes operands so they
// arrive in this form (lib/src/backend/dense.ts).
//
// Memory contract (see lib/src/backend/wasm.ts): no allocation here; JS passes byte offsets
// into this module's memory. Compiled by lib/scripts/build-wasm.js (plain and relaxed-SIMD builds).

import { multiplyAdd } from './_multiply-add';

// Columns of A/B handled per pass: 2 rows of A + 4 rows of B of 256 doubles = 12 KiB, in L1.
const K_BLOCK: i32 = 256;
// Rows of B kept hot (in L2) while every row pair of A streams past them.
const J_BLOCK: i32 = 64;

@inline function horizontalSum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** C[i][j..j+3] and C[i+1][j..j+3] += dots over columns [k0, k1): a 2x4 register block. */
@inline function block2x4(a0: usize, a1: usize, b0: usize, ldb: usize, c0: usize, c1: usize, k0: i32, k1: i32): void {
  const b1 = b0 + ldb;
  const b2 = b1 + ldb;
  const b3 = b2 + ldb;
  let s00 = f64x2.splat(0), s01 = f64x2.splat(0), s02 = f64x2.splat(0), s03 = f64x2.splat(0);
  let s10 = f64x2.splat(0), s11 = f64x2.splat(0), s12 = f64x2.splat(0), s13 = f64x2.splat(0);
  let t = k0;
  for (; t + 1 < k1; t += 2) {
    const o = <usize>t << 3;
    const x0 = v128.load(a0 + o);
    const x1 = v128.load(a1 + o);
    const y0 = v128.load(b0 + o);
    const y1 = v128.load(b1 + o);
    const y2 = v128.load(b2 + o);
    const y3 = v128.load(b3 + o);
    s00 = multiplyAdd(x0, y0, s00); s01 = multiplyAdd(x0, y1, s01);
    s02 = multiplyAdd(x0, y2, s02); s03 = multiplyAdd(x0, y3, s03);
    s10 = multiplyAdd(x1, y0, s10); s11 = multiplyAdd(x1, y1, s11);
    s12 = multiplyAdd(x1, y2, s12); s13 = multiplyAdd(x1, y3, s13);
  }
  let r00 = horizontalSum(s00), r01 = horizontalSum(s01), r02 = horizontalSum(s02), r03 = horizontalSum(s03);
  let r10 = horizontalSum(s10), r11 = horizontalSum(s11), r12 = horizontalSum(s12), r13 = horizontalSum(s13);
  if (t < k1) { // odd column count: one scalar step
    const o = <usize>t << 3;
    const x0 = load<f64>(a0 + o), x1 = load<f64>(a1 + o);
    const y0 = load<f64>(b0 + o), y1 = load<f64>(b1 + o), y2 = load<f64>(b2 + o), y3 = load<f64>(b3 + o);
    r00 += x0 * y0; r01 += x0 * y1; r02 += x0 * y2; r03 += x0 * y3;
    r10 += x1 * y0; r11 += x1 * y1; r12 += x1 * y2; r13 += x1 * y3;
  }
  store<f64>(c0, load<f64>(c0) + r00); store<f64>(c0 + 8, load<f64>(c0 + 8) + r01);
  store<f64>(c0 + 16, load<f64>(c0 + 16) + r02); store<f64>(c0 + 24, load<f64>(c0 + 24) + r03);
  store<f64>(c1, load<f64>(c1) + r10); store<f64>(c1 + 8, load<f64>(c1 + 8) + r11);
  store<f64>(c1 + 16, load<f64>(c1 + 16) + r12); store<f64>(c1 + 24, load<f64>(c1 + 24) + r13);
}

/** Returns the dot of rows x and y over columns [k0, k1). */
@inline function dot(x: usize, y: usize, k0: i32, k1: i32): f64 {
  let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
  let t = k0;
  for (; t + 3 < k1; t += 4) {
    const o = <usize>t << 3;
    s0 = multiplyAdd(v128.load(x + o), v128.load(y + o), s0);
    s1 = multiplyAdd(v128.load(x + o + 16), v128.load(y + o + 16), s1);
  }
  let r = horizontalSum(f64x2.add(s0, s1));
  for (; t < k1; t++) {
    const o = <usize>t << 3;
    r += load<f64>(x + o) * load<f64>(y + o);
  }
  return r;
}

/**
 * C (m x n) = A Bᵀ, A m x k and B n x k row-major f64 at byte offsets a, b, c.
 * With lower != 0 (A and B the same matrix, m == n) only the lower triangle and diagonal are
 * computed (half the work), then mirrored, giving the symmetric Gram matrix A Aᵀ.
 */
export function rowDots(a: usize, m: i32, b: usize, n: i32, k: i32, c: usize, lower: i32): void {
  memory.fill(c, 0, <usize>m * <usize>n * 8);
  const lda = <usize>k << 3;
  const ldc = <usize>n << 3;
  for (let k0 = 0; k0 < k; k0 += K_BLOCK) {
    const k1 = min(k0 + K_BLOCK, k);
    for (let j0 = 0; j0 < n; j0 += J_BLOCK) {
      const j1 = min(j0 + J_BLOCK, n);
      // In lower mode rows i < j0 have no entries j >= j0 on or below the diagonal.
      let i = lower ? j0 & ~1 : 0;
      for (; i + 1 < m; i += 2) {
        // Row i+1 needs j <= i+1; row i also gets C[i][i+1], an upper entry the mirror overwrites.
        const jEnd = lower ? min(j1, i + 2) : j1;
        const a0 = a + <usize>i * lda;
        const a1 = a0 + lda;
        const c0 = c + <usize>i * ldc;
        const c1 = c0 + ldc;
        let j = j0;
        for (; j + 3 < jEnd; j += 4) {
          block2x4(a0, a1, b + <usize>j * lda, lda, c0 + (<usize>j << 3), c1 + (<usize>j << 3), k0, k1);
        }
        for (; j < jEnd; j++) {
          const bj = b + <usize>j * lda;
          const o = <usize>j << 3;
          store<f64>(c0 + o, load<f64>(c0 + o) + dot(a0, bj, k0, k1));
          store<f64>(c1 + o, load<f64>(c1 + o) + dot(a1, bj, k0, k1));
        }
      }
      if (i < m) { // last odd row
        const jEnd = lower ? min(j1, i + 1) : j1;
        const ai = a + <usize>i * lda;
        const ci = c + <usize>i * ldc;
        for (let j = j0; j < jEnd; j++) {
          const o = <usize>j << 3;
          store<f64>(ci + o, load<f64>(ci + o) + dot(ai, b + <usize>j * lda, k0, k1));
        }
      }
    }
  }
  if (lower) {
    for (let i = 0; i < m; i++) {
      for (let j = i + 1; j < n; j++) {
        store<f64>(c + <usize>i * ldc + (<usize>j << 3), load<f64>(c + <usize>j * ldc + (<usize>i << 3)));
      }
    }
  }
}
