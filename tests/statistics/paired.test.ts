// pairedTest against scipy (ttest_rel with its interval, wilcoxon exact and approximate,
// binomtest) and, always, against exact enumeration of the 2^n sign flips for the signed-rank
// and sign tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, pairedTest, rng } from 'weightlab/internal';
import { close, scipy, SCIPY_MISSING } from './scipy';

/** Both-sided p of the signed-rank and sign tests by flipping every sign (the null's 2^n equally likely outcomes). */
function enumerate(differences: number[]): { wilcoxon: number; sign: number } {
  const nonZero = differences.filter((d) => d !== 0);
  const order = nonZero.map((d, i) => [Math.abs(d), i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(nonZero.length);
  order.forEach(([, i], position) => {
    ranks[i] = position + 1;
  }); // callers use untied |d|
  const m = nonZero.length;
  const observedPlus = nonZero.reduce((s, d, i) => s + (d > 0 ? ranks[i] : 0), 0);
  const observedPositive = nonZero.filter((d) => d > 0).length;
  let plusLow = 0,
    plusHigh = 0,
    signLow = 0,
    signHigh = 0;
  for (let mask = 0; mask < 2 ** m; mask++) {
    let plus = 0,
      positive = 0;
    for (let i = 0; i < m; i++)
      if (mask & (1 << i)) {
        plus += ranks[i];
        positive++;
      }
    if (plus <= observedPlus) plusLow++;
    if (plus >= observedPlus) plusHigh++;
    if (positive <= observedPositive) signLow++;
    if (positive >= observedPositive) signHigh++;
  }
  const all = 2 ** m;
  return {
    wilcoxon: Math.min(1, (2 * Math.min(plusLow, plusHigh)) / all),
    sign: Math.min(1, (2 * Math.min(signLow, signHigh)) / all),
  };
}

test('signed-rank and sign p-values equal exact enumeration over sign flips', () => {
  for (const seed of [1, 2, 3]) {
    const a = Array.from(rng(seed).normal(11, 0.4, 1));
    const b = Array.from(rng(seed + 10).normal(11, 0, 1));
    const ours = pairedTest(a, b);
    const exact = enumerate(a.map((v, i) => v - b[i]));
    assert.equal(ours.wilcoxon_method, 'exact');
    assert.ok(
      close(ours.wilcoxon_p_value, exact.wilcoxon, 1e-13),
      `seed ${seed}: ${ours.wilcoxon_p_value} vs ${exact.wilcoxon}`,
    );
    assert.ok(close(ours.sign_p_value, exact.sign, 1e-13), `seed ${seed}: sign ${ours.sign_p_value} vs ${exact.sign}`);
  }
  // Every difference positive among 6: W+ = 21 is the largest of 64 outcomes, p = 2/64.
  const allUp = pairedTest([2, 3, 4, 5, 6, 7], [1, 1.5, 1.2, 1.1, 1.3, 1.4]);
  assert.equal(allUp.wilcoxon_statistic, 21);
  assert.ok(close(allUp.wilcoxon_p_value, 2 / 64, 1e-15));
  assert.ok(close(allUp.sign_p_value, 2 / 64, 1e-15));
  assert.ok(
    close(
      pairedTest([2, 3, 4, 5, 6, 7], [1, 1.5, 1.2, 1.1, 1.3, 1.4], { alternative: 'greater' }).wilcoxon_p_value,
      1 / 64,
      1e-15,
    ),
  );
});

test('pairedTest agrees with scipy (ttest_rel and its interval, wilcoxon exact and with ties, binomtest)', (t) => {
  const untied = { a: Array.from(rng(5).normal(14, 0.3, 1)), b: Array.from(rng(6).normal(14, 0, 1)) };
  // Accuracies on a 50-example test set: ties and zero differences, so the normal approximation.
  const tied = {
    a: [0.8, 0.82, 0.78, 0.9, 0.86, 0.84, 0.8, 0.88, 0.76, 0.8, 0.92, 0.84],
    b: [0.78, 0.82, 0.74, 0.86, 0.86, 0.8, 0.82, 0.84, 0.74, 0.78, 0.88, 0.84],
  };
  const cases = [untied, tied];
  const oracle = scipy<number[][]>(
    `result = []
for c in data:
    a, b = np.array(c['a']), np.array(c['b'])
    r = stats.ttest_rel(a, b)
    ci = r.confidence_interval(0.95)
    d = a - b
    w = stats.wilcoxon(a, b, method='exact' if len(np.unique(np.abs(d[d != 0]))) == len(d[d != 0]) else 'approx')
    wg = stats.wilcoxon(a, b, alternative='greater', method='exact' if len(np.unique(np.abs(d[d != 0]))) == len(d[d != 0]) else 'approx')
    s = stats.binomtest(int((d > 0).sum()), int((d != 0).sum()), 0.5)
    result.append([float(r.statistic), float(r.pvalue), float(ci.low), float(ci.high), float(w.pvalue), float(wg.pvalue), float(s.pvalue)])`,
    cases,
  );
  if (!oracle) {
    t.skip(SCIPY_MISSING);
    return;
  }
  cases.forEach(({ a, b }, i) => {
    const [statistic, p, low, high, wilcoxon, wilcoxonGreater, sign] = oracle[i];
    const ours = pairedTest(a, b);
    assert.ok(close(ours.t_statistic, statistic, 1e-12), `t ${ours.t_statistic} vs ${statistic}`);
    assert.ok(close(ours.t_p_value, p, 1e-10), `t p ${ours.t_p_value} vs ${p}`);
    // Intervals rest on t.ppf, which Debian's scipy 1.10 computes to about 2e-11 relative (t_1(0.975):
    // 12.706204736432 against tan(0.475 pi) = 12.706204736175); our quantile is held to 1e-12 by the closed forms.
    assert.ok(close(ours.lower, low, 1e-9) && close(ours.upper, high, 1e-9), 'interval of the mean difference');
    assert.ok(
      close(ours.wilcoxon_p_value, wilcoxon, 1e-10),
      `case ${i}: wilcoxon p ${ours.wilcoxon_p_value} (${ours.wilcoxon_method}) vs ${wilcoxon}`,
    );
    assert.ok(
      close(pairedTest(a, b, { alternative: 'greater' }).wilcoxon_p_value, wilcoxonGreater, 1e-10),
      `case ${i}: wilcoxon greater`,
    );
    assert.ok(close(ours.sign_p_value, sign, 1e-12), `case ${i}: sign p ${ours.sign_p_value} vs ${sign}`);
  });
  assert.equal(pairedTest(tied.a, tied.b).wilcoxon_method, 'normal');
  assert.equal(pairedTest(tied.a, tied.b).zero, 3);
});

test('degenerate differences: all equal and non-zero is certain, all zero says nothing', () => {
  const shifted = pairedTest([1, 2, 3], [0, 1, 2]);
  assert.equal(shifted.t_statistic, Infinity);
  assert.equal(shifted.t_p_value, 0);
  assert.equal(pairedTest([1, 2, 3], [0, 1, 2], { alternative: 'less' }).t_p_value, 1);
  const same = pairedTest([1, 2, 3], [1, 2, 3]);
  assert.equal(same.t_p_value, 1);
  assert.equal(same.wilcoxon_p_value, 1);
  assert.equal(same.sign_p_value, 1);
  assert.equal(same.zero, 3);
});

test('pairedTest options and bad input', () => {
  const field = (f: string) => (error: unknown) => error instanceof ArgumentError && error.details.field === f;
  assert.throws(() => pairedTest([1, 2], [1, 2, 3]), field('b'));
  assert.throws(() => pairedTest([1], [2]), field('a'));
  assert.throws(() => pairedTest([1, 2], [1, NaN]), field('b[1]'));
  assert.throws(
    () => pairedTest([1, 2], [2, 1], { alternatives: 'less' } as never),
    (error: unknown) => error instanceof ArgumentError && /did you mean 'alternative'/.test(error.message),
  );
  assert.equal(pairedTest([1, 2, 4], [2, 1, 3], { alternative: undefined }).alternative, 'two-sided');
});
