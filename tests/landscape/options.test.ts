// Options of the landscape verbs: an unknown key is an ArgumentError listing the valid keys, an
// explicit undefined keeps the (PyHessian, PTMZ) default, observable in what the verb did.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArgumentError,
  BEZIER_DEFAULTS,
  CKA_DEFAULTS,
  dataset,
  DENSITY_DEFAULTS,
  POWER_ITERATION_DEFAULTS,
  TRACE_DEFAULTS,
  cka,
  fitBezierCurve,
  hutchinsonTrace,
  lanczosDensity,
  mlp,
  modeConnectivity,
  representation,
  rng,
  topEigenvalues,
  type HessianOperator,
} from 'weightlab/internal';
import { rejectsUnknownKey } from '../support/options';

/** diag(1, 2, ..., n): distinct eigenvalues, so power iteration converges slowly and Lanczos never stops early. */
function diagonal(n: number): HessianOperator {
  return { dimension: n, apply: (v) => Float64Array.from(v, (x, i) => (i + 1) * x) };
}

test("topEigenvalues, hutchinsonTrace, lanczosDensity: unknown keys rejected; undefined keeps PyHessian's defaults", () => {
  const op = diagonal(300);
  assert.throws(
    () => topEigenvalues(op, { maxIterations: 5 } as never),
    (e) => rejectsUnknownKey(e, 'topEigenvalues', 'maxIterations', POWER_ITERATION_DEFAULTS),
  );
  assert.throws(
    () => hutchinsonTrace(op, { probes: 5 } as never),
    (e) => rejectsUnknownKey(e, 'hutchinsonTrace', 'probes', TRACE_DEFAULTS),
  );
  assert.throws(
    () => lanczosDensity(op, { steps: 5 } as never),
    (e) => rejectsUnknownKey(e, 'lanczosDensity', 'steps', DENSITY_DEFAULTS),
  );
  // tol 0 never converges, so the run length is maxIter: 100 when left undefined.
  assert.deepEqual(topEigenvalues(op, { maxIter: undefined, tol: 0 }).iterations, [100]);
  assert.equal(hutchinsonTrace(op, { maxIter: undefined, tol: 0 }).samples.length, 100);
  const density = lanczosDensity(op, { iterations: undefined, probes: undefined });
  assert.equal(density.nodes.length, 1);
  assert.equal(density.nodes[0].length, 100);
  assert.throws(
    () => lanczosDensity(op, { probes: 0 }),
    (e) => e instanceof ArgumentError && e.details.field === 'probes',
  );
});

test('cka and modeConnectivity take options objects with documented defaults', () => {
  const random = rng(8);
  const x = representation(random.normal(40 * 3), 40, 3);
  const y = representation(random.normal(40 * 2), 40, 2);
  assert.throws(
    () => cka(x, y, { kernel: 'rbf' } as never),
    (e) => rejectsUnknownKey(e, 'cka', 'kernel', CKA_DEFAULTS),
  );
  assert.throws(
    () => cka(x, y, { kind: 'cosine' as never }),
    (e) => e instanceof ArgumentError && e.details.field === 'kind',
  );
  assert.equal(cka(x, y, { kind: undefined }), cka(x, y, { kind: 'linear' }));
  assert.equal(cka(x, y, { kind: 'rbf', threshold: undefined }), cka(x, y, { kind: 'rbf', threshold: 1 }));
  assert.notEqual(cka(x, y, { kind: 'rbf', threshold: 0.5 }), cka(x, y, { kind: 'rbf' }));
  assert.throws(
    () => modeConnectivity([1, 2, 1], { direction: 'max' } as never),
    /modeConnectivity has no option 'direction'/,
  );
  assert.equal(modeConnectivity([1, 2, 1], { mode: undefined }), -1);
  assert.equal(modeConnectivity([1, 2, 1], { mode: 'max' }), 1);
});

test('fitBezierCurve: unknown keys rejected before any training', () => {
  const arch = mlp(2, [3], 2);
  const zeros = new Float64Array(2 * 3 + 3 + 3 * 2 + 2);
  const data = dataset('tiny', new Float64Array(8), new Int32Array(4), 2, 2);
  assert.throws(
    () => fitBezierCurve(arch, zeros, zeros, data, { epoch: 1 } as never),
    (e) => rejectsUnknownKey(e, 'fitBezierCurve', 'epoch', BEZIER_DEFAULTS),
  );
  assert.equal(BEZIER_DEFAULTS.weightDecay, 5e-4);
});
