// Symmetric eigenvalues for spectral analysis, compiled to WebAssembly with 128-bit SIMD
// (f64x2): the float64 Gram matrix X Xᵀ of a layer's short side, Householder
// tridiagonalisation of its upper triangle (row-major, so every inner loop is contiguous, with
// the rank-2 update of step k fused into the matrix-vector product of step k+1 and two rows per
// pass, so the matrix streams through the cache once per step), then root-free QL
// (./_root-free-ql.ts). The same one-stage reduction in plain TypeScript is
// lib/src/eigen/eigen-js.ts (fallback and oracle).
// The two-stage reduction for large matrices (dense -> band -> tridiagonal) lives in
// ./_band-reduction.ts and ./_bulge-chasing.ts and is exported from this module too, so the
// shared-memory build of this kernel (lib/src/eigen/shared-module.ts) carries it.
// No allocator: the caller lays out every array in linear memory and passes byte offsets.

export { bandWorkSize, bandPanelBlocks, bandPanelFactor, bandPanelProduct, bandPanelCorrection, bandPanelUpdate, bandPanelClaimReset, bandPanelUpdateClaimed } from './_band-reduction';
export { bandSweeps, bandSweepsShared, bandSweepsReset, bandSweepsSharedBytes, bandSweepsAbandon, bandCompact, bandCompactSize, bandDiagonals } from './_bulge-chasing';
export { tridiagonalEigenvaluesRootFree } from './_root-free-ql';
import { addFourRowsTimesPanel, reflector } from './_band-reduction';
import { multiplyAdd, multiplySubtract } from './_multiply-add';

/** Columns of X per pass of gramUpper: a packed 4-row tile of that depth is 8 KB. */
const GRAM_DEPTH: i32 = 256;

/** Doubles of scratch gramUpper needs for X with `rows` rows: the packed slice and a 4 x 4 edge tile. */
export function gramPackSize(rows: i32): i32 { return rows * GRAM_DEPTH + 16; }

/**
 * Upper triangle of G = X Xᵀ (n x n, row stride n; the lower triangle is left unspecified) for X
 * with `rows` (a multiple of 4, zero-padded beyond n) rows of `k` float64. Per slice of GRAM_DEPTH
 * columns, X's rows are packed as 4-row tiles interleaved per column (`pack`, gramPackSize(rows)
 * doubles), and every 4 x 4 tile of G on or above the diagonal accumulates four splatted rows of
 * X times a packed tile: the register-blocked form of the band reduction's panel product. Measured
 * on one thread (768 x 3072): 21-22 GFLOP/s, against 10.8 for 2 x 4 dot products over whole rows,
 * whose 24 KB rows streamed from L2 for every tile.
 */
export function gramUpper(x: usize, n: i32, rows: i32, k: i32, g: usize, pack: usize): void {
  memory.fill(g, 0, (<usize>n * <usize>n) << 3);
  const rowBytes = <usize>k << 3, gRowBytes = <usize>n << 3;
  const edge = pack + ((<usize>rows * <usize>GRAM_DEPTH) << 3);
  for (let k0 = 0; k0 < k; k0 += GRAM_DEPTH) {
    const depth = min(GRAM_DEPTH, k - k0);
    for (let tile = 0; tile < rows; tile += 4) {
      const packed = pack + ((<usize>tile * <usize>depth) << 3);
      const source = x + <usize>tile * rowBytes + (<usize>k0 << 3);
      for (let t = 0; t < depth; t++) {
        for (let c = 0; c < 4; c++) store<f64>(packed + ((<usize>(t * 4 + c)) << 3), load<f64>(source + <usize>c * rowBytes + (<usize>t << 3)));
      }
    }
    const bytes = <usize>depth << 3;
    for (let i = 0; i < n; i += 4) {
      const first = x + <usize>i * rowBytes + (<usize>k0 << 3);
      for (let j = i; j < n; j += 4) {
        const panel = pack + ((<usize>j * <usize>depth) << 3);
        if (i + 3 < n && j + 3 < n) {
          addFourRowsTimesPanel(first, rowBytes, panel, bytes, g + <usize>i * gRowBytes + (<usize>j << 3), gRowBytes);
          continue;
        }
        // Edge tile: through a 4 x 4 scratch tile, then the rows and columns below n only.
        memory.fill(edge, 0, 128);
        addFourRowsTimesPanel(first, rowBytes, panel, bytes, edge, 32);
        for (let r = 0; r < 4 && i + r < n; r++) {
          for (let c = 0; c < 4 && j + c < n; c++) {
            const target = g + <usize>(i + r) * gRowBytes + (<usize>(j + c) << 3);
            store<f64>(target, load<f64>(target) + load<f64>(edge + (<usize>(r * 4 + c) << 3)));
          }
        }
      }
    }
  }
}

// @ts-ignore: decorator
@inline function at(base: usize, index: i32): usize { return base + (<usize>index << 3); }

/** dlarfg-style reflector from row k of `a` (columns k+1..n-1) into v; writes beta to e[k] (and over a[k][k+1]); returns tau. */
function householder(a: usize, n: i32, k: i32, v: usize, e: usize): f64 {
  const row = at(a, k * n);
  const tau = reflector(row, v, k + 1, n);
  store<f64>(at(e, k), load<f64>(at(row, k + 1)));
  return tau;
}

/** p = tau*p; p -= (tau/2)(p.v) v over [from, n); zero below `from`. */
function finishUpdateVector(p: usize, v: usize, tau: f64, from: i32, n: i32): void {
  let dot: f64 = 0;
  for (let i = from; i < n; i++) { const value = load<f64>(at(p, i)) * tau; store<f64>(at(p, i), value); dot += value * load<f64>(at(v, i)); }
  const half = 0.5 * tau * dot;
  for (let i = from; i < n; i++) store<f64>(at(p, i), load<f64>(at(p, i)) - half * load<f64>(at(v, i)));
  for (let i = 0; i < from; i++) store<f64>(at(p, i), 0);
}

/**
 * One fused pass over rows [begin, end) (all > k+1): apply step k's update A -= v wᵀ + w vᵀ to the
 * upper triangle and accumulate p += A_new u (u = the next reflector) into `p`. Two rows share the
 * loads of v, w, u and p. Exported so a second thread can run half of the rows.
 */
export function fusedRows(a: usize, n: i32, begin: i32, end: i32, v: usize, w: usize, u: usize, p: usize): void {
  let i = begin;
  for (; i + 1 < end; i += 2) {
    const row0 = at(a, i * n), row1 = at(a, (i + 1) * n);
    const v0 = load<f64>(at(v, i)), w0 = load<f64>(at(w, i)), u0 = load<f64>(at(u, i));
    const v1 = load<f64>(at(v, i + 1)), w1 = load<f64>(at(w, i + 1)), u1 = load<f64>(at(u, i + 1));
    // Scalar head: (i,i), (i,i+1), (i+1,i+1).
    const d0 = load<f64>(at(row0, i)) - 2 * v0 * w0;
    store<f64>(at(row0, i), d0);
    const c01 = load<f64>(at(row0, i + 1)) - v0 * w1 - w0 * v1;
    store<f64>(at(row0, i + 1), c01);
    const d1 = load<f64>(at(row1, i + 1)) - 2 * v1 * w1;
    store<f64>(at(row1, i + 1), d1);
    let sum0 = d0 * u0 + c01 * u1;
    let sum1 = d1 * u1;
    let pHead = load<f64>(at(p, i + 1)) + c01 * u0;
    store<f64>(at(p, i + 1), pHead);
    const sv0 = f64x2.splat(v0), sw0 = f64x2.splat(w0), su0 = f64x2.splat(u0);
    const sv1 = f64x2.splat(v1), sw1 = f64x2.splat(w1), su1 = f64x2.splat(u1);
    let acc0 = f64x2.splat(0), acc1 = f64x2.splat(0);
    let j = i + 2;
    for (; j + 1 < n; j += 2) {
      const wj = v128.load(at(w, j)), vj = v128.load(at(v, j)), uj = v128.load(at(u, j));
      const x0 = multiplySubtract(sw0, vj, multiplySubtract(sv0, wj, v128.load(at(row0, j))));
      const x1 = multiplySubtract(sw1, vj, multiplySubtract(sv1, wj, v128.load(at(row1, j))));
      v128.store(at(row0, j), x0);
      v128.store(at(row1, j), x1);
      acc0 = multiplyAdd(x0, uj, acc0);
      acc1 = multiplyAdd(x1, uj, acc1);
      const pj = multiplyAdd(x1, su1, multiplyAdd(x0, su0, v128.load(at(p, j))));
      v128.store(at(p, j), pj);
    }
    for (; j < n; j++) {
      const wj = load<f64>(at(w, j)), vj = load<f64>(at(v, j)), uj = load<f64>(at(u, j));
      const x0 = load<f64>(at(row0, j)) - v0 * wj - w0 * vj;
      const x1 = load<f64>(at(row1, j)) - v1 * wj - w1 * vj;
      store<f64>(at(row0, j), x0);
      store<f64>(at(row1, j), x1);
      sum0 += x0 * uj;
      sum1 += x1 * uj;
      store<f64>(at(p, j), load<f64>(at(p, j)) + x0 * u0 + x1 * u1);
    }
    sum0 += f64x2.extract_lane(acc0, 0) + f64x2.extract_lane(acc0, 1);
    sum1 += f64x2.extract_lane(acc1, 0) + f64x2.extract_lane(acc1, 1);
    store<f64>(at(p, i), load<f64>(at(p, i)) + sum0);
    store<f64>(at(p, i + 1), load<f64>(at(p, i + 1)) + sum1);
  }
  if (i < end) {
    const row = at(a, i * n);
    const vi = load<f64>(at(v, i)), wi = load<f64>(at(w, i)), ui = load<f64>(at(u, i));
    const diagonal = load<f64>(at(row, i)) - 2 * vi * wi;
    store<f64>(at(row, i), diagonal);
    let sum = diagonal * ui;
    for (let j = i + 1; j < n; j++) {
      const x = load<f64>(at(row, j)) - vi * load<f64>(at(w, j)) - wi * load<f64>(at(v, j));
      store<f64>(at(row, j), x);
      sum += x * load<f64>(at(u, j));
      store<f64>(at(p, j), load<f64>(at(p, j)) + x * ui);
    }
    store<f64>(at(p, i), load<f64>(at(p, i)) + sum);
  }
}

/** Applies step k's update to row i only (no accumulation). */
function updateRow(a: usize, n: i32, i: i32, v: usize, w: usize): void {
  const row = at(a, i * n);
  const vi = load<f64>(at(v, i)), wi = load<f64>(at(w, i));
  for (let j = i; j < n; j++) store<f64>(at(row, j), load<f64>(at(row, j)) - vi * load<f64>(at(w, j)) - wi * load<f64>(at(v, j)));
}

/**
 * Tridiagonal state between steps, for callers that drive the row passes themselves (two threads):
 * `begin(a, n, d, e, work)` does step 0's setup, then for k = 0..n-2: `stepHead(k)`, a fused pass over
 * rows [k+2, n) split among threads (`fusedRows` with the vectors at `vectorsOf(k)`), `stepTail(k)`.
 * `tridiagonalize` below runs the same sequence on one thread.
 */
let stateA: usize = 0, stateN: i32 = 0, stateD: usize = 0, stateE: usize = 0, stateWork: usize = 0;
let tauNext: f64 = 0;

/** Byte offset of vector `slot` (0..3) of the work area for step k: slots rotate each step. */
export function vectorAt(k: i32, slot: i32): usize {
  // Work holds 4 vectors: v, w of step k and u (next v), p (next w); they swap roles every step.
  const even = (k & 1) == 0;
  const swapped = even ? slot : slot ^ 2;
  return stateWork + (<usize>swapped * <usize>stateN << 3);
}

export function begin(a: usize, n: i32, d: usize, e: usize, work: usize): void {
  stateA = a; stateN = n; stateD = d; stateE = e; stateWork = work;
  memory.fill(work, 0, <usize>n * 32);
  if (n == 0) return;
  store<f64>(at(e, n - 1), 0);
  const v = vectorAt(0, 0), w = vectorAt(0, 1);
  const tau = householder(a, n, 0, v, e);
  store<f64>(d, load<f64>(a));
  for (let i = 1; i < n; i++) {
    const row = at(a, i * n);
    const vi = load<f64>(at(v, i));
    let sum = load<f64>(at(row, i)) * vi;
    for (let j = i + 1; j < n; j++) {
      const x = load<f64>(at(row, j));
      sum += x * load<f64>(at(v, j));
      store<f64>(at(w, j), load<f64>(at(w, j)) + x * vi);
    }
    store<f64>(at(w, i), load<f64>(at(w, i)) + sum);
  }
  finishUpdateVector(w, v, tau, 1, n);
}

/** Step k, before the pass: update row k+1, record its diagonal, build the next reflector, clear p. */
export function stepHead(k: i32): void {
  const n = stateN, a = stateA;
  const v = vectorAt(k, 0), w = vectorAt(k, 1), u = vectorAt(k, 2), p = vectorAt(k, 3);
  const first = k + 1;
  updateRow(a, n, first, v, w);
  store<f64>(at(stateD, first), load<f64>(at(a, first * n + first)));
  tauNext = first < n - 1 ? householder(a, n, first, u, stateE) : 0;
  for (let j = 0; j < n; j++) store<f64>(at(p, j), 0);
}

/** Step k, after the pass(es): turn p into the next update vector (second thread's partial sums in `extra`, or 0). */
export function stepTail(k: i32, extra: usize): void {
  const n = stateN;
  const u = vectorAt(k, 2), p = vectorAt(k, 3);
  if (extra != 0) {
    for (let j = 0; j < n; j++) store<f64>(at(p, j), load<f64>(at(p, j)) + load<f64>(at(extra, j)));
  }
  if (k + 1 < n - 1) finishUpdateVector(p, u, tauNext, k + 2, n);
}

/** Reduces the n x n symmetric matrix at `a` (upper triangle) to tridiagonal (d, e) on one thread. */
export function tridiagonalize(a: usize, n: i32, d: usize, e: usize, work: usize): void {
  begin(a, n, d, e, work);
  for (let k = 0; k < n - 1; k++) {
    stepHead(k);
    fusedRows(a, n, k + 2, n, vectorAt(k, 0), vectorAt(k, 1), vectorAt(k, 2), vectorAt(k, 3));
    stepTail(k, 0);
  }
}
