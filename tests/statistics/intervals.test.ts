// meanInterval against scipy.stats.t.interval (and, without scipy, against the df = 1 closed form
// t_{0.975} = tan(0.475 pi)); binomialInterval against the definition of Wilson's interval (the
// score statistic equals the normal quantile at both ends) and statsmodels' numbers via scipy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, binomialInterval, meanInterval, normalQuantile, rng } from 'weightlab/internal';
import { close, scipy, SCIPY_MISSING } from './scipy';

test('meanInterval of two values uses the df = 1 quantile tan(0.475 pi)', () => {
  const interval = meanInterval([1, 3]);
  // mean 2, s = sqrt(2), se = 1.
  assert.equal(interval.mean, 2);
  assert.ok(close(interval.standard_error, 1, 1e-15));
  assert.ok(close(interval.upper - 2, Math.tan(0.475 * Math.PI), 1e-12));
  assert.ok(close(2 - interval.lower, Math.tan(0.475 * Math.PI), 1e-12));
});

test('meanInterval agrees with scipy.stats.t.interval', (t) => {
  const cases = [
    { values: Array.from(rng(1).normal(5, 3, 2)), level: 0.95 },
    { values: Array.from(rng(2).normal(31, -1, 0.1)), level: 0.9 },
    { values: [0.61, 0.64, 0.58, 0.66], level: 0.99 },
  ];
  const oracle = scipy<number[][]>(
    `result = [[float(v) for v in stats.t.interval(c['level'], len(c['values']) - 1, loc=np.mean(c['values']), scale=stats.sem(c['values']))] for c in data]`,
    cases,
  );
  if (!oracle) {
    t.skip(SCIPY_MISSING);
    return;
  }
  cases.forEach(({ values, level }, i) => {
    const ours = meanInterval(values, { level });
    assert.ok(
      close(ours.lower, oracle[i][0], 1e-9) && close(ours.upper, oracle[i][1], 1e-9), // scipy 1.10's t.ppf: ~2e-11 relative
      `[${ours.lower}, ${ours.upper}] vs ${oracle[i]}`,
    );
    assert.equal(ours.level, level);
  });
});

test("binomialInterval's ends are where the score statistic equals the normal quantile", () => {
  for (const [successes, n, level] of [
    [3, 5, 0.95],
    [0, 7, 0.95],
    [12, 12, 0.9],
    [41, 100, 0.99],
  ]) {
    const interval = binomialInterval(successes, n, { level });
    const z = normalQuantile(0.5 + level / 2);
    const score = (p: number) => Math.abs(successes / n - p) / Math.sqrt((p * (1 - p)) / n);
    if (successes > 0) assert.ok(close(score(interval.lower), z, 1e-10), `lower of ${successes}/${n}`);
    else assert.equal(interval.lower, 0);
    if (successes < n) assert.ok(close(score(interval.upper), z, 1e-10), `upper of ${successes}/${n}`);
    else assert.equal(interval.upper, 1);
    assert.ok(interval.lower <= interval.proportion && interval.proportion <= interval.upper);
  }
});

test('binomialInterval agrees with the Wilson formula evaluated by scipy', (t) => {
  const cases = [
    [3, 5],
    [5, 5],
    [0, 4],
    [17, 40],
  ];
  // Wilson (1927), written out independently of the library: centre and half width in p-hat, z.
  const oracle = scipy<number[][]>(
    `z = stats.norm.ppf(0.975)
result = []
for k, n in data:
    p = k / n
    centre = (k + z * z / 2) / (n + z * z)
    half = z * np.sqrt(n) / (n + z * z) * np.sqrt(p * (1 - p) + z * z / (4 * n))
    result.append([float(centre - half), float(centre + half)])`,
    cases,
  );
  if (!oracle) {
    t.skip(SCIPY_MISSING);
    return;
  }
  cases.forEach(([k, n], i) => {
    const ours = binomialInterval(k, n);
    assert.ok(
      Math.abs(ours.lower - oracle[i][0]) <= 1e-14 && Math.abs(ours.upper - oracle[i][1]) <= 1e-14,
      `${k}/${n}: [${ours.lower}, ${ours.upper}] vs ${oracle[i]}`,
    );
  });
});

test('interval options and bad input: typed errors naming the field, undefined keeps the default', () => {
  const field = (f: string) => (error: unknown) => error instanceof ArgumentError && error.details.field === f;
  assert.equal(meanInterval([1, 2, 4], { level: undefined }).level, 0.95);
  assert.throws(
    () => meanInterval([1, 2, 4], { confidence: 0.9 } as never),
    (error: unknown) => error instanceof ArgumentError && error.details.expected === 'one of level',
  );
  assert.throws(() => meanInterval([1]), field('values'));
  assert.throws(() => meanInterval([1, Infinity]), field('values[1]'));
  assert.throws(() => binomialInterval(6, 5), field('successes'));
  assert.throws(() => binomialInterval(1.5, 5), field('successes'));
  assert.throws(() => binomialInterval(0, 0), field('n'));
  assert.throws(() => binomialInterval(1, 5, { level: 1 }), field('level'));
});
