// trendTest against scipy.stats.linregress (slope, intercept, standard error, p-values per
// alternative) with the interval from scipy's t quantile, and against an exact line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, rng, trendTest } from 'weightlab/internal';
import { close, scipy, SCIPY_MISSING } from './scipy';

test('trendTest agrees with scipy.stats.linregress', (t) => {
  const cases = [5, 30].map((n, k) => {
    const noise = rng(20 + k).normal(n);
    const x = Array.from({ length: n }, (_, i) => 10 * i);
    return { x, y: x.map((v, i) => 0.003 * v + 0.5 + 0.2 * noise[i]) };
  });
  const oracle = scipy<number[][]>(
    `result = []
for c in data:
    r = stats.linregress(c['x'], c['y'])
    g = stats.linregress(c['x'], c['y'], alternative='greater')
    q = stats.t.ppf(0.975, len(c['x']) - 2)
    result.append([r.slope, r.intercept, r.stderr, r.pvalue, g.pvalue, r.slope - q * r.stderr, r.slope + q * r.stderr, r.rvalue ** 2])`,
    cases,
  );
  if (!oracle) { t.skip(SCIPY_MISSING); return; }
  cases.forEach(({ x, y }, i) => {
    const [slope, intercept, standardError, p, pGreater, low, high, rSquared] = oracle[i];
    const ours = trendTest(x, y);
    assert.ok(close(ours.slope, slope, 1e-12) && close(ours.intercept, intercept, 1e-12), 'line');
    assert.ok(close(ours.standard_error, standardError, 1e-12), 'standard error');
    assert.ok(close(ours.p_value, p, 1e-10), `p ${ours.p_value} vs ${p}`);
    assert.ok(close(trendTest(x, y, { alternative: 'greater' }).p_value, pGreater, 1e-10), 'p (greater)');
    assert.ok(close(ours.lower, low, 1e-12) && close(ours.upper, high, 1e-12), 'interval');
    assert.ok(close(ours.r_squared, rSquared, 1e-12), 'r squared');
  });
});

test('an exact line: slope and intercept recovered, p = 0, Spearman 1', () => {
  const fit = trendTest([0, 1, 2, 3, 4], [1, 3, 5, 7, 9], { alternative: 'greater' });
  assert.equal(fit.slope, 2);
  assert.equal(fit.intercept, 1);
  assert.equal(fit.p_value, 0);
  assert.equal(fit.spearman, 1);
  assert.equal(fit.r_squared, 1);
  const flat = trendTest([0, 1, 2], [5, 5, 5]);
  assert.equal(flat.slope, 0);
  assert.equal(flat.p_value, 1);
});

test('trendTest options and bad input', () => {
  const field = (f: string) => (error: unknown) => error instanceof ArgumentError && error.details.field === f;
  assert.throws(() => trendTest([1, 1, 1], [1, 2, 3]), field('x'));
  assert.throws(() => trendTest([1, 2], [1, 2]), field('x'));
  assert.throws(() => trendTest([1, 2, 3], [1, 2]), field('y'));
  assert.throws(() => trendTest([1, 2, 3], [1, 2, 3], { lvel: 0.9 } as never), (error: unknown) => error instanceof ArgumentError && /did you mean 'level'/.test(error.message));
  assert.equal(trendTest([1, 2, 3], [1, 3, 2], { level: undefined }).level, 0.95);
});
