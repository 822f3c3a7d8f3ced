// Correlations against scipy (pearsonr with its Fisher interval, spearmanr) and against a second
// route to the partial Spearman coefficient (regressing the control's ranks out of both rank
// vectors with numpy, then scipy's pearsonr of the residuals); ranks against closed cases; the
// options rules; typed errors for bad samples.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, partialSpearman, pearson, rank, rng, spearman } from 'weightlab/internal';
import { close, scipy, SCIPY_MISSING } from './scipy';

/** Samples with ties (rounded), a trend and noise, as notebook metrics look. */
function samples(n: number, seed: number): { x: number[]; y: number[]; z: number[] } {
  const random = rng(seed);
  const z = Array.from(random.normal(n), (v, i) => i + 3 * v);
  const x = Array.from(random.normal(n), (v, i) => Math.round(4 * (0.2 * z[i] + v)) / 4);
  const y = Array.from(random.normal(n), (v, i) => -0.1 * z[i] + 0.5 * x[i] + v);
  return { x, y, z };
}

test('rank averages ties as scipy.stats.rankdata does', () => {
  assert.deepEqual(Array.from(rank([10, 20, 20, 5])), [2, 3.5, 3.5, 1]);
  assert.deepEqual(Array.from(rank([3, 3, 3])), [2, 2, 2]);
  assert.deepEqual(Array.from(rank(Float64Array.of(-1, 7, 0, 7, 7, 2))), [1, 5, 2, 5, 5, 3]);
  assert.deepEqual(Array.from(rank([])), []);
});

test('pearson and spearman agree with scipy (coefficient, p-value per alternative, Fisher interval)', (t) => {
  const cases = [samples(8, 1), samples(25, 2), samples(60, 3)];
  const oracle = scipy<{ pearson: number[][]; spearman: number[][] }>(
    `def fisher(r, n, variance, level=0.95):
    z, q = np.arctanh(r), stats.norm.ppf(0.5 + level / 2)
    s = np.sqrt(variance / (n - 3))
    return [float(np.tanh(z - q * s)), float(np.tanh(z + q * s))]
result = {'pearson': [], 'spearman': []}
for c in data:
    x, y = np.array(c['x']), np.array(c['y'])
    p = stats.pearsonr(x, y)
    ci = p.confidence_interval(0.95)
    result['pearson'].append([float(p.statistic), float(p.pvalue), float(stats.pearsonr(x, y, alternative='less').pvalue), float(ci.low), float(ci.high)])
    s = stats.spearmanr(x, y)
    result['spearman'].append([float(s.statistic), float(s.pvalue), float(stats.spearmanr(x, y, alternative='greater').pvalue)] + fisher(s.statistic, len(x), 1.06))`,
    cases,
  );
  if (!oracle) { t.skip(SCIPY_MISSING); return; }
  cases.forEach(({ x, y }, i) => {
    const [r, p, pLess, low, high] = oracle.pearson[i];
    const ours = pearson(x, y);
    assert.ok(close(ours.coefficient, r, 1e-13), `pearson r n=${x.length}`);
    assert.ok(close(ours.p_value, p, 1e-10), `pearson p n=${x.length}: ${ours.p_value} vs ${p}`);
    assert.ok(close(pearson(x, y, { alternative: 'less' }).p_value, pLess, 1e-10), 'pearson p (less)');
    assert.ok(close(ours.lower, low, 1e-12) && close(ours.upper, high, 1e-12), `pearson interval [${ours.lower}, ${ours.upper}] vs [${low}, ${high}]`);
    const [rho, sp, spGreater, sLow, sHigh] = oracle.spearman[i];
    const ranked = spearman(x, y);
    assert.ok(close(ranked.coefficient, rho, 1e-13), `spearman rho n=${x.length}`);
    assert.ok(close(ranked.p_value, sp, 1e-10), `spearman p n=${x.length}: ${ranked.p_value} vs ${sp}`);
    assert.ok(close(spearman(x, y, { alternative: 'greater' }).p_value, spGreater, 1e-10), 'spearman p (greater)');
    assert.ok(close(ranked.lower, sLow, 1e-12) && close(ranked.upper, sHigh, 1e-12), 'spearman interval');
    assert.equal(ranked.n, x.length);
    assert.equal(ranked.method, 'spearman');
  });
});

test('partialSpearman equals the correlation of rank residuals after regressing out the control (numpy + scipy)', (t) => {
  const cases = [samples(12, 4), samples(40, 5)];
  const oracle = scipy<number[][]>(
    `result = []
for c in data:
    rx, ry, rz = (stats.rankdata(c[k]) for k in 'xyz')
    design = np.column_stack([np.ones_like(rz), rz])
    residual = lambda v: v - design @ np.linalg.lstsq(design, v, rcond=None)[0]
    r = stats.pearsonr(residual(rx), residual(ry)).statistic
    n = len(rx)
    t = r * np.sqrt((n - 3) / (1 - r * r))
    result.append([float(r), float(2 * stats.t.sf(abs(t), n - 3))])`,
    cases,
  );
  if (!oracle) { t.skip(SCIPY_MISSING); return; }
  cases.forEach(({ x, y, z }, i) => {
    const ours = partialSpearman(x, y, z);
    assert.ok(close(ours.coefficient, oracle[i][0], 1e-12), `partial rho ${ours.coefficient} vs ${oracle[i][0]}`);
    assert.ok(close(ours.p_value, oracle[i][1], 1e-10), `partial p ${ours.p_value} vs ${oracle[i][1]}`);
    assert.equal(ours.method, 'partial_spearman');
  });
});

test('a correlation driven only by a shared control vanishes once the control is partialled out', () => {
  // x and y both rise with the step z but are otherwise independent: Spearman is strongly
  // positive, the partial correlation is near 0 (its interval covers 0).
  const random = rng(11);
  const z = Array.from({ length: 80 }, (_, i) => i);
  const x = z.map((step) => step + 8 * random.normal(1)[0]);
  const y = z.map((step) => step + 8 * random.normal(1)[0]);
  assert.ok(spearman(x, y).coefficient > 0.8);
  const partial = partialSpearman(x, y, z);
  assert.ok(partial.lower < 0 && partial.upper > 0, `interval [${partial.lower}, ${partial.upper}]`);
  assert.ok(partial.p_value > 0.01);
});

test('perfect monotone data: rho = +-1, p = 0, a point interval', () => {
  const up = spearman([1, 2, 3, 4, 5], [1, 4, 9, 16, 25]);
  assert.equal(up.coefficient, 1);
  assert.equal(up.p_value, 0);
  assert.deepEqual([up.lower, up.upper], [1, 1]);
  assert.equal(spearman([1, 2, 3], [3, 2, 1]).coefficient, -1);
  // n = 3 gives one degree of freedom for the test and no Fisher interval (n - 3 = 0).
  const small = pearson([1, 2, 3], [1, 3, 2]);
  assert.deepEqual([small.lower, small.upper], [-1, 1]);
});

test('options: an unknown key is an ArgumentError listing the valid ones; undefined keeps the default', () => {
  assert.throws(() => spearman([1, 2, 3], [1, 2, 3], { levle: 0.9 } as never), (error: unknown) => error instanceof ArgumentError && /did you mean 'level'/.test(error.message) && /alternative, level/.test(error.details.expected ?? ''));
  const kept = pearson([1, 2, 3, 5], [2, 1, 4, 3], { level: undefined, alternative: undefined });
  assert.equal(kept.level, 0.95);
  assert.equal(kept.alternative, 'two-sided');
  assert.throws(() => pearson([1, 2, 3], [1, 2, 3], { alternative: 'bigger' as never }), (error: unknown) => error instanceof ArgumentError && error.details.field === 'alternative');
  assert.throws(() => pearson([1, 2, 3], [1, 2, 3], { level: 95 }), (error: unknown) => error instanceof ArgumentError && error.details.field === 'level');
});

test('bad samples are ArgumentErrors naming the argument', () => {
  const field = (f: string) => (error: unknown) => error instanceof ArgumentError && error.details.field === f;
  assert.throws(() => spearman([1, 2, 3], [1, 2]), field('y'));
  assert.throws(() => spearman([1, 2], [1, 2]), field('x'));
  assert.throws(() => pearson([1, NaN, 3], [1, 2, 3]), field('x[1]'));
  assert.throws(() => pearson([1, 2, 3], [4, 4, 4]), field('y'));
  assert.throws(() => partialSpearman([1, 2, 3, 4], [4, 1, 3, 2], [1, 2, 3]), field('control'));
  assert.throws(() => partialSpearman([1, 2, 3, 4], [4, 1, 3, 2], [10, 20, 30, 40]), field('x'));
  assert.throws(() => spearman('123' as never, [1, 2, 3]), field('x'));
});
