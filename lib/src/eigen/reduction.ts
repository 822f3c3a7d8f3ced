// Which tridiagonal reduction the wasm eigensolvers use, and with what bandwidth. One place for the
// crossover rules, so the one-thread (eigen-wasm), two-thread (eigen-parallel) and engine choice
// (solve.ts) agree. Numbers below are wall times on the project's 2-core machine, best of 15 calls
// (single calls there vary up to 2x with other jobs' load); bench/htsr.js has the same reductions
// as columns.
//
// 'one-stage': Householder tridiagonalisation with the rank-2 update fused into the next column's
// matrix-vector product (lib/assembly/eigen.ts). It streams the trailing matrix once per column.
// 'two-stage': dense -> band by blocked Householder QR of b-column panels, whose trailing updates
// are register-blocked matrix products, then band -> tridiagonal by bulge chasing
// (lib/assembly/_band-reduction.ts, _bulge-chasing.ts, driven by ./two-stage.ts). It reads the
// matrix once per panel, at the price of an O(n² b) second stage and per-panel work that only pays
// off for larger n; its two threads meet twice per panel instead of twice per column.

import { ArgumentError } from '../errors';

export type Reduction = 'auto' | 'one-stage' | 'two-stage';

/**
 * Order from which 'auto' picks the two-stage reduction, on one thread or two alike: two-stage on
 * two threads does exactly its one-thread operations (tests/eigen/two-stage.test.ts checks the
 * bits), while one-stage on two threads sums each column's partial products in another order. So
 * with one rule for both, the eigenvalues do not depend on how many threads the machine's load
 * allowed (one-stage 1T and 2T differed in 572 of 600 eigenvalues, in the last bits).
 * Best of 15 calls, idle second core, relaxed-SIMD kernels (ms; one-stage / two-stage):
 * one thread: 384: 6.1 / 7.9, 512: 14.9 / 16.0, 768: 43.0 / 45.5, 1024: 110 / 97.5, 1536: 337 / 289;
 * two threads: 384: 4.9 / 5.3, 512: 14.6 / 13.9, 768: 34.5 / 36.6, 1024: 69.1 / 56.0, 1536: 204 / 162.
 * From 512 on, two threads run when a core is spare, where two-stage is about as fast as
 * one-stage; on one thread it costs 5-10 % there (an earlier set of the same: 512: 15.9 / 17.8).
 */
export const TWO_STAGE_MIN_ORDER = 512;

/**
 * Order from which 'auto' uses two threads (when a core is spare, ./eigen-parallel
 * parallelWorthwhile). Numbers above; below 512 the reduction would have to switch to two-stage
 * for both thread counts (same bits), which costs one thread 30 % at 384.
 */
export const PARALLEL_MIN_ORDER = 512;

/**
 * Half-bandwidth of the intermediate band: a multiple of 8 (the kernels' tile width). Stage one
 * hardly depends on it, stage two costs 6 n² b. Measured: n = 1024, b = 8 / 16 / 32: 128 / 132 /
 * 146 ms; n = 2048, b = 16 / 24 / 32: 1002 / 1010 / 1032 ms (b = 8 there: 1000-1080).
 */
export function bandwidthFor(n: number): number {
  return n >= 1536 ? 16 : 8;
}

/** `bandwidth` if given (checked: a positive multiple of 8), else bandwidthFor(n). */
export function checkedBandwidth(n: number, bandwidth?: number): number {
  if (bandwidth === undefined) return bandwidthFor(n);
  if (!Number.isInteger(bandwidth) || bandwidth < 8 || bandwidth % 8 !== 0) {
    throw new ArgumentError('band width must be a positive multiple of 8', {
      field: 'bandwidth',
      expected: '8, 16, 24, ...',
      found: String(bandwidth),
    });
  }
  return bandwidth;
}

/** The reduction 'auto' resolves to for an n x n matrix (the same on one thread and two: see TWO_STAGE_MIN_ORDER). */
export function resolveReduction(reduction: Reduction, n: number): 'one-stage' | 'two-stage' {
  if (reduction === 'one-stage' || reduction === 'two-stage') return reduction;
  if (reduction !== 'auto')
    throw new ArgumentError('unknown reduction', {
      field: 'reduction',
      expected: "'auto' | 'one-stage' | 'two-stage'",
      found: String(reduction),
    });
  return n >= TWO_STAGE_MIN_ORDER ? 'two-stage' : 'one-stage';
}
