// `weightlab zoo metrics` as a SLURM array would run it: shard 1/2 first (it waits for 0/2),
// `--merge` fails naming the missing shard, shard 0/2 merges; the merged files are byte for byte
// those of measureZoo in this process on a copy of the zoo (one shard), and `zoo info --json`
// shows the measurements as htsr_* / phase_* columns. Bad arguments are usage errors.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildZoo, measureZoo, type ZooSpec } from 'weightlab/internal';
import { runCli, temporaryFolder } from '../support/paths';

const spec: ZooSpec = {
  name: 'cli-measure',
  dataset: 'digits',
  axes: { width: [12, 16], batch_size: [32, 64] },
  seeds: [0, 1],
  defaults: { learning_rate: 0.05 },
  epochs: 1,
};

const PHASE_FLAGS = ['--hessian-samples', '16', '--bezier-epochs', '1', '--workers', '0'];

test('weightlab zoo metrics: two shards in any order, --merge, and the same files as measureZoo', async () => {
  const root = temporaryFolder('cli-zoo-metrics');
  await buildZoo(spec, { out: root, workers: 0, progress: false });
  const copy = temporaryFolder('cli-zoo-metrics-copy');
  fs.cpSync(root, copy, { recursive: true });

  const second = runCli(['zoo', 'metrics', root, '--shard', '1/2', '--json', ...PHASE_FLAGS]);
  assert.equal(second.status, 0, second.stderr);
  const waiting = JSON.parse(second.stdout) as Record<string, unknown>[];
  assert.deepEqual(
    waiting.map((r) => [r.kind, r.measured, r.rows, r.merged_file, r.waiting_for]),
    [
      ['htsr', true, 8, null, ['0/2']], // 8 models x 2 checkpoints (epochs 0, 1), every other one
      ['phase', true, 2, null, ['0/2']], // 4 cells, every other one
    ],
  );
  assert.equal(waiting[0].shard_file, path.join(root, 'metrics', 'htsr.shard-1-of-2.arrow'));

  const early = runCli(['zoo', 'metrics', root, '--merge']);
  assert.equal(early.status, 1);
  assert.match(early.stderr, /htsr cannot be merged yet: missing shards 0\/2/);

  const first = runCli(['zoo', 'metrics', root, '--shard', '0/2', ...PHASE_FLAGS]);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, /htsr: merged 16 rows into .*htsr\.arrow/);
  assert.match(first.stdout, /phase: merged 4 rows into .*phase\.arrow/);

  // The second path: the library in this process, one shard, on a copy of the same zoo.
  await measureZoo(copy, {
    phase: { hessianSamples: 16, bezier: { epochs: 1 }, workers: 0 },
    progress: false,
  });
  for (const kind of ['htsr', 'phase'])
    assert.ok(
      fs
        .readFileSync(path.join(root, 'metrics', `${kind}.arrow`))
        .equals(fs.readFileSync(path.join(copy, 'metrics', `${kind}.arrow`))),
      `${kind}.arrow: CLI in 2 shards = library in 1`,
    );

  const info = runCli(['zoo', 'info', root, '--json']);
  assert.equal(info.status, 0, info.stderr);
  const table = (JSON.parse(info.stdout) as { table: Record<string, unknown>[] }).table;
  assert.equal(table.length, 16);
  assert.ok(table.every((row) => typeof row.htsr_alpha === 'number' && row.htsr_layers === 2));
  const last = table.filter((row) => row.epoch === 1);
  assert.ok(last.every((row) => typeof row.phase_hessian_top_ev === 'number'));
  assert.ok(table.filter((row) => row.epoch === 0).every((row) => row.phase_hessian_top_ev === null));
});

test('weightlab zoo metrics: bad arguments are usage errors', () => {
  const folder = temporaryFolder('cli-zoo-metrics-usage');
  for (const [args, message] of [
    [['--shard', '2/2'], /--shard: shard must have 0 <= index < count|--shard/],
    [['--metrics', 'htsr,cka'], /--metrics takes htsr, phase \(got 'cka'\)/],
    [['--merge', '--shard', '0/2'], /--merge measures nothing/],
  ] as const) {
    const result = runCli(['zoo', 'metrics', folder, ...args]);
    assert.equal(result.status, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
  }
  const missing = runCli(['zoo', 'metrics', path.join(folder, 'nothing-here')]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /a zoo is a folder/);
});
