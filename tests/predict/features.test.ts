// Checkpoint features against numpy: each tensor's mean, variance, quartiles and extremes (numpy's
// linear-interpolation percentiles) and L2 norm; the pooled SANE tokens are the mean and standard
// deviation of each token column over real values; hyperparameters come on a log scale with the epoch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  pooledTokens,
  rng,
  STATISTICS,
  tokeniseCheckpoint,
  Tensor,
  weightStatistics,
  WeightSet,
} from 'weightlab/internal';
import { close, scipy, SCIPY_MISSING } from '../statistics/scipy';

function weights(): WeightSet {
  const random = rng(11);
  return new WeightSet([
    ['layers.0.weight', new Tensor('float64', random.normal(7 * 5), [7, 5])],
    ['layers.0.bias', new Tensor('float64', random.normal(7), [7])],
    ['layers.1.weight', new Tensor('float64', random.uniform(3 * 7, -1, 1), [3, 7])],
    ['layers.1.bias', new Tensor('float64', random.normal(3), [3])],
  ]);
}

test('weight statistics match numpy per tensor', (t) => {
  const set = weights();
  const input = Object.fromEntries(set.names.map((name) => [name, Array.from(set.get(name).toFloat64())]));
  const oracle = scipy<Record<string, number>>(
    `result = {}
for name, values in data.items():
    v = np.array(values)
    q = np.percentile(v, [0, 25, 50, 75, 100])
    for key, value in zip(['mean', 'variance', 'min', 'q25', 'median', 'q75', 'max', 'l2_norm'], [v.mean(), v.var(), *q, np.linalg.norm(v)]):
        result[name + '.' + key] = float(value)`,
    input,
  );
  if (!oracle) return t.skip(SCIPY_MISSING);
  const statistics = weightStatistics(set);
  assert.equal(statistics.size, set.names.length * STATISTICS.length);
  for (const [key, expected] of Object.entries(oracle))
    assert.ok(close(statistics.get(key)!, expected, 1e-12), `${key}: ${statistics.get(key)} vs ${expected}`);
});

test('pooled tokens are the mean and standard deviation of each column over real token values', () => {
  const set = weights();
  const { tokens, mask, tokenSize } = tokeniseCheckpoint(set);
  const pooled = pooledTokens(set);
  assert.equal(pooled.length, 2 * tokenSize);
  const values = tokens.toFloat64();
  const real = mask.toFloat64();
  for (const column of [0, tokenSize - 1]) {
    const column_values: number[] = [];
    for (let row = 0; row < values.length / tokenSize; row++)
      if (real[row * tokenSize + column]) column_values.push(values[row * tokenSize + column]);
    const mean = column_values.reduce((a, b) => a + b, 0) / column_values.length;
    const deviation = Math.sqrt(column_values.reduce((a, v) => a + (v - mean) ** 2, 0) / column_values.length);
    assert.ok(close(pooled[column], mean, 1e-12));
    assert.ok(Math.abs(pooled[tokenSize + column] - deviation) <= 1e-9 * Math.max(1, deviation));
  }
});
