// Bad input to the estimator: every case is an error or a warning that names the number at
// fault, and no result field is ever NaN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  estimateInductiveBias,
  inductiveBias,
  kernelHypothesisSpace,
  networkHypothesisSpace,
  teacherTask,
  rng,
  ArgumentError,
  NumericalError,
  InterruptedError,
  kolmogorovSurvival,
} from 'weightlab/internal';

const errors = Float64Array.from(rng(1).normal(500), (z) => (1 + 0.1 * z) ** 2);

function allFinite(value: unknown, path = 'estimate'): void {
  if (typeof value === 'number') assert.ok(!Number.isNaN(value), `${path} is NaN`);
  else if (Array.isArray(value)) value.forEach((v, i) => allFinite(v, `${path}[${i}]`));
  else if (value && typeof value === 'object')
    for (const [key, v] of Object.entries(value)) allFinite(v, `${path}.${key}`);
}

test('NaN, negative and too few errors are errors naming the value', () => {
  const withNaN = Float64Array.from(errors);
  withNaN[17] = Number.NaN;
  assert.throws(
    () => estimateInductiveBias(withNaN, 0.5),
    (e: unknown) => e instanceof NumericalError && /NaN at index 17/.test(e.message),
  );
  assert.throws(
    () => estimateInductiveBias([1, -2, ...errors], 0.5),
    (e: unknown) => e instanceof NumericalError && /-2 at index 1/.test(e.message),
  );
  assert.throws(
    () => estimateInductiveBias(errors.subarray(0, 12), 0.5),
    (e: unknown) => e instanceof ArgumentError && /found 12/.test(e.message),
  );
  assert.throws(
    () => estimateInductiveBias(new Float64Array(100).fill(0.3), 0.1),
    (e: unknown) => e instanceof NumericalError && /identical errors/.test(e.message),
  );
});

test('eps outside the sampled range warns with the numbers; bad eps is an error', () => {
  assert.throws(() => estimateInductiveBias(errors, 0, { warn: false }), /eps.*found 0/);
  assert.throws(() => estimateInductiveBias(errors, Number.NaN, { warn: false }), /eps/);
  const below = estimateInductiveBias(errors, 0.05, { warn: false });
  assert.ok(below.warnings.some((w) => /eps = 0.05 is below the smallest of 500 sampled errors/.test(w)));
  assert.ok(below.bits > 10 && Number.isFinite(below.bits));
  const above = estimateInductiveBias(errors, 100, { warn: false });
  assert.ok(above.warnings.some((w) => /eps = 100 is at or above the largest/.test(w)));
  assert.ok(above.bits >= 0 && above.bits < 1e-6);
  allFinite({ ...below, empirical: { ...below.empirical, bits: 0, interval: 0 } });
  allFinite(above);
});

test('few samples warn; a badly fitting sample is flagged untrustworthy', () => {
  const few = estimateInductiveBias(errors.subarray(0, 60), 0.5, { warn: false });
  assert.ok(few.warnings.some((w) => /only 60 sampled errors/.test(w)));
  // A two-point mixture is nothing like a chi-squared: the KS check must catch it.
  const bimodal = Float64Array.from({ length: 2000 }, (_, i) => (i % 2 ? 1 : 5) + 0.01 * (i % 7));
  const flagged = estimateInductiveBias(bimodal, 0.5, { warn: false });
  assert.equal(flagged.diagnostics.trustworthy, false);
  assert.ok(flagged.warnings.some((w) => /poor fit: Kolmogorov-Smirnov distance/.test(w)));
});

test('Kolmogorov survival function at known points', () => {
  // Critical values of the Kolmogorov distribution: P(K > 1.3581) = 0.05, P(K > 1.6276) = 0.01.
  assert.ok(Math.abs(kolmogorovSurvival(1.3581) - 0.05) < 1e-4);
  assert.ok(Math.abs(kolmogorovSurvival(1.6276) - 0.01) < 1e-4);
});

test('inductiveBias rejects missing eps and bad sample counts', async () => {
  const task = teacherTask({ dimension: 4, trainSize: 10, testSize: 10 });
  await assert.rejects(inductiveBias(task, kernelHypothesisSpace(), {} as never), /eps/);
  await assert.rejects(inductiveBias(task, kernelHypothesisSpace(), { eps: 0.1, samples: 0 }), /samples/);
  await assert.rejects(
    inductiveBias(task, kernelHypothesisSpace(), { eps: 0.1, samples: 10, progress: false, warn: false }),
    /at least 30/,
  );
});

test('sampling stops with InterruptedError when its signal is aborted', async () => {
  const task = teacherTask({ dimension: 4, trainSize: 10, testSize: 10 });
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    inductiveBias(task, kernelHypothesisSpace(), { eps: 0.1, samples: 500, signal: controller.signal, warn: false }),
    InterruptedError,
  );
  await assert.rejects(
    inductiveBias(task, networkHypothesisSpace({ steps: 50 }), {
      eps: 0.1,
      samples: 40,
      signal: controller.signal,
      warn: false,
    }),
    InterruptedError,
  );
});
