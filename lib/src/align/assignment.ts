// Linear sum assignment (the "Hungarian" problem): weight matching solves one per permutation
// group per sweep, and the novelty metrics one per (generated, train) pair, so it must be exact
// and fast for n up to a few hundred. This is the shortest-augmenting-path form of
// Jonker-Volgenant (Crouse 2016, the algorithm behind scipy's linear_sum_assignment), in float64.

import { ArgumentError, NumericalError } from '../errors';

export interface Assignment {
  /** columnOf[i] = the column assigned to row i. */
  columnOf: Int32Array;
  /** The summed cost (or gain, when maximising) of the assignment. */
  total: number;
}

export interface AssignmentOptions {
  /** Maximise the summed entries instead of minimising them (weight matching maximises similarity). */
  maximize?: boolean;
}

/**
 * Solves min (or max) over permutations σ of Σ_i cost[i, σ(i)] for a square n×n matrix given
 * row-major. Exact: each of the n augmentations is a Dijkstra search on reduced costs, O(n³).
 */
export function linearAssignment(cost: ArrayLike<number>, n: number, options: AssignmentOptions = {}): Assignment {
  if (!Number.isInteger(n) || n < 0)
    throw new ArgumentError('matrix size must be a non-negative integer', { field: 'n', found: String(n) });
  if (cost.length !== n * n)
    throw new ArgumentError('cost must be a square matrix of n*n entries', {
      field: 'cost',
      expected: String(n * n),
      found: String(cost.length),
    });
  const sign = options.maximize ? -1 : 1;
  const c = new Float64Array(n * n);
  for (let k = 0; k < n * n; k++) {
    const value = cost[k];
    if (!Number.isFinite(value))
      throw new NumericalError('cost matrix has a non-finite entry', {
        field: `cost[${Math.floor(k / n)}, ${k % n}]`,
        found: String(value),
      });
    c[k] = sign * value;
  }
  // Dual variables u (rows) and v (columns); rowOfColumn[j] = row matched to column j, or -1.
  const u = new Float64Array(n);
  const v = new Float64Array(n);
  const rowOfColumn = new Int32Array(n).fill(-1);
  const columnOf = new Int32Array(n).fill(-1);
  const shortest = new Float64Array(n);
  const path = new Int32Array(n);
  const scannedRow = new Uint8Array(n);
  const scannedColumn = new Uint8Array(n);
  const remaining = new Int32Array(n);

  for (let start = 0; start < n; start++) {
    // Dijkstra from row `start` over columns, on reduced costs c[i,j] - u[i] - v[j] >= 0.
    shortest.fill(Infinity);
    path.fill(-1);
    scannedRow.fill(0);
    scannedColumn.fill(0);
    for (let j = 0; j < n; j++) remaining[j] = n - 1 - j;
    let remainingCount = n;
    let minValue = 0;
    let row = start;
    let sink = -1;
    while (sink === -1) {
      scannedRow[row] = 1;
      let lowest = Infinity;
      let index = -1;
      for (let k = 0; k < remainingCount; k++) {
        const j = remaining[k];
        const reduced = minValue + c[row * n + j] - u[row] - v[j];
        if (reduced < shortest[j]) {
          path[j] = row;
          shortest[j] = reduced;
        }
        // Ties prefer an unassigned column: it ends the search sooner (as in Crouse's code).
        if (shortest[j] < lowest || (shortest[j] === lowest && rowOfColumn[j] === -1)) {
          lowest = shortest[j];
          index = k;
        }
      }
      if (!Number.isFinite(lowest)) throw new NumericalError('assignment is infeasible (no finite augmenting path)');
      minValue = lowest;
      const column = remaining[index];
      scannedColumn[column] = 1;
      remaining[index] = remaining[--remainingCount];
      if (rowOfColumn[column] === -1) sink = column;
      else row = rowOfColumn[column];
    }
    // Update duals, then flip the augmenting path.
    u[start] += minValue;
    for (let i = 0; i < n; i++) if (scannedRow[i] && i !== start) u[i] += minValue - shortest[columnOf[i]];
    for (let j = 0; j < n; j++) if (scannedColumn[j]) v[j] -= minValue - shortest[j];
    let column = sink;
    for (;;) {
      const i = path[column];
      rowOfColumn[column] = i;
      const previous = columnOf[i];
      columnOf[i] = column;
      if (i === start) break;
      column = previous;
    }
  }
  let total = 0;
  for (let i = 0; i < n; i++) total += cost[i * n + columnOf[i]];
  return { columnOf, total };
}
