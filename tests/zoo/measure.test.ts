// measureZoo in shards: a tiny digits zoo measured in one shard and in three (run out of order)
// gives the same merged files byte for byte; the numbers, in the joined table and as flechette
// (an Arrow decoder independent of apache-arrow) reads the files, equal spectral.analyze on each
// checkpoint (means over the layer rows taken here) and phaseMetrics on the whole zoo, computed
// directly; a finished shard is not measured again; zoo.table() shows the measurements as
// htsr_* / phase_* columns on the right rows and null elsewhere; changed settings recompute.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
// A second Arrow IPC decoder (arquero's), written apart from apache-arrow, reads the merged files back.
import * as flechette from '@uwdata/flechette';
import {
  analyze,
  buildZoo,
  measureZoo,
  mergeZooMeasurements,
  openZoo,
  phaseMetrics,
  type ZooSpec,
} from 'weightlab/internal';
import { temporaryFolder } from '../support/paths';

const spec: ZooSpec = {
  name: 'measure',
  dataset: 'digits',
  axes: { width: [12, 16], batch_size: [32, 64] },
  seeds: [0, 1],
  defaults: { learning_rate: 0.05 },
  epochs: 2,
  checkpointEvery: 1,
};

/** Cheap phase-metric settings (the numbers only need to be the same on both paths). */
const phase = {
  hessianSamples: 16,
  hessianMaxIter: 20,
  bezier: { epochs: 1 },
  curvePoints: 3,
  linearPoints: 5,
  workers: 0,
} as const;

const SUMMARY = ['log_norm', 'alpha', 'alpha_weighted', 'log_alpha_norm', 'log_spectral_norm', 'stable_rank'];

function closeTo(actual: unknown, expected: number, what: string): void {
  assert.equal(typeof actual, 'number', what);
  assert.ok(
    Math.abs((actual as number) - expected) <= 1e-12 * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} vs ${expected}`,
  );
}

test('measureZoo: 1 shard and 3 shards merge into identical files whose numbers equal analyze and phaseMetrics', async () => {
  const whole = temporaryFolder('measure-whole');
  await buildZoo(spec, { out: whole, workers: 0, progress: false });
  const sharded = temporaryFolder('measure-sharded');
  fs.cpSync(whole, sharded, { recursive: true });

  const single = await measureZoo(whole, { phase, progress: false });
  assert.deepEqual(
    single.rows().map((r) => [r.kind, r.measured, r.rows, r.merged_rows, r.waiting_for]),
    [
      ['htsr', true, 24, 24, []], // 8 models x 3 checkpoints (epochs 0, 1, 2)
      ['phase', true, 4, 4, []], // 2 widths x 2 batch sizes
    ],
  );

  // Shards finish in any order; only the last one merges.
  const second = await measureZoo(sharded, { phase, shard: '2/3', progress: false });
  assert.deepEqual(
    second.rows().map((r) => r.waiting_for),
    [
      ['0/3', '1/3'],
      ['0/3', '1/3'],
    ],
  );
  assert.deepEqual(
    second.rows().map((r) => r.rows),
    [8, 1],
  ); // checkpoints 2, 5, …; cell 2
  assert.deepEqual(
    mergeZooMeasurements(sharded)
      .rows()
      .map((r) => r.waiting_for),
    [
      ['0/3', '1/3'],
      ['0/3', '1/3'],
    ],
  );
  await measureZoo(sharded, { phase, shard: { index: 0, count: 3 }, progress: false });
  const last = await measureZoo(sharded, { phase, shard: '1/3', progress: false });
  assert.deepEqual(
    last.rows().map((r) => [r.merged_rows, r.waiting_for]),
    [
      [24, []],
      [4, []],
    ],
  );
  for (const kind of ['htsr', 'phase'])
    assert.ok(
      fs
        .readFileSync(path.join(whole, 'metrics', `${kind}.arrow`))
        .equals(fs.readFileSync(path.join(sharded, 'metrics', `${kind}.arrow`))),
      `${kind}.arrow is the same whatever the shard count`,
    );

  // A finished shard is not measured again and the merged file keeps its bytes (and its mtime).
  const merged = path.join(sharded, 'metrics', 'htsr.arrow');
  const before = fs.statSync(merged).mtimeMs;
  const again = await measureZoo(sharded, { phase, shard: '1/3', progress: false });
  assert.deepEqual(
    again.rows().map((r) => r.measured),
    [false, false],
  );
  assert.equal(fs.statSync(merged).mtimeMs, before);
  assert.deepEqual(
    mergeZooMeasurements(sharded)
      .rows()
      .map((r) => r.merged_rows),
    [24, 4],
  );

  // Column types as written: float64 metrics, int32 epochs, a list of model ids per cell.
  const htsrFile = tableFromIPC(fs.readFileSync(merged));
  assert.equal(String(htsrFile.schema.fields.find((f) => f.name === 'alpha')?.type), 'Float64');
  assert.equal(String(htsrFile.schema.fields.find((f) => f.name === 'epoch')?.type), 'Int32');

  // Oracle 1: spectral.analyze on every checkpoint, its layer rows averaged here, against the
  // joined zoo table and against the merged file as a second Arrow decoder (flechette) reads it.
  const zoo = openZoo(whole);
  const table = zoo.table();
  const rows = table.rows();
  assert.equal(rows.length, 24);
  const decoded = flechette.tableFromIPC(fs.readFileSync(merged)).toArray() as Record<string, unknown>[];
  assert.deepEqual(
    decoded.map((r) => `${String(r.model)}@${String(r.epoch)}`),
    [...zoo].map((c) => `${c.model.id}@${c.epoch}`),
    'merged rows in the zoo order',
  );
  for (const checkpoint of zoo) {
    const result = await analyze(checkpoint.load(), { progress: false });
    const row = rows.find((r) => r.model === checkpoint.model.id && r.epoch === checkpoint.epoch)!;
    const read = decoded.find((r) => r.model === checkpoint.model.id && r.epoch === checkpoint.epoch)!;
    assert.equal(row.htsr_layers, result.layers.length);
    assert.equal(row.htsr_layers, 2, 'both dense layers of 64-w-10 have >= 10 eigenvalues');
    for (const column of SUMMARY) {
      const values = result.rows().map((layer) => (layer as unknown as Record<string, number>)[column]);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      closeTo(row[`htsr_${column}`], mean, `${checkpoint.model.id}@${checkpoint.epoch} ${column}`);
      closeTo(read[column], mean, `${checkpoint.model.id}@${checkpoint.epoch} ${column} (flechette)`);
    }
  }

  // Oracle 2: phaseMetrics on the whole zoo in this process, cell by cell.
  const direct = await phaseMetrics(zoo, { ...phase, cache: false, progress: false });
  assert.equal(direct.settings.epoch, 2);
  const phaseDecoded = flechette
    .tableFromIPC(fs.readFileSync(path.join(sharded, 'metrics', 'phase.arrow')))
    .toArray() as Record<string, unknown>[];
  assert.equal(phaseDecoded.length, 4);
  for (const cell of direct.rows()) {
    for (const id of cell.models) {
      const atEnd = rows.find((r) => r.model === id && r.epoch === 2)!;
      for (const column of [
        'train_loss',
        'test_acc',
        'hessian_top_ev',
        'curve_mc_train_error',
        'representation_similarity',
        'l2_distance',
      ])
        assert.equal(atEnd[`phase_${column}`], cell[column], `${id} ${column}`);
      const read = phaseDecoded.find((r) => r.width === cell.width && r.batch_size === cell.batch_size)!;
      assert.deepEqual(read.models, cell.models);
      assert.equal(read.hessian_trace, cell.hessian_trace);
      assert.equal(read.linear_barrier_train_loss, cell.linear_barrier_train_loss);
      assert.equal(atEnd.phase_nan, false);
      // The cell was measured at epoch 2 only: earlier rows of its models have nulls.
      const early = rows.find((r) => r.model === id && r.epoch === 1)!;
      assert.equal(early.phase_train_loss, null);
      assert.equal(typeof early.htsr_alpha, 'number');
    }
  }

  // Other settings make the shard stale: it is measured again (here: HTSR of the last epoch only).
  const changed = await measureZoo(sharded, { metrics: ['htsr'], epochs: [2], shard: '1/3', progress: false });
  assert.deepEqual(
    changed.rows().map((r) => [r.measured, r.rows, r.waiting_for]),
    [[true, 3, ['0/3 (measured with other settings)', '2/3 (measured with other settings)']]],
  );
  // The merged file keeps the last complete set until the other shards catch up.
  assert.ok(fs.readFileSync(merged).equals(fs.readFileSync(path.join(whole, 'metrics', 'htsr.arrow'))));
});

test('measureZoo: empty shards merge, a bad checkpoint is a row saying why, a damaged shard is named and remeasured, an interrupt writes nothing', async () => {
  const root = temporaryFolder('measure-many');
  await buildZoo({ ...spec, axes: { width: [12] }, seeds: [0], epochs: 1 }, { out: root, workers: 0, progress: false });
  // A checkpoint that cannot be read gets a row of nulls saying why; the others are measured.
  const broken = openZoo(root).models[0].checkpoints[1];
  fs.writeFileSync(broken.path.replace(/#.*$/, ''), 'not a checkpoint');
  // One model, 2 checkpoints, one cell: shards 2 and 3 of 4 have nothing to do.
  for (const index of [3, 2, 1, 0])
    await measureZoo(root, { metrics: ['htsr'], shard: { index, count: 4 }, progress: false });
  const rows = openZoo(root).table().rows();
  assert.deepEqual(
    rows.map((r) => [r.epoch, typeof r.htsr_alpha, r.htsr_layers === null, r.htsr_problem === null]),
    [
      [0, 'number', false, true],
      [1, 'object', true, false],
    ],
  );
  assert.ok(String(rows[1].htsr_problem).includes(path.basename(broken.path)), String(rows[1].htsr_problem));
  // A damaged shard file blocks the merge, named; measuring that shard again replaces it, and --force always measures.
  const shardOne = path.join(root, 'metrics', 'htsr.shard-1-of-4.arrow');
  fs.writeFileSync(shardOne, 'ARROW1 but not really');
  const blocked = mergeZooMeasurements(root, { metrics: ['htsr'] }).rows()[0];
  assert.equal(blocked.merged_file, null);
  assert.match(
    blocked.waiting_for.join(),
    /^1\/4 \(unreadable: .*htsr\.shard-1-of-4\.arrow, offset 15: not an Arrow IPC file \(expected the ARROW1 magic at the end/,
  );
  const repaired = await measureZoo(root, { metrics: ['htsr'], shard: '1/4', progress: false });
  assert.deepEqual(
    repaired.rows().map((r) => [r.measured, r.merged_rows]),
    [[true, 2]],
  );
  const forced = await measureZoo(root, { metrics: ['htsr'], shard: '1/4', force: true, progress: false });
  assert.equal(forced.rows()[0].measured, true);

  // An interrupted shard writes nothing.
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    measureZoo(root, { metrics: ['htsr'], shard: '0/2', signal: controller.signal, progress: false }),
    { name: 'InterruptedError' },
  );
  assert.equal(fs.existsSync(path.join(root, 'metrics', 'htsr.shard-0-of-2.arrow')), false);
  await assert.rejects(measureZoo(root, { shard: '4/4', progress: false }), { name: 'ArgumentError' });
  await assert.rejects(measureZoo(root, { metrics: ['hessian' as never], progress: false }), { name: 'ArgumentError' });
  await assert.rejects(measureZoo(root, { shards: 2 } as never), { name: 'ArgumentError' });
});
