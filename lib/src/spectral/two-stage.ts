// Driver of the two-stage tridiagonalisation kernels (lib/assembly/_band-reduction.ts and
// _bulge-chasing.ts) for one or two threads. The loops live here rather than in wasm so that each
// kernel is a short call the engine can optimise after its first few runs (a wasm function that
// runs once for the whole reduction would stay in the baseline tier: measured 1.5x slower at
// n = 768), and so that a helper thread can take half of each panel's two matrix products.


/** The kernel exports the driver calls. */
export interface TwoStageExports {
  symmetrizeFromUpper(a: number, n: number): void;
  bandPanelBlocks(n: number, b: number, k: number): number;
  bandPanelFactor(a: number, n: number, b: number, work: number, k: number): void;
  bandPanelProduct(a: number, n: number, b: number, work: number, k: number, rowBegin: number, rowEnd: number): void;
  bandPanelCorrection(n: number, b: number, work: number, k: number): void;
  bandPanelUpdate(a: number, n: number, b: number, work: number, k: number, blockBegin: number, blockEnd: number): void;
  bandSweeps(a: number, n: number, b: number, work: number, first: number, last: number): void;
  bandDiagonals(a: number, n: number, d: number, e: number): void;
}

/** A second thread: starts the same kernel call on a row range and is joined before the next step. */
export interface Helper {
  start(kind: 'bandProduct' | 'bandUpdate', args: number[]): number;
  join(ticket: number): void;
}

/** Trailing matrices smaller than this are not split between threads (a meeting costs more than the work). */
const SPLIT_MIN_ROWS = 64;
/** Sweeps per bulge-chasing call. */
const SWEEP_CHUNK = 64;

/** Row where the second share starts so that rows [begin, split) and [split, n) carry equal work when row i costs n - i. */
export function splitRow(begin: number, n: number): number {
  const total = n - begin;
  const tail = Math.floor(total / Math.SQRT2);
  return Math.min(n, Math.max(begin, n - tail));
}

/**
 * Reduces the symmetric n x n matrix at byte offset `a` (upper triangle valid; overwritten) to
 * tridiagonal form through a band of half-bandwidth `b` (a multiple of 8): diagonal at `d`,
 * subdiagonal at `e` (n doubles each). `work` holds bandWorkSize(n, b) doubles. With a `helper`,
 * the panel products are split between two threads.
 */
export function twoStageTridiagonal(k: TwoStageExports, a: number, n: number, b: number, d: number, e: number, work: number, helper?: Helper): void {
  k.symmetrizeFromUpper(a, n);
  for (let column = 0; n - column - b >= 2; column += b) {
    const m = n - column - b;
    const split = helper !== undefined && m >= SPLIT_MIN_ROWS;
    k.bandPanelFactor(a, n, b, work, column);
    if (split) {
      const half = (m >> 3) << 2; // a multiple of 4 rows, so both shares use whole tiles
      const ticket = helper.start('bandProduct', [a, n, b, work, column, half, m]);
      k.bandPanelProduct(a, n, b, work, column, 0, half);
      helper.join(ticket);
    } else {
      k.bandPanelProduct(a, n, b, work, column, 0, m);
    }
    k.bandPanelCorrection(n, b, work, column);
    const blocks = k.bandPanelBlocks(n, b, column);
    if (split) {
      // Block row i updates (blocks - i) tiles: split the triangle into halves of equal area.
      const middle = splitRow(0, blocks);
      const ticket = helper.start('bandUpdate', [a, n, b, work, column, middle, blocks]);
      k.bandPanelUpdate(a, n, b, work, column, 0, middle);
      helper.join(ticket);
    } else {
      k.bandPanelUpdate(a, n, b, work, column, 0, blocks);
    }
  }
  for (let first = 0; first < n - 2; first += SWEEP_CHUNK) k.bandSweeps(a, n, b, work, first, first + SWEEP_CHUNK);
  k.bandDiagonals(a, n, d, e);
}
