// `weightlab zoo status DIR`: counts and per-shard lines of a sharded build as it progresses,
// --json with the same facts, exit 0 only when the zoo is complete (3 otherwise), and clear
// errors for a folder that is not a built zoo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, temporaryFolder } from '../support/paths';

test('zoo status follows a 2-shard build: counts, shard lines, --json, exit 3 until complete', () => {
  const zoo = path.join(temporaryFolder('status'), 'zoo');
  const build = (shard: string) =>
    runCli(['zoo', 'build', '--preset', 'digits-mlp-grid', '--small', '--out', zoo, '--shard', shard, '--json']);
  const first = build('0/2');
  assert.equal(first.status, 0, first.stderr);
  const report = JSON.parse(first.stdout) as { shard: string; models: number; trained: string[] };
  assert.equal(report.shard, '0/2');
  // 9 cells x 2 seeds; whole cells go round-robin: cells 0, 2, 4, 6, 8 (10 models) to shard 0 of 2.
  assert.equal(report.models, 10, 'the small grid has 18 models: 10 in shard 0 of 2');
  assert.equal(report.trained.length, 10);

  const half = runCli(['zoo', 'status', zoo, '--shards', '2']);
  assert.equal(half.status, 3, half.stderr);
  assert.match(half.stdout, /^models: 18: 10 done, 0 running, 0 failed, 8 missing$/m);
  assert.match(half.stdout, /^ {2}shard 0\/2 +10\/10 done {2}finished {2}\S+ pid \d+/m);
  assert.match(half.stdout, /^ {2}shard 1\/2 +0\/8 done {2}not started$/m);
  const json = runCli(['zoo', 'status', zoo, '--json']);
  assert.equal(json.status, 3);
  const status = JSON.parse(json.stdout) as {
    models: number;
    complete: boolean;
    done: string[];
    missing: string[];
    shards: { shard: string; done: number; models: number; state: string }[];
  };
  assert.equal(status.complete, false);
  assert.equal(status.done.length + status.missing.length, 18);
  assert.deepEqual([...status.done].sort(), [...report.trained].sort());
  assert.deepEqual(
    status.shards.map((line) => [line.shard, line.done, line.models, line.state]),
    [
      ['0/2', 10, 10, 'finished'],
      ['1/2', 0, 8, 'not started'],
    ],
    'every shard of a split some state file names',
  );

  const second = build('1/2');
  assert.equal(second.status, 0, second.stderr);
  const complete = runCli(['zoo', 'status', zoo]);
  assert.equal(complete.status, 0, complete.stdout);
  assert.match(complete.stdout, /^models: 18: 18 done, 0 running, 0 failed, 0 missing \(complete\)$/m);
});

test('zoo status: a folder that is not a built zoo exits 1 naming the file; bad options exit 2', () => {
  const folder = temporaryFolder('status-errors');
  const missing = runCli(['zoo', 'status', folder]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no zoo\.json/);
  assert.match(missing.stderr, new RegExp(path.join(folder, 'zoo.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  fs.writeFileSync(path.join(folder, 'zoo.json'), JSON.stringify({ format: 'weightlab-zoo', version: 2, models: [] }));
  const foreign = runCli(['zoo', 'status', folder]);
  assert.equal(foreign.status, 1);
  assert.match(foreign.stderr, /not made by the zoo builder/);
  assert.equal(runCli(['zoo', 'status']).status, 2);
  const badShards = runCli(['zoo', 'status', folder, '--shards', 'x']);
  assert.equal(badShards.status, 2);
  assert.match(badShards.stderr, /--shards must be a whole number >= 1, got 'x'/);
});

test('zoo build --shard: a malformed shard is a usage error; --phases needs the whole zoo', () => {
  const zoo = path.join(temporaryFolder('status-shard-usage'), 'zoo');
  for (const shard of ['4/4', '1', 'a/b', '-1/2']) {
    const result = runCli(['zoo', 'build', '--preset', 'digits-mlp-grid', '--small', '--out', zoo, '--shard', shard]);
    assert.equal(result.status, 2, shard);
    assert.match(result.stderr, /--shard must be I\/N with 0 <= I < N/);
  }
  const phases = runCli([
    'zoo',
    'build',
    '--preset',
    'digits-mlp-grid',
    '--small',
    '--out',
    zoo,
    '--shard',
    '0/2',
    '--phases',
  ]);
  assert.equal(phases.status, 2);
  assert.match(phases.stderr, /--phases needs the whole zoo/);
  assert.ok(!fs.existsSync(zoo));
});
