// The inductive-bias tables: a comparison and a dimension sweep each give one InductiveBiasRow per
// result (snake_case columns, the values of the result objects they summarise), survive a CSV
// round trip through Arquero's own parser, and keep their chart as the default display.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as aq from 'arquero';
import {
  ArgumentError,
  InductiveBiasComparison,
  compareInductiveBias,
  inductiveBias,
  inductiveBiasByDimension,
  kernelHypothesisSpace,
  mimeBundle,
  teacherTask,
  type InductiveBiasRow,
  type MimeBundle,
} from 'weightlab/internal';

/** Every column of InductiveBiasRow, in the order rows are built. */
const COLUMNS: (keyof InductiveBiasRow)[] = [
  'hypothesis_space',
  'task',
  'dimension',
  'eps',
  'bits',
  'bits_low',
  'bits_high',
  'level',
  'nats',
  'median_error',
  'smallest_error',
  'samples_below_eps',
  'ks',
  'trustworthy',
  'samples',
  'seed',
];

const options = { eps: 0.3, samples: 200, seed: 4, progress: false, warn: false };

test("compareInductiveBias: table() has one row per space with the results' numbers, and CSV round-trips", async () => {
  const task = teacherTask({ dimension: 12, trainSize: 32, testSize: 32, seed: 1 });
  const spaces = [
    kernelHypothesisSpace({ bandwidth: 'sqrt-dimension' }),
    kernelHypothesisSpace({ kernel: 'laplace', name: 'laplace GP' }),
  ];
  const comparison = await compareInductiveBias(task, spaces, options);
  const table = comparison.table();
  assert.deepEqual(table.columnNames(), COLUMNS);
  assert.equal(table.numRows(), 2);
  comparison.results.forEach((result, i) => {
    const row = table.row(i);
    assert.equal(row.hypothesis_space, result.space.name);
    assert.equal(row.bits, result.bits);
    assert.deepEqual([row.bits_low, row.bits_high], result.interval);
    assert.equal(row.nats * Math.LOG2E, row.bits);
    // The median and the smallest error straight from the sampled errors (a second computation).
    const sorted = Array.from(result.errors).sort((a, b) => a - b);
    assert.equal(row.smallest_error, sorted[0]);
    assert.equal(row.median_error, sorted[Math.round(0.5 * (sorted.length - 1))]);
    assert.equal(row.samples_below_eps, sorted.filter((e) => e <= options.eps).length);
    assert.equal(row.dimension, 12);
    assert.equal(row.samples, 200);
  });
  // A single result's table is the same row.
  assert.deepEqual(comparison.results[1].table().rows(), [table.row(1)]);
  const parsed = aq.fromCSV(table.toCSV()).objects() as Record<string, unknown>[];
  assert.deepEqual(parsed, table.rows());
  // The comparison itself shows its chart (no text/html next to it); the table shows as a table.
  const shown: MimeBundle = await comparison[mimeBundle]();
  assert.ok('application/vnd.vegalite.v5+json' in shown.data && !('text/html' in shown.data));
  const tableBundle = table[mimeBundle]();
  assert.ok('text/html' in tableBundle.data && !('application/vnd.vegalite.v5+json' in tableBundle.data));
  assert.match(String(tableBundle.data['text/plain']), /hypothesis_space\s+bits/);
});

test('inductiveBiasByDimension: table() is long (space x dimension) with the same columns', async () => {
  const spaces = [kernelHypothesisSpace(), kernelHypothesisSpace({ bandwidth: 'median', name: 'rbf median' })];
  const sweep = await inductiveBiasByDimension(
    (dimension) => teacherTask({ dimension, trainSize: 32, testSize: 32, seed: 2 }),
    spaces,
    [8, 16],
    options,
  );
  const table = sweep.table();
  assert.deepEqual(table.columnNames(), COLUMNS);
  assert.deepEqual(
    table.rows().map((row) => [row.hypothesis_space, row.dimension]),
    [
      [spaces[0].name, 8],
      [spaces[0].name, 16],
      ['rbf median', 8],
      ['rbf median', 16],
    ],
  );
  assert.deepEqual(table.column('bits'), [...sweep.bits(0), ...sweep.bits(1)]);
  assert.deepEqual(aq.fromCSV(table.toCSV()).objects(), table.rows());
  // The same verbs as every table: the rows of one space, as the table's filter gives them.
  assert.deepEqual(table.filter((row) => row.hypothesis_space === 'rbf median').column('bits'), sweep.bits(1));
});

test('InductiveBiasComparison refuses no results and results at different eps', async () => {
  const result = await inductiveBias(
    teacherTask({ dimension: 6, trainSize: 24, testSize: 24 }),
    kernelHypothesisSpace(),
    options,
  );
  assert.throws(
    () => new InductiveBiasComparison([]),
    (e) => e instanceof ArgumentError && e.details.field === 'results',
  );
  assert.throws(
    () => new InductiveBiasComparison([result, result.at(0.2)]),
    (e) => e instanceof ArgumentError && /share one eps/.test(e.message),
  );
  assert.equal(new InductiveBiasComparison([result.at(0.2), result.at(0.2)]).eps, 0.2);
});
