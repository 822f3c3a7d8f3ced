// One-sided Jacobi on an exactly rank-deficient matrix: rows that end up at rounding of the whole
// matrix are no longer rotated against each other, so the sweeps converge (they used to run out,
// and analyze() failed on such a layer with "one-sided Jacobi SVD did not converge"). Checked
// against a second algorithm: the cyclic Jacobi eigenvalues of the Gram matrix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, symmetricEigen, Tensor } from 'weightlab/internal';
import { jacobiSquaredSingularValues, jacobiSvd } from 'weightlab/dist/eigen/jacobi-svd';

// A periodic integer pattern: every row is a shift of one period-7 sequence summing to 0, so the
// rows span 6 dimensions: 16 x 24 of rank 6 exactly.
const ROWS = 16,
  COLS = 24,
  RANK = 6;
const pattern = () => Float64Array.from({ length: ROWS * COLS }, (_, i) => (i % 7) - 3);

test('an exactly rank-deficient matrix: Jacobi converges, the nonzero squared singular values match the Gram eigenvalues', () => {
  const x = pattern();
  const gram = new Float64Array(ROWS * ROWS);
  for (let r = 0; r < ROWS; r++)
    for (let s = 0; s < ROWS; s++) {
      let sum = 0;
      for (let t = 0; t < COLS; t++) sum += x[r * COLS + t] * x[s * COLS + t];
      gram[r * ROWS + s] = sum;
    }
  const expected = symmetricEigen(gram, ROWS).values; // descending
  const squared = jacobiSquaredSingularValues(pattern(), ROWS, COLS); // ascending
  const total = expected.reduce((a, b) => a + b, 0);
  for (let i = 0; i < RANK; i++) {
    const got = squared[ROWS - 1 - i];
    assert.ok(Math.abs(got - expected[i]) <= 1e-10 * expected[i], `λ${i}: ${got} vs ${expected[i]}`);
  }
  for (let i = 0; i < ROWS - RANK; i++)
    assert.ok(squared[i] <= 1e-24 * total, `λ below the rank is rounding: ${squared[i]}`);
  // The thin SVD runs the same sweeps: its singular values are the square roots, in descending order.
  const svd = jacobiSvd(pattern(), ROWS, COLS);
  svd.singularValues.forEach((value, i) => {
    const want = Math.sqrt(squared[ROWS - 1 - i]);
    assert.ok(Math.abs(value - want) <= 1e-15 * Math.sqrt(total), `σ${i}: ${value} vs ${want}`);
  });
});

test('analyze() of an exactly rank-deficient layer (Jacobi path) completes', async () => {
  const result = await analyze({ 'periodic.weight': Tensor.from(pattern(), [ROWS, COLS]) }, { progress: false });
  assert.equal(result.layers.length, 1);
  assert.equal(result.layers[0].row.rank_loss, ROWS - RANK);
});
