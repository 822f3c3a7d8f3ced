// The eigenvector metrics of the vectors option on vectors whose answers are known in closed form:
// a spread-out unit vector of length n has ‖v‖₁/‖v‖∞ = n and ‖v‖₂/‖v‖₄ = n^(1/4), a basis vector 1 and 1;
// numpy's density histogram of evenly spaced values is flat. The columns themselves are checked
// against WeightWatcher in weightwatcher-parity-options-b.test.ts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { discreteEntropy, histogramDensity, localizationRatio, participationRatio } from 'weightlab/internal';

test('localization and participation ratios: n and n^(1/4) when spread out, 1 when localized', () => {
  const n = 64;
  const spread = new Float64Array(n).map((_, i) => (i % 2 ? -1 : 1) / Math.sqrt(n));
  const localized = new Float64Array(n);
  localized[5] = -1;
  assert.ok(Math.abs(localizationRatio(spread) - n) < 1e-12);
  assert.ok(Math.abs(participationRatio(spread) - n ** 0.25) < 1e-12);
  assert.equal(localizationRatio(localized), 1);
  assert.equal(participationRatio(localized), 1);
});

test('histogramDensity: one value per bin gives a flat density that integrates to 1; the top value is in the last bin', () => {
  const values = Float64Array.from({ length: 100 }, (_, i) => i / 99);
  const density = histogramDensity(values, 100);
  const width = 1 / 100;
  assert.ok(density.every((d) => Math.abs(d - 1) < 1e-9));
  assert.ok(Math.abs(density.reduce((s, d) => s + d * width, 0) - 1) < 1e-12);
  // Five values on the edges of 4 bins: each edge opens its bin, and 1 lands in the closed last one.
  assert.deepEqual([...histogramDensity([0, 0.25, 0.5, 0.75, 1], 4)], [0.8, 0.8, 0.8, 1.6]);
  // All equal: numpy widens the range to ±0.5, one full bin in the middle.
  const constant = histogramDensity([2, 2, 2], 4);
  assert.deepEqual([...constant], [0, 0, 4, 0]);
});

test('discreteEntropy: a flat histogram has the largest entropy, log(100); a constant vector the smallest', () => {
  const spread = Float64Array.from({ length: 100 }, (_, i) => i / 99);
  assert.ok(Math.abs(discreteEntropy(spread) - Math.log(100)) < 1e-9);
  // One occupied bin of 100: entropy of (1 + 99·ε')-normalised mass, essentially 0.
  assert.ok(discreteEntropy([1, -1, 1, -1]) < 1e-6);
});
