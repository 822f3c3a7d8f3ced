// Stage two of the two-stage symmetric tridiagonalisation: band (half-bandwidth b) -> tridiagonal,
// by Householder bulge chasing (the column-by-column scheme of LAPACK's dsb2st kernels). Sweep j
// annihilates column j below the subdiagonal with a reflector of length <= b; applying it creates
// a b x b bulge below the band, whose first column the next reflector annihilates, and so on down
// the matrix. Leftover fill from one sweep lies inside the window of the next, so each sweep
// touches O(n b) entries and the whole stage costs about 6 n² b flops, all on short contiguous rows.
//
// Storage: a compact copy of the band (bandCompact): row r keeps columns r - 2b .. r (the band
// and the bulges' fill), so element (r, c) of the lower triangle sits at r * 2b + c from the
// band's origin, and the kernels below address it as a row-major matrix with row stride 2b. A
// step's rows are then 2b + 1 doubles apart instead of n: the whole band of a 1024 x 1024 matrix
// (b = 8) is 136 KB and stays in L2, where rows of the dense matrix (8 KB apart) each sat on their
// own page. The diagonal and subdiagonal are returned in (d, e).

import { axpyRange, dotRange, reflector } from './_band-reduction';
import { multiplyAdd, multiplySubtract } from './_multiply-add';

// @ts-ignore: decorator
@inline function at(base: usize, index: i32): usize { return base + (<usize>index << 3); }

/** D <- H D H for the symmetric block D = A[s..s+len)² (lower triangle, row stride `stride`), H = I - tau v vᵀ. */
function twoSided(a: usize, stride: i32, s: i32, len: i32, v: usize, tau: f64, p: usize): void {
  for (let t = 0; t < len; t++) store<f64>(at(p, t), 0);
  // p = D v from the lower triangle: row i gives p[i] += D[i][0..i] · v and p[0..i) += D[i][0..i) v[i], in one pass.
  for (let i = 0; i < len; i++) {
    const row = at(a, (s + i) * stride + s);
    const vi = load<f64>(at(v, i));
    const svi = f64x2.splat(vi);
    let acc = f64x2.splat(0);
    let c = 0;
    for (; c + 1 < i; c += 2) {
      const x = v128.load(at(row, c));
      acc = multiplyAdd(x, v128.load(at(v, c)), acc);
      v128.store(at(p, c), multiplyAdd(x, svi, v128.load(at(p, c))));
    }
    let sum = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
    for (; c < i; c++) {
      const x = load<f64>(at(row, c));
      sum += x * load<f64>(at(v, c));
      store<f64>(at(p, c), load<f64>(at(p, c)) + x * vi);
    }
    store<f64>(at(p, i), load<f64>(at(p, i)) + sum + load<f64>(at(row, i)) * vi);
  }
  let pv: f64 = 0;
  for (let t = 0; t < len; t++) { const x = load<f64>(at(p, t)) * tau; store<f64>(at(p, t), x); pv += x * load<f64>(at(v, t)); }
  const half = -0.5 * tau * pv;
  for (let t = 0; t < len; t++) store<f64>(at(p, t), load<f64>(at(p, t)) + half * load<f64>(at(v, t)));
  // D -= v wᵀ + w vᵀ (w = p), lower triangle including the diagonal, one pass per row.
  for (let i = 0; i < len; i++) {
    const row = at(a, (s + i) * stride + s);
    const vi = load<f64>(at(v, i)), wi = load<f64>(at(p, i));
    const svi = f64x2.splat(vi), swi = f64x2.splat(wi);
    let c = 0;
    for (; c + 1 <= i; c += 2) {
      const x = multiplySubtract(swi, v128.load(at(v, c)), multiplySubtract(svi, v128.load(at(p, c)), v128.load(at(row, c))));
      v128.store(at(row, c), x);
    }
    for (; c <= i; c++) store<f64>(at(row, c), load<f64>(at(row, c)) - vi * load<f64>(at(p, c)) - wi * load<f64>(at(v, c)));
  }
}

/** B <- B (I - tau v vᵀ) for the rows x length block at `block` (row stride `stride`), two rows per pass. */
function applyRight(block: usize, stride: i32, rows: i32, length: i32, v: usize, tau: f64): void {
  const rowBytes = <usize>stride << 3;
  let i = 0;
  for (; i + 1 < rows; i += 2) {
    const r0 = block + <usize>i * rowBytes, r1 = r0 + rowBytes;
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0);
    let c = 0;
    for (; c + 1 < length; c += 2) {
      const vc = v128.load(at(v, c));
      a0 = multiplyAdd(v128.load(at(r0, c)), vc, a0);
      a1 = multiplyAdd(v128.load(at(r1, c)), vc, a1);
    }
    let t0 = f64x2.extract_lane(a0, 0) + f64x2.extract_lane(a0, 1);
    let t1 = f64x2.extract_lane(a1, 0) + f64x2.extract_lane(a1, 1);
    for (; c < length; c++) { const vc = load<f64>(at(v, c)); t0 += load<f64>(at(r0, c)) * vc; t1 += load<f64>(at(r1, c)) * vc; }
    t0 *= tau; t1 *= tau;
    const s0 = f64x2.splat(t0), s1 = f64x2.splat(t1);
    c = 0;
    for (; c + 1 < length; c += 2) {
      const vc = v128.load(at(v, c));
      v128.store(at(r0, c), multiplySubtract(s0, vc, v128.load(at(r0, c))));
      v128.store(at(r1, c), multiplySubtract(s1, vc, v128.load(at(r1, c))));
    }
    for (; c < length; c++) { const vc = load<f64>(at(v, c)); store<f64>(at(r0, c), load<f64>(at(r0, c)) - t0 * vc); store<f64>(at(r1, c), load<f64>(at(r1, c)) - t1 * vc); }
  }
  if (i < rows) {
    const row = block + <usize>i * rowBytes;
    axpyRange(row, v, tau * dotRange(row, v, 0, length), 0, length);
  }
}

/**
 * Sweeps [first, last) of the band of half-bandwidth b of an n x n matrix, held in the compact
 * band with origin `a` (bandCompact; sweep j clears column j below the subdiagonal). Sweeps must run in
 * order; after sweeps [0, n-2) the matrix is tridiagonal (see `bandDiagonals`). Callers drive
 * them in chunks so that the engine can optimise this function between calls.
 * `work` holds 5 (b + 2) doubles.
 */
export function bandSweeps(a: usize, n: i32, b: i32, work: usize, first: i32, last: i32): void {
  for (let j = first; j < min(last, n - 2); j++) sweep(a, n, b, work, j, 0, 0, WHOLE);
}

/**
 * Sweeps [first, last) shared by two threads that share the matrix, split by rows rather than by
 * sweep: one thread runs `part` HEAD of every sweep (its first headSteps steps, the rows near the
 * top of the remaining matrix), the other `part` TAIL (the rest, further down), each with its own
 * `work` (5 (b + 2) doubles). A bulge's rows stay in one core's cache except where the two parts
 * meet; splitting by sweep instead (even sweeps on one thread, odd on the other, each trailing the
 * other by a few steps) moved every step's rows from core to core and gained only 15-25 %.
 * `shared` (bandSweepsSharedBytes, zeroed by bandSweepsReset before sweep 0) holds one slot per
 * sweep: its progress counter (steps done, on a cache line of its own) and the state the head
 * hands to the tail. Sweeps [0, first) must be complete.
 */
export function bandSweepsShared(a: usize, n: i32, b: i32, work: usize, shared: usize, first: i32, last: i32, part: i32): void {
  const slotBytes = sweepSlotBytes(b);
  for (let j = first; j < min(last, n - 2); j++) sweep(a, n, b, work, j, shared, slotBytes, part);
}

const WHOLE: i32 = 0;
const HEAD: i32 = 1;
const TAIL: i32 = 2;

/** Bytes of one sweep's slot: the progress counter's cache line, then start, length, tau and the reflector v (b doubles). */
// @ts-ignore: decorator
@inline function sweepSlotBytes(b: i32): i32 { return (64 + 16 + 8 * b + 63) & ~63; }

/** Bytes of the shared sweep state bandSweepsShared needs for an n x n matrix with half-bandwidth b. */
export function bandSweepsSharedBytes(n: i32, b: i32): i32 { return n * sweepSlotBytes(b); }

/** Zeroes the shared sweep state before sweep 0. */
export function bandSweepsReset(shared: usize, n: i32, b: i32): void {
  memory.fill(shared, 0, <usize>bandSweepsSharedBytes(n, b));
}

/** Marks every sweep done, so a thread waiting on its partner's progress returns (the partner failed; the result is discarded). */
export function bandSweepsAbandon(shared: usize, n: i32, b: i32): void {
  const slotBytes = sweepSlotBytes(b);
  for (let j = 0; j < n; j++) atomic.store<i32>(shared + <usize>j * <usize>slotBytes, DONE);
}

/**
 * Steps of sweep j run by the head: about half of its (n - 1 - j) / b steps, so both threads get
 * as many; short sweeps (under 4 steps) run whole on the head.
 */
// @ts-ignore: decorator
@inline function headSteps(n: i32, b: i32, j: i32): i32 {
  const half = (n - 1 - j) / (2 * b);
  return half < 2 ? DONE : half;
}

/** A sweep's published progress once it has finished all its steps. */
const DONE: i32 = 0x7fffffff;
/** Extra steps a waiting sweep lets its predecessor get ahead, so it reads the shared counter about once per SLACK + 1 steps rather than every step. */
const SLACK: i32 = 4;

/**
 * Sweep j, or its HEAD or TAIL part. Its step t (the chase of the t-th bulge; step 0 also clears
 * column j) reads and writes only rows and columns [j+1+tb, j+1+(t+2)b), and the same step of
 * sweep j-1 works on the window one row up: so step t of sweep j may start once sweep j-1 has done
 * its steps up to t + 2, and no later step of sweep j-1 touches this window. Whichever thread runs
 * a step publishes it in the sweep's counter; the head, at its last step, also leaves the tail the
 * chase's state (window start and length, tau, v). With `shared` = 0 nothing is published or awaited.
 */
// @ts-ignore: decorator
@inline function sweep(a: usize, n: i32, b: i32, work: usize, j: i32, shared: usize, slotBytes: i32, part: i32): void {
  const stride = <usize>(b + 2) << 3;
  const ld = 2 * b; // the compact band's row stride
  let v = work, next = work + stride;
  const x = next + stride, p = x + stride, s = p + stride;
  const mine = shared + <usize>j * <usize>slotBytes, before = mine - <usize>slotBytes;
  const handoff = mine + 64;
  const waits = shared != 0 && j > 0;
  const split = part == WHOLE ? DONE : headSteps(n, b, j);
  let seen: i32 = 0;
  let step: i32 = 0;
  let start = j + 1;
  let length = min(b, n - 1 - j);
  let tau: f64 = 0;
  if (length < 2) {
    if (shared != 0 && part != TAIL) atomic.store<i32>(mine, DONE);
    return;
  }
  if (part == TAIL) {
    let handed = atomic.load<i32>(mine);
    while (handed < split) handed = atomic.load<i32>(mine);
    if (handed == DONE) return;
    step = split;
    start = load<i32>(handoff);
    length = load<i32>(handoff, 4);
    tau = load<f64>(handoff, 8);
    memory.copy(v, handoff + 16, <usize>length << 3);
  } else {
    if (waits) while (seen < 3) seen = atomic.load<i32>(before);
    for (let t = 0; t < length; t++) store<f64>(at(x, t), load<f64>(at(a, (start + t) * ld + j)));
    tau = reflector(x, v, 0, length);
    store<f64>(at(a, start * ld + j), load<f64>(x));
    for (let t = 1; t < length; t++) store<f64>(at(a, (start + t) * ld + j), 0);
    if (tau != 0) twoSided(a, ld, start, length, v, tau, p);
  }
  for (;;) {
    const below = start + length;
    if (below >= n) break;
    if (part == HEAD && step == split) {
      store<i32>(handoff, start);
      store<i32>(handoff, length, 4);
      store<f64>(handoff, tau, 8);
      memory.copy(handoff + 16, v, <usize>length << 3);
      atomic.store<i32>(mine, step);
      return;
    }
    if (waits && seen < step + 3) {
      while (seen < step + 3 + SLACK && seen != DONE) seen = atomic.load<i32>(before);
    }
    const rows = min(b, n - below);
    // The previous reflector from the right on the rows below its block: fills the bulge.
    if (tau != 0) {
      applyRight(at(a, below * ld + start), ld, rows, length, v, tau);
    }
    if (rows < 2) break;
    // A reflector for the bulge's first column, from the left on the bulge's other columns.
    for (let t = 0; t < rows; t++) store<f64>(at(x, t), load<f64>(at(a, (below + t) * ld + start)));
    const tauNext = reflector(x, next, 0, rows);
    store<f64>(at(a, below * ld + start), load<f64>(x));
    for (let t = 1; t < rows; t++) store<f64>(at(a, (below + t) * ld + start), 0);
    if (tauNext != 0) {
      const width = length - 1;
      for (let c = 0; c < width; c++) store<f64>(at(s, c), 0);
      for (let i = 0; i < rows; i++) axpyRange(s, at(a, (below + i) * ld + start + 1), -load<f64>(at(next, i)), 0, width);
      for (let i = 0; i < rows; i++) axpyRange(at(a, (below + i) * ld + start + 1), s, tauNext * load<f64>(at(next, i)), 0, width);
      twoSided(a, ld, below, rows, next, tauNext, p);
    }
    const swap = v; v = next; next = swap;
    tau = tauNext;
    start = below;
    length = rows;
    step++;
    // The head's count reaching `split` is the tail's signal that the state is handed over, so
    // the head publishes that count only at the handoff, after writing the state.
    if (shared != 0 && (part != HEAD || step != split)) atomic.store<i32>(mine, step);
  }
  if (shared != 0) atomic.store<i32>(mine, DONE);
}

/** Doubles of the compact band of an n x n matrix with half-bandwidth b (see the storage note above). */
export function bandCompactSize(n: i32, b: i32): i32 { return n * (2 * b + 1); }

/**
 * Copies the band (distance 0..b from the diagonal) of the dense row-major n x n matrix at `a`,
 * read from its upper triangle (where stage one leaves it), into the lower triangle of the compact
 * band at `band` (bandCompactSize doubles), with zeros at distance b+1..2b for the bulges' fill.
 * Returns the band's origin (where element (0, 0) sits), the `a` the sweeps and bandDiagonals take.
 */
export function bandCompact(a: usize, n: i32, b: i32, band: usize): usize {
  const ld = 2 * b, width = ld + 1;
  for (let r = 0; r < n; r++) {
    const slot = at(band, r * width);
    for (let distance = 0; distance <= ld; distance++) {
      const c = r - distance;
      store<f64>(at(slot, ld - distance), c >= 0 && distance <= b ? load<f64>(at(a, c * n + r)) : 0);
    }
  }
  return at(band, ld);
}

/** The diagonal (d) and subdiagonal (e, with e[n-1] = 0) of the compact band with origin `band` (half-bandwidth b). */
export function bandDiagonals(band: usize, n: i32, b: i32, d: usize, e: usize): void {
  const ld = 2 * b;
  for (let i = 0; i < n; i++) {
    store<f64>(at(d, i), load<f64>(at(band, i * ld + i)));
    store<f64>(at(e, i), i + 1 < n ? load<f64>(at(band, (i + 1) * ld + i)) : 0);
  }
}
