// The phase rules of issue #21: a cell's phase reads ALL its seed pairs (a barrier needs the
// interval of the mean mc below 0, so one pair's shallow barrier cannot relabel a cell), the
// underfit line is relative to the trivial predictor's error (a PINN at relative L2 error 0.088
// against the zero prediction's 1 is trained), and the IV-A/IV-B split is an absolute CKA, so a
// cell's label does not depend on which other cells the grid has. Expected labels follow the
// rules in lib/src/phases/classify.ts by hand; the interval phaseMetrics records is checked
// against the closed-form Student t quantile for 2 degrees of freedom.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  buildZoo,
  classifyPhases,
  DEFAULT_PHASE_THRESHOLDS,
  openZoo,
  phaseMetrics,
  PhaseTable,
  type PhaseRow,
  type ZooSpec,
} from 'weightlab/internal';
import { temporaryFolder } from '../support/paths';
import { phaseRow } from '../support/phase-row';

/** A cell of three seeds (three pairs) of a ten-class classifier (trivial error 0.9). */
const row = (width: number, batch: number, values: Partial<PhaseRow> = {}): PhaseRow =>
  phaseRow(width, batch, { models: ['a', 'b', 'c'], trivial_error: 0.9, ...values });

const axes = { load: 'width', temperature: 'batch_size' };

test('a barrier needs the mean mc below -epsilon and its interval over seed pairs below 0', () => {
  const table = classifyPhases(
    new PhaseTable(
      [
        // The case: -1.32 pp is past the 1 pp tolerance, but the pairs disagree (interval contains 0): connected.
        row(8, 16, { curve_mc_train_error: -1.32, curve_mc_train_error_lower: -4.1, curve_mc_train_error_upper: 1.5 }),
        // The same mean with pairs that agree: a barrier, III.
        row(8, 64, { curve_mc_train_error: -1.32, curve_mc_train_error_lower: -1.9, curve_mc_train_error_upper: -0.7 }),
        // An interval below 0 but a mean within the tolerance: mc ≈ 0, connected.
        row(8, 256, { curve_mc_train_error: -0.6, curve_mc_train_error_lower: -0.9, curve_mc_train_error_upper: -0.3 }),
        // One pair (two seeds): no interval, the mean alone decides.
        row(8, 1024, {
          models: ['a', 'b'],
          curve_mc_train_error: -1.32,
          curve_mc_train_error_lower: null,
          curve_mc_train_error_upper: null,
        }),
        // Underfit (train error 50 % > 9 %): barrier -> I, interval containing 0 -> II.
        row(2, 16, {
          train_acc: 0.5,
          train_loss: 1.4,
          curve_mc_train_error: -3,
          curve_mc_train_error_lower: -5,
          curve_mc_train_error_upper: -1,
        }),
        row(2, 64, {
          train_acc: 0.5,
          train_loss: 1.4,
          curve_mc_train_error: -3,
          curve_mc_train_error_lower: -9,
          curve_mc_train_error_upper: 3,
        }),
      ],
      axes,
    ),
  );
  const phaseOf = (width: number, batch: number) =>
    table.rows().find((r) => r.width === width && r.batch_size === batch)!.phase;
  assert.equal(phaseOf(8, 16), 'IV-B');
  assert.equal(phaseOf(8, 64), 'III');
  assert.equal(phaseOf(8, 256), 'IV-B');
  assert.equal(phaseOf(8, 1024), 'III');
  assert.equal(phaseOf(2, 16), 'I');
  assert.equal(phaseOf(2, 64), 'II');
  assert.match(
    table.rows().find((r) => r.batch_size === 16 && r.width === 8)!.phase_reason!,
    /mc -1\.32 pp \[-4\.10, 1\.50\] over 3 pairs: connected/,
  );
  assert.match(table.rows().find((r) => r.batch_size === 1024)!.phase_reason!, /one pair\): barrier/);
});

test("the underfit line is a tenth of the trivial predictor's error: a classifier's majority class, a PINN's zero prediction", () => {
  const pinn = (beta: number, error: number): PhaseRow =>
    row(16, 1, {
      beta,
      learning_rate: 0.01,
      train_acc: null,
      test_acc: null,
      relative_l2_error: error,
      trivial_error: 1,
      train_loss: error ** 2,
    });
  const pinnTable = classifyPhases(
    new PhaseTable([pinn(1, 0.088), pinn(30, 0.95)], { load: 'beta', temperature: 'learning_rate' }),
  );
  // 0.088 <= 0.1 x 1: trained (connected, CKA 0.9: IV-B); 0.95 > 0.1: underfit, connected: II.
  assert.deepEqual(pinnTable.column('phase'), ['IV-B', 'II']);
  assert.match(pinnTable.rows()[0].phase_reason!, /fit \(relative L2 error 8\.8 % <= 10\.0 %/);
  // A classifier with 10 balanced classes (trivial error 0.9): the line is 9 % train error.
  const classifier = classifyPhases(
    new PhaseTable([row(8, 16, { train_acc: 0.92 }), row(8, 64, { train_acc: 0.9 })], axes),
  );
  assert.deepEqual(classifier.column('phase'), ['IV-B', 'II']);
  // Two classes, one holding 80 % of the rows (trivial error 0.2): the line is 2 %.
  const imbalanced = classifyPhases(
    new PhaseTable(
      [row(8, 16, { train_acc: 0.985, trivial_error: 0.2 }), row(8, 64, { train_acc: 0.975, trivial_error: 0.2 })],
      axes,
    ),
  );
  assert.deepEqual(imbalanced.column('phase'), ['IV-B', 'II']);
  // The loss rules are off by default and still available.
  assert.equal(DEFAULT_PHASE_THRESHOLDS.lossFactor, undefined);
  const lossy = new PhaseTable([row(8, 16, { train_loss: 0.01 }), row(8, 64, { train_loss: 0.2 })], axes);
  assert.deepEqual(classifyPhases(lossy).column('phase'), ['IV-B', 'IV-B']);
  assert.deepEqual(classifyPhases(lossy, { lossFactor: 10 }).column('phase'), ['IV-B', 'II']);
  assert.deepEqual(classifyPhases(lossy, { absoluteLoss: 0.005 }).column('phase'), ['II', 'II']);
});

test('IV-A / IV-B is an absolute CKA line: adding cells to the grid does not relabel a cell', () => {
  const cells = [
    row(8, 16, { representation_similarity: 0.5 }),
    row(8, 64, { representation_similarity: 0.6 }),
    row(32, 16, { representation_similarity: 0.7 }),
  ];
  const alone = classifyPhases(new PhaseTable(cells, axes));
  assert.deepEqual(alone.column('phase'), ['IV-A', 'IV-B', 'IV-B']); // 0.5 < 0.55 <= 0.6, 0.7
  assert.equal(alone.thresholds!.ckaThreshold, 0.55);
  // More similar cells would have moved a median split above 0.6 (and relabelled cell (8, 64)).
  const more = [...cells, ...[128, 256, 512].map((width) => row(width, 16, { representation_similarity: 0.95 }))];
  const grown = classifyPhases(new PhaseTable(more, axes));
  assert.deepEqual(
    grown
      .rows()
      .filter((r) => r.width! <= 32)
      .map((r) => r.phase),
    alone.column('phase'),
  );
  assert.deepEqual(classifyPhases(new PhaseTable(cells, axes), { ckaThreshold: 0.65 }).column('phase'), [
    'IV-A',
    'IV-A',
    'IV-B',
  ]);
});

test('phaseMetrics records the Student-t interval of the mean mc over all seed pairs and the majority-class error', async () => {
  const root = temporaryFolder('phases-pairs');
  const spec: ZooSpec = {
    name: 'pairs',
    dataset: 'digits',
    axes: { width: [8], batch_size: [64] },
    seeds: [0, 1, 2],
    defaults: { learning_rate: 0.05 },
    epochs: 2,
    checkpointEvery: 2,
  };
  await buildZoo(spec, { out: root, workers: 0, progress: false });
  const table = await phaseMetrics(root, {
    progress: false,
    hessianSamples: 32,
    hessianMaxIter: 20,
    bezier: { epochs: 1 },
    workers: 0,
  });
  const [cell] = table.rows();
  assert.equal(cell.models.length, 3);
  // The three pairs' mc, as cached per pair.
  const entries = (
    JSON.parse(fs.readFileSync(path.join(root, 'phase-metrics.json'), 'utf8')) as {
      entries: Record<string, { curve_mc_train_error?: number }>;
    }
  ).entries;
  const mcs = Object.entries(entries)
    .filter(([key]) => key.startsWith('pair:'))
    .map(([, value]) => value.curve_mc_train_error!);
  assert.equal(mcs.length, 3);
  const mean = (mcs[0] + mcs[1] + mcs[2]) / 3;
  const s = Math.sqrt(mcs.reduce((sum, v) => sum + (v - mean) ** 2, 0) / 2);
  // Student t quantile with 2 degrees of freedom in closed form: (2p - 1) / sqrt(2 p (1 - p)), p = 0.975.
  const t = 0.95 / Math.sqrt(2 * 0.975 * 0.025);
  assert.ok(Math.abs(cell.curve_mc_train_error! - mean) < 1e-9);
  assert.ok(
    Math.abs(cell.curve_mc_train_error_lower! - (mean - (t * s) / Math.sqrt(3))) < 1e-9,
    `${cell.curve_mc_train_error_lower}`,
  );
  assert.ok(
    Math.abs(cell.curve_mc_train_error_upper! - (mean + (t * s) / Math.sqrt(3))) < 1e-9,
    `${cell.curve_mc_train_error_upper}`,
  );
  // The majority class's share of the train labels, counted by sorting them.
  const labels = [...openZoo(root).trainingData(openZoo(root).models[0]).train.y].sort((a, b) => a - b);
  let longest = 0;
  for (let i = 0, j = 0; i < labels.length; i = j) {
    while (j < labels.length && labels[j] === labels[i]) j++;
    longest = Math.max(longest, j - i);
  }
  assert.ok(Math.abs(cell.trivial_error! - (1 - longest / labels.length)) < 1e-12);
  assert.ok(cell.trivial_error! > 0.85 && cell.trivial_error! < 0.95); // digits: about 10 balanced classes
});
