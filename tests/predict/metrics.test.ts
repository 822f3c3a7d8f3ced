// Metrics of property prediction against their reference implementations: R² against numpy's
// 1 - SS_res / SS_tot and the squared Pearson correlation of a least-squares fit (a second route),
// Kendall's tau-b against scipy.stats.kendalltau on samples with ties in both variables; the
// cluster bootstrap: reproducible by seed, whole clusters drawn, and an interval that covers the
// point estimate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArgumentError,
  bootstrapEstimate,
  clusterResamples,
  kendallTau,
  percentileInterval,
  rng,
  rSquared,
} from 'weightlab/internal';
import { close, scipy, SCIPY_MISSING } from '../statistics/scipy';

/** Truth with ties and a noisy prediction of it, as accuracies of a zoo look. */
function sample(n: number, seed: number): { truth: number[]; predicted: number[] } {
  const random = rng(seed);
  const truth = Array.from(random.uniform(n), (v) => Math.round(20 * v) / 20);
  const noise = random.normal(n);
  const predicted = truth.map((t, i) => Math.round(10 * (0.8 * t + 0.1 + 0.1 * noise[i])) / 10);
  return { truth, predicted };
}

test('R² and Kendall tau-b agree with numpy and scipy.stats.kendalltau', (t) => {
  const cases = [sample(7, 1), sample(40, 2), sample(150, 3)];
  const oracle = scipy<{ r2: number; tau: number; r2_fit: number; line: [number, number] }[]>(
    `result = []
for c in data:
    y, p = np.array(c['truth']), np.array(c['predicted'])
    r2 = 1 - np.sum((y - p) ** 2) / np.sum((y - y.mean()) ** 2)
    # the R² of the least-squares line of y on p is the squared Pearson correlation
    slope, intercept = np.polyfit(p, y, 1)
    r2_fit = float(np.corrcoef(p, y)[0, 1] ** 2)
    result.append({'r2': float(r2), 'tau': float(stats.kendalltau(y, p).statistic), 'r2_fit': r2_fit, 'line': [float(slope), float(intercept)]})`,
    cases,
  );
  if (!oracle) return t.skip(SCIPY_MISSING);
  cases.forEach((c, k) => {
    assert.ok(close(rSquared(c.truth, c.predicted), oracle[k].r2, 1e-12), `R² case ${k}`);
    assert.ok(close(kendallTau(c.truth, c.predicted), oracle[k].tau, 1e-12), `tau case ${k}`);
    // Second route: R² of the least-squares line equals the squared correlation.
    const [slope, intercept] = oracle[k].line;
    const fitted = c.predicted.map((p) => slope * p + intercept);
    assert.ok(close(rSquared(c.truth, fitted), oracle[k].r2_fit, 1e-9), `fitted R² case ${k}`);
  });
});

test('R² is 1 for a perfect predictor, 0 for the mean, NaN for constant truth; tau NaN for a constant', () => {
  assert.equal(rSquared([1, 2, 3], [1, 2, 3]), 1);
  assert.equal(rSquared([1, 2, 3], [2, 2, 2]), 0);
  assert.ok(Number.isNaN(rSquared([2, 2, 2], [1, 2, 3])));
  assert.ok(Number.isNaN(kendallTau([1, 2, 3], [5, 5, 5])));
  assert.equal(kendallTau([1, 2, 3], [3, 2, 1]), -1);
  assert.throws(
    () => rSquared([1, 2, 3], [1, 2]),
    (error: unknown) => error instanceof ArgumentError && error.details.field === 'predicted',
  );
});

test('cluster resamples draw whole clusters, depend only on the seed, and differ between seeds', () => {
  const groups = ['a', 'a', 'b', 'c', 'c', 'c', 'd'];
  const first = clusterResamples(groups, 50, 7);
  const again = clusterResamples(groups, 50, 7);
  const other = clusterResamples(groups, 50, 8);
  assert.deepEqual(first, again);
  assert.notDeepEqual(first, other);
  for (const rows of first) {
    // A drawn cluster brings all its rows: the count of each group's rows is a multiple of its size.
    const size: Record<string, number> = { a: 2, b: 1, c: 3, d: 1 };
    const counts: Record<string, number> = {};
    for (const row of rows) counts[groups[row]] = (counts[groups[row]] ?? 0) + 1;
    for (const [group, count] of Object.entries(counts)) assert.equal(count % size[group], 0, group);
    // Four clusters drawn per resample.
    const drawn = Object.entries(counts).reduce((sum, [group, count]) => sum + count / size[group], 0);
    assert.equal(drawn, 4);
  }
  assert.throws(() => clusterResamples(groups, 0, 1), ArgumentError);
});

test('the bootstrap interval is reproducible by seed and covers the point estimate', () => {
  const { truth, predicted } = sample(120, 5);
  const groups = truth.map((_, i) => `model-${Math.floor(i / 3)}`);
  const estimate = (seed: number) =>
    bootstrapEstimate(truth, predicted, rSquared, clusterResamples(groups, 400, seed), 0.95);
  const a = estimate(3);
  assert.deepEqual(a, estimate(3));
  assert.notDeepEqual(a, estimate(4));
  assert.equal(a.value, rSquared(truth, predicted));
  assert.ok(a.lower < a.value && a.value < a.upper, `${a.lower} < ${a.value} < ${a.upper}`);
  assert.equal(a.resamples, 400);
  const tau = bootstrapEstimate(truth, predicted, kendallTau, clusterResamples(groups, 400, 3), 0.9);
  assert.ok(tau.lower < tau.value && tau.value < tau.upper);
});

test('percentile intervals interpolate between order statistics as numpy.percentile does', (t) => {
  const values = Array.from(rng(9).normal(37));
  const oracle = scipy<number[]>(`result = [float(v) for v in np.percentile(np.array(data), [2.5, 97.5])]`, values);
  if (!oracle) return t.skip(SCIPY_MISSING);
  const [lower, upper] = percentileInterval(values, 0.95);
  assert.ok(close(lower, oracle[0], 1e-12) && close(upper, oracle[1], 1e-12));
  assert.throws(() => percentileInterval(values, 1), ArgumentError);
});
