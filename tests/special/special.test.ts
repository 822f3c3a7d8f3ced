// Special functions against independent oracles: exact factorials (BigInt), exact finite Poisson
// sums for the incomplete gamma with integer shape, quadrature far in the tail, the asymptotic
// expansion of the normal tail, and quantile/CDF round trips.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  logGamma,
  logRegularizedGammaP,
  logRegularizedGammaQ,
  normalLogCdf,
  normalQuantile,
  normalCdf,
  logSumExp,
  log1mExp,
} from 'weightlab/internal';
import { factorial, logBig, logSimpson, logSum, relative } from '../bias/oracles';

test('logGamma matches exact log factorials and half-integer values', () => {
  for (let n = 1; n <= 170; n++) {
    const exact = logBig(factorial(n - 1)); // Gamma(n) = (n-1)!
    const error = Math.abs(logGamma(n) - exact);
    // Below 10 the recurrence subtracts two logs of size <= 15: absolute 1e-14; above, relative 1e-15
    // (the oracle itself carries a few ulps).
    assert.ok(error <= Math.max(1e-14, 1e-15 * Math.abs(exact)), `logGamma(${n}) off by ${error}`);
  }
  for (let n = 0; n <= 60; n++) {
    // Gamma(n + 1/2) = (2n)! sqrt(pi) / (4^n n!)
    const exact = logBig(factorial(2 * n)) + 0.5 * Math.log(Math.PI) - n * Math.log(4) - logBig(factorial(n));
    assert.ok(Math.abs(logGamma(n + 0.5) - exact) <= Math.max(1e-14, 2e-15 * Math.abs(exact)), `logGamma(${n + 0.5})`);
  }
  assert.throws(() => logGamma(0), /x > 0/);
  assert.throws(() => logGamma(Number.NaN), /x > 0/);
});

test('incomplete gamma equals the exact Poisson sum for integer shapes, in both tails', () => {
  // Q(a, x) = P[Poisson(x) < a] = sum_{j < a} x^j e^-x / j!
  for (const a of [1, 2, 5, 20, 100]) {
    for (const ratio of [1e-3, 0.1, 0.5, 0.9, 1, 1.1, 2, 5]) {
      const x = a * ratio;
      const terms = Array.from({ length: a }, (_, j) => j * Math.log(x) - x - logBig(factorial(j)));
      const logQ = logSum(terms);
      // 1e-13 relative: the oracle's sum of a terms and our series each carry ~a ulps.
      assert.ok(
        relative(logRegularizedGammaQ(a, x), logQ, 1e-300) <= 1e-12 ||
          Math.abs(logRegularizedGammaQ(a, x) - logQ) <= 1e-14,
        `log Q(${a}, ${x})`,
      );
      // P(a, x) = P[Poisson(x) >= a]: the complementary sum, truncated where terms fall below 1e-30 of the first.
      // (Used for x <= a, where that sum converges fast; above, 1 - Q has no cancellation.)
      let logP: number;
      if (x <= a) {
        const upper: number[] = [];
        for (let j = a; j < a + 400; j++) upper.push(j * Math.log(x) - x - logBig(factorial(j)));
        logP = logSum(upper);
      } else {
        logP = Math.log1p(-Math.exp(logQ));
      }
      if (Number.isFinite(logP))
        assert.ok(
          Math.abs(logRegularizedGammaP(a, x) - logP) <= 1e-12 * Math.max(1, Math.abs(logP)),
          `log P(${a}, ${x}): ${logRegularizedGammaP(a, x)} vs ${logP}`,
        );
    }
  }
});

test('log P(a, x) stays finite and matches quadrature far in the left tail', () => {
  // P(a, x) = x^a / Gamma(a + 1) * integral_0^1 exp(-x v^(1/a)) dv  (t = x v^(1/a)); for a >= 1
  // the smoother form a * integral_0^1 w^(a-1) exp(-x w) dw (v = w^a) avoids the kink at 0.
  for (const a of [0.5, 3.7, 50, 400]) {
    for (const x of [1e-12 * a, 1e-4 * a, 0.05 * a]) {
      const integral =
        a < 1
          ? logSimpson((v) => -x * Math.pow(v, 1 / a), 0, 1, 20000)
          : Math.log(a) + logSimpson((w) => (w === 0 ? -Infinity : (a - 1) * Math.log(w) - x * w), 0, 1, 20000);
      const oracle = a * Math.log(x) - logGamma(a + 1) + integral;
      const ours = logRegularizedGammaP(a, x);
      assert.ok(Number.isFinite(ours));
      // Simpson with 20000 panels on these smooth integrands: relative error below 1e-9.
      assert.ok(relative(ours, oracle) <= 1e-9, `log P(${a}, ${x}) = ${ours}, quadrature ${oracle}`);
    }
  }
  // 400 log(1e-6) - log Gamma(401) = -7522: far below the double range, still an ordinary log.
  assert.ok(Math.abs(logRegularizedGammaP(400, 1e-6) - (400 * Math.log(1e-6) - logGamma(401))) < 1e-6);
});

test('log Phi matches the asymptotic tail series and Phi(quantile(p)) = p', () => {
  for (const z of [-40, -100, -1000]) {
    // log Phi(z) = log phi(z) - log(-z) + log(1 - 1/z^2 + 3/z^4 - 15/z^6 + 105/z^8), next term 945/z^10.
    const u = 1 / (z * z);
    const oracle =
      -0.5 * z * z -
      0.5 * Math.log(2 * Math.PI) -
      Math.log(-z) +
      Math.log(1 - u + 3 * u * u - 15 * u ** 3 + 105 * u ** 4);
    assert.ok(relative(normalLogCdf(z), oracle) <= 1e-14, `log Phi(${z})`);
  }
  for (const p of [1e-300, 1e-50, 1e-10, 0.001, 0.025, 0.3, 0.5, 0.7, 0.975, 0.999]) {
    const z = normalQuantile(p);
    assert.ok(relative(Math.exp(normalLogCdf(z)), p) <= 1e-12, `quantile(${p}) = ${z}`);
  }
  // Symmetry Phi(z) + Phi(-z) = 1 (the two branches of normalLogCdf).
  for (const z of [0.1, 1, 3, 8]) assert.ok(Math.abs(normalCdf(z) + normalCdf(-z) - 1) <= 2e-16 * 4);
  assert.throws(() => normalQuantile(0), /0 < p < 1/);
});

test('log-space helpers', () => {
  assert.equal(logSumExp([-Infinity, -Infinity]), -Infinity);
  assert.ok(Math.abs(logSumExp([1000, 1000]) - (1000 + Math.LN2)) < 1e-12);
  assert.ok(Math.abs(log1mExp(-1e-20) - Math.log(1e-20)) < 1e-12);
  assert.ok(Math.abs(log1mExp(-50) - -Math.exp(-50)) < 1e-30);
});
