// Linear assignment against brute force over all n! permutations (the independent oracle),
// for random real costs, integer costs with many ties, and maximisation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linearAssignment, rng, NumericalError, ArgumentError } from 'weightlab/internal';

function bruteForce(cost: ArrayLike<number>, n: number, maximize: boolean): number {
  const used = new Array<boolean>(n).fill(false);
  let best = maximize ? -Infinity : Infinity;
  const search = (row: number, total: number): void => {
    if (row === n) {
      best = maximize ? Math.max(best, total) : Math.min(best, total);
      return;
    }
    for (let j = 0; j < n; j++)
      if (!used[j]) {
        used[j] = true;
        search(row + 1, total + cost[row * n + j]);
        used[j] = false;
      }
  };
  search(0, 0);
  return best;
}

function isPermutation(columnOf: Int32Array): boolean {
  return [...columnOf].sort((a, b) => a - b).every((value, index) => value === index);
}

test('matches brute force on random real, tied-integer and maximised problems (n = 1..7)', () => {
  const source = rng(7);
  let cases = 0;
  for (let n = 1; n <= 7; n++) {
    for (let trial = 0; trial < 12; trial++) {
      const real = source.normal(n * n);
      const ties = Float64Array.from(source.integers(n * n, 0, 3)); // many equal entries
      for (const cost of [real, ties]) {
        for (const maximize of [false, true]) {
          const result = linearAssignment(cost, n, { maximize });
          assert.ok(isPermutation(result.columnOf));
          // 1e-12: both sides sum the same n <= 7 doubles, in different order.
          assert.ok(Math.abs(result.total - bruteForce(cost, n, maximize)) < 1e-12, `n=${n} maximize=${maximize}`);
          cases++;
        }
      }
    }
  }
  assert.equal(cases, 7 * 12 * 4);
});

test('a planted permutation with a large margin is recovered exactly (n = 64)', () => {
  const n = 64;
  const planted = rng(3).permutation(n);
  const noise = rng(4).uniform(n * n);
  const cost = Float64Array.from(noise, (value, k) => (planted[Math.floor(k / n)] === k % n ? value - 10 : value));
  assert.deepEqual([...linearAssignment(cost, n).columnOf], [...planted]);
});

test('rejects non-finite and non-square input', () => {
  assert.throws(() => linearAssignment([1, NaN, 2, 3], 2), NumericalError);
  assert.throws(() => linearAssignment([1, 2, 3], 2), ArgumentError);
});
