// The phase metrics table under the public API (issue #17): a ResultTable of PhaseRow with the
// cell's axes as columns, verbs that keep it a PhaseTable, a CSV round trip, and options of
// classifyPhases and phaseMetrics that reject unknown keys (listing the valid ones) and keep
// their defaults when a key is undefined. Rows are written here; expected labels follow the
// decision tree in lib/src/phases/classify.ts by hand.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromCSV } from 'arquero';
import {
  ArgumentError,
  DEFAULT_PHASE_THRESHOLDS,
  PHASE_METRICS_DEFAULTS,
  PhaseTable,
  ResultTable,
  classifyPhases,
  phaseDiagram,
  phaseMetrics,
} from 'weightlab/internal';
import { temporaryFolder } from '../support/paths';
import { phaseRow } from '../support/phase-row';

const cells = [
  phaseRow(2, 8, { train_loss: 1.5, train_acc: 0.5, curve_mc_train_error: -3 }), // underfit, barrier: I
  phaseRow(2, 64, { train_loss: 1.2, train_acc: 0.6, curve_mc_train_error: 4 }), // underfit, connected: II
  phaseRow(8, 8, { curve_mc_train_error: -2, test_acc: 0.9 }), // fit, barrier: III
  phaseRow(8, 64, { curve_mc_train_error: 0.5, representation_similarity: 0.5 }), // fit, connected, CKA below the default 0.55: IV-A
  phaseRow(32, 8, { curve_mc_train_error: -0.5, representation_similarity: 0.95 }), // fit, connected, CKA above: IV-B
];

test('a PhaseTable is a ResultTable: axis columns first, verbs keep its axes, CSV round trip', () => {
  const table = classifyPhases(new PhaseTable(cells, { load: 'width', temperature: 'batch_size' }));
  assert.ok(table instanceof ResultTable);
  assert.deepEqual(table.columnNames().slice(0, 3), ['width', 'batch_size', 'models']);
  assert.deepEqual(table.column('phase'), ['I', 'II', 'III', 'IV-A', 'IV-B']);
  assert.deepEqual(table.phases, ['I', 'II', 'III', 'IV-A', 'IV-B']);
  assert.match(String(table.get('phase_reason', 3)), /CKA 0\.500 < 0\.55/);
  const fit = table.filter((r) => r.phase !== 'I' && r.phase !== 'II');
  assert.ok(fit instanceof PhaseTable);
  assert.deepEqual(fit.axes, table.axes);
  assert.deepEqual(fit.thresholds, table.thresholds);
  assert.deepEqual(fit.orderby({ column: 'test_acc', descending: false }).column('width'), [8, 8, 32]);
  assert.match(String(phaseDiagram(fit)), /rows: width, columns: batch size/);

  const parsed = fromCSV(table.toCSV());
  for (const name of [
    'width',
    'batch_size',
    'train_loss',
    'test_acc',
    'curve_mc_train_error',
    'representation_similarity',
  ] as const) {
    assert.deepEqual(Array.from(parsed.array(name) as ArrayLike<number>), table.column(name), name);
  }
  assert.deepEqual(Array.from(parsed.array('phase') as ArrayLike<string>), table.column('phase'));
  assert.deepEqual(
    table.toJSON().map((r) => r.width),
    [2, 2, 8, 8, 32],
  );
});

test('classifyPhases options: unknown keys name the valid ones, undefined keeps the default, defaults are declared once', () => {
  const table = new PhaseTable(cells, { load: 'width', temperature: 'batch_size' });
  assert.throws(
    () => classifyPhases(table, { mcEpsilom: 2 } as never),
    (error: Error) =>
      error instanceof ArgumentError &&
      /classifyPhases has no option 'mcEpsilom' \(did you mean 'mcEpsilon'\?\)/.test(error.message) &&
      /maxRelativeError, absoluteLoss, lossFactor, mcEpsilon, level, ckaThreshold/.test(error.message),
  );
  const byDefault = classifyPhases(table);
  const undefinedKeys = classifyPhases(table, {
    maxRelativeError: undefined,
    lossFactor: undefined,
    mcEpsilon: undefined,
    level: undefined,
    ckaThreshold: undefined,
  });
  assert.deepEqual(undefinedKeys.column('phase'), byDefault.column('phase'));
  assert.equal(byDefault.thresholds!.maxRelativeError, DEFAULT_PHASE_THRESHOLDS.maxRelativeError);
  assert.equal(byDefault.thresholds!.mcEpsilon, DEFAULT_PHASE_THRESHOLDS.mcEpsilon);
  assert.equal(byDefault.thresholds!.ckaThreshold, DEFAULT_PHASE_THRESHOLDS.ckaThreshold);
  // mc -0.5 is within the default epsilon 1 (connected); with epsilon 0.25 it is a barrier: IV-B becomes III.
  assert.equal(classifyPhases(table, { mcEpsilon: 0.25 }).get('phase', 4), 'III');
});

test('phaseMetrics options: an unknown key is refused before any work, with a suggestion', async () => {
  const root = temporaryFolder('phases-options');
  await assert.rejects(
    phaseMetrics(root, { hessianSample: 32 } as never),
    (error: Error) =>
      error instanceof ArgumentError &&
      /phaseMetrics has no option 'hessianSample' \(did you mean 'hessianSamples'\?\)/.test(error.message) &&
      /ckaLayer/.test(error.message),
  );
  assert.equal(PHASE_METRICS_DEFAULTS.ckaLayer, 'logits');
  assert.equal(PHASE_METRICS_DEFAULTS.hessianSamples, 256);
});
