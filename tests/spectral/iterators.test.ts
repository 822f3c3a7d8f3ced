// The layer iterators' pieces whose answers follow from WeightWatcher's definitions alone: which
// dimension align_mats chains two matrices on, and (end to end) that intra's rows pair consecutive
// layers only when their shapes chain. The rows' numbers are checked against WeightWatcher itself in
// weightwatcher-parity-options-b.test.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignMatrices, analyze, rng, Tensor } from 'weightlab/internal';

const matrix = (rows: number, cols: number) => ({ rows, cols, values: rng(rows * 1000 + cols).normal(rows * cols) });
const shape = (m: { rows: number; cols: number }) => [m.rows, m.cols];

test('alignMatrices chains on the shared extent, transposing whichever side needs it', () => {
  // PyTorch layout: fc1 (64, 32) then fc2 (48, 64) share 64: fc1ᵀ (32 x 64) · fc2ᵀ (64 x 48).
  let [w0, w1] = alignMatrices(matrix(64, 32), matrix(48, 64));
  assert.deepEqual(
    [shape(w0), shape(w1)],
    [
      [32, 64],
      [64, 48],
    ],
  );
  // Already chained: left as they are.
  [w0, w1] = alignMatrices(matrix(10, 20), matrix(20, 30));
  assert.deepEqual(
    [shape(w0), shape(w1)],
    [
      [10, 20],
      [20, 30],
    ],
  );
  // Both extents repeat (30 x 20 then 20 x 30): WeightWatcher takes the larger, 30.
  const original = matrix(30, 20);
  [w0, w1] = alignMatrices(original, matrix(20, 30));
  assert.deepEqual(
    [shape(w0), shape(w1)],
    [
      [20, 30],
      [30, 20],
    ],
  );
  // A transpose moves entry (r, c) to (c, r).
  assert.equal(w0.values[3 * 30 + 7], original.values[7 * 20 + 3]);
  // Nothing shared: returned unchanged (the pair then gives no row).
  [w0, w1] = alignMatrices(matrix(40, 48), matrix(30, 20));
  assert.deepEqual(
    [shape(w0), shape(w1)],
    [
      [40, 48],
      [30, 20],
    ],
  );
});

test('intra: one row per chained pair, named after both ids, the unchained pair skipped with its reason', async () => {
  const layer = (rows: number, cols: number, seed: number) =>
    new Tensor('float64', rng(seed).normal(rows * cols), [rows, cols]);
  const result = await analyze(
    { 'a.weight': layer(64, 32, 1), 'b.weight': layer(48, 64, 2), 'c.weight': layer(30, 20, 3) },
    { intra: true, sparsify: false, progress: false },
  );
  const rows = result.toJSON();
  assert.deepEqual(
    rows.map((row) => [row.layer_id, row.name, row.longname, row.N, row.M, row.Xflag]),
    [[2, '1 X 2 ', 'b', 48, 32, true]],
  );
  assert.match(result.skipped.find((s) => s.name === 'c')!.reason, /share no dimension/);
});
