// Driver of the two-stage tridiagonalisation kernels (lib/assembly/_band-reduction.ts and
// _bulge-chasing.ts) for one or two threads. The loops live here rather than in wasm so that each
// kernel is a short call the engine can optimise after its first few runs (a wasm function that
// runs once for the whole reduction would stay in the baseline tier: measured 1.5x slower at
// n = 768), and so that a helper thread can take half of each panel's two matrix products and
// the second half of every sweep of the bulge chasing.
import { ShapeError } from '../errors';

/** The kernel exports the driver calls. */
export interface TwoStageExports {
  bandPanelBlocks(n: number, b: number, k: number): number;
  bandPanelFactor(a: number, n: number, b: number, work: number, k: number): void;
  bandPanelProduct(
    a: number,
    n: number,
    b: number,
    work: number,
    k: number,
    blockBegin: number,
    blockEnd: number,
    part: number,
  ): void;
  bandPanelCorrection(n: number, b: number, work: number, k: number): void;
  bandPanelUpdate(a: number, n: number, b: number, work: number, k: number, blockBegin: number, blockEnd: number): void;
  bandPanelClaimReset(n: number, b: number, work: number, first: number): void;
  bandPanelUpdateClaimed(
    a: number,
    n: number,
    b: number,
    work: number,
    k: number,
    blockEnd: number,
    chunk: number,
  ): void;
  bandSweeps(a: number, n: number, b: number, work: number, first: number, last: number): void;
  bandSweepsShared(
    a: number,
    n: number,
    b: number,
    work: number,
    shared: number,
    first: number,
    last: number,
    part: number,
  ): void;
  bandSweepsReset(shared: number, n: number, b: number): void;
  bandSweepsSharedBytes(n: number, b: number): number;
  bandSweepsAbandon(shared: number, n: number, b: number): void;
  bandWorkSize(n: number, b: number): number;
  bandCompact(a: number, n: number, b: number, band: number): number;
  bandCompactSize(n: number, b: number): number;
  bandDiagonals(band: number, n: number, b: number, d: number, e: number): void;
}

/** A second thread: starts the same kernel call on a row range and is joined before the next step. */
export interface Helper {
  start(kind: 'bandProduct' | 'bandUpdate' | 'bandSweeps', args: number[]): number;
  join(ticket: number): void;
}

/** Trailing matrices smaller than this are not split between threads (a meeting costs more than the work). */
const SPLIT_MIN_ROWS = 64;
/** Sweeps per bulge-chasing call. */
const SWEEP_CHUNK = 64;
/** bandSweepsShared's parts: the first half of each sweep's steps, and the rest. */
const SWEEP_HEAD = 1,
  SWEEP_TAIL = 2;
/**
 * Claims per panel into which the update's block rows are cut for the two threads
 * (bandPanelUpdateClaimed): each claim is one atomic add on a shared counter; 32 keep the last
 * claim small against the panel's update and the claims' cost far below it.
 */
const UPDATE_CLAIMS = 32;

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
 * the panel products, the updates and the bulge chasing are shared between two threads, and main
 * factors the next panel while the helper starts on the update (look-ahead: the next panel's
 * columns are the first b/4 block rows of the update, which main does first); the rest of the
 * update goes to whichever thread claims it first.
 */
export function twoStageTridiagonal(
  k: TwoStageExports,
  a: number,
  n: number,
  b: number,
  d: number,
  e: number,
  work: number,
  helper?: Helper,
): void {
  let factored = -1; // column of a panel already factored ahead
  for (let column = 0; n - column - b >= 2; column += b) {
    const m = n - column - b;
    const split = helper !== undefined && m >= SPLIT_MIN_ROWS;
    if (factored !== column) k.bandPanelFactor(a, n, b, work, column);
    // The symmetric product in two parts split at the same block on one thread or two (block row
    // i reads blocks - i tiles), so the sums do not depend on the thread count.
    const blocks = k.bandPanelBlocks(n, b, column);
    const productSplit = splitRow(0, blocks);
    if (split) {
      const ticket = helper.start('bandProduct', [a, n, b, work, column, productSplit, blocks, 1]);
      k.bandPanelProduct(a, n, b, work, column, 0, productSplit, 0);
      helper.join(ticket);
    } else {
      k.bandPanelProduct(a, n, b, work, column, 0, productSplit, 0);
      k.bandPanelProduct(a, n, b, work, column, productSplit, blocks, 1);
    }
    k.bandPanelCorrection(n, b, work, column);
    if (!split) {
      k.bandPanelUpdate(a, n, b, work, column, 0, blocks);
      continue;
    }
    const next = column + b;
    const panelBlocks = b >> 2;
    const lookAhead = n - next - b >= 2;
    // Both threads claim block rows of the update from a shared counter; main first updates the
    // next panel's block rows itself and factors that panel (look-ahead), then joins the claiming.
    const first = lookAhead ? panelBlocks : 0;
    const chunk = Math.max(1, Math.ceil((blocks - first) / UPDATE_CLAIMS));
    k.bandPanelClaimReset(n, b, work, first);
    const ticket = helper.start('bandUpdate', [a, n, b, work, column, blocks, chunk]);
    if (lookAhead) {
      k.bandPanelUpdate(a, n, b, work, column, 0, panelBlocks);
      k.bandPanelFactor(a, n, b, work, next);
      factored = next;
    }
    k.bandPanelUpdateClaimed(a, n, b, work, column, blocks, chunk);
    helper.join(ticket);
  }
  // Stage two on a compact copy of the band at the start of the work area (stage one's work is
  // done), then each thread's 5 (b + 2) doubles of sweep scratch, then (two threads) the sweeps'
  // shared slots on their own cache lines.
  const band = k.bandCompact(a, n, b, work);
  const scratch = work + 8 * k.bandCompactSize(n, b);
  const helperScratch = scratch + 8 * 5 * (b + 2);
  const shared = Math.ceil((helperScratch + 8 * 5 * (b + 2)) / 64) * 64;
  if (helper !== undefined) {
    // The head of every sweep here, the tail on the helper (bandSweepsShared).
    if (shared + k.bandSweepsSharedBytes(n, b) > work + 8 * k.bandWorkSize(n, b))
      throw new ShapeError('two-stage work area too small for the shared sweeps', {
        field: 'work',
        expected: `at least ${shared + k.bandSweepsSharedBytes(n, b) - work} bytes`,
        found: `${8 * k.bandWorkSize(n, b)} bytes`,
      });
    k.bandSweepsReset(shared, n, b);
    for (let first = 0; first < n - 2; first += SWEEP_CHUNK) {
      const ticket = helper.start('bandSweeps', [
        band,
        n,
        b,
        helperScratch,
        shared,
        first,
        first + SWEEP_CHUNK,
        SWEEP_TAIL,
      ]);
      k.bandSweepsShared(band, n, b, scratch, shared, first, first + SWEEP_CHUNK, SWEEP_HEAD);
      helper.join(ticket);
    }
  } else {
    for (let first = 0; first < n - 2; first += SWEEP_CHUNK)
      k.bandSweeps(band, n, b, scratch, first, first + SWEEP_CHUNK);
  }
  k.bandDiagonals(band, n, b, d, e);
}
