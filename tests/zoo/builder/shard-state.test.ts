// Sharded zoo builds (lib/src/zoo/builder/build.ts `shard`, ./shard-state.ts): N processes each
// building shard I/N give exactly the files of a one-process build (every checkpoint, result and
// params file byte for byte, zoo.json up to its creation time); rerunning a finished shard writes
// nothing; a shard killed half way is reported as such by zooBuildStatus and resumes to the same
// bytes; the scheduler's CPU allotment caps the threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import {
  buildZoo,
  cpuAllotment,
  defaultWorkerThreads,
  intraOpThreads,
  zooBuildStatus,
  ArgumentError,
  INTRA_OP_THREADS,
  SHARD_STATE_FOLDER,
  type ShardState,
  type ZooSpec,
} from 'weightlab/internal';
import { temporaryFolder } from '../../support/paths';
import { zooFileDigests } from './zoo-files';

const spec: ZooSpec = {
  name: 'shard-test',
  dataset: 'digits',
  axes: { batch_size: [8, 16, 32, 64] },
  seeds: [0, 1],
  defaults: { width: 16, learning_rate: 0.05 },
  epochs: 4,
  checkpointEvery: 2,
};
const library = require.resolve('weightlab/internal');

/** Every file's digest but the shards' own state files. */
function modelFiles(root: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(zooFileDigests(root)).filter(([file]) => !file.startsWith(`${SHARD_STATE_FOLDER}${path.sep}`)),
  );
}

/**
 * The models of shard `index` of `count` by the documented rule, worked out from the ids alone:
 * whole grid cells (an id without its seed) dealt round-robin in the manifest's order.
 */
function shardOfIds(models: string[], index: number, count: number): string[] {
  const cellOf = (id: string) => id.replace(/_seed=\d+$/, '');
  const cells = [...new Set(models.map(cellOf))];
  return models.filter((id) => cells.indexOf(cellOf(id)) % count === index);
}

/** zoo.json without its creation time. */
function manifestContent(root: string): Record<string, unknown> {
  const { created, ...rest } = JSON.parse(fs.readFileSync(path.join(root, 'zoo.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  assert.equal(typeof created, 'string');
  return rest;
}

function readState(root: string, index: number, count: number): ShardState {
  return JSON.parse(
    fs.readFileSync(path.join(root, SHARD_STATE_FOLDER, `${index}-of-${count}.json`), 'utf8'),
  ) as ShardState;
}

/** Runs `buildZoo(spec, options)` in a child process; resolves to its exit code. */
function buildInChild(options: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  const script = `require(${JSON.stringify(library)}).buildZoo(${JSON.stringify(spec)}, ${JSON.stringify({
    workers: 0,
    progress: false,
    ...options,
  })}).then((r) => { if (r.failed.length) process.exit(3); }, (e) => { console.error(e); process.exit(4); })`;
  const child = spawn(process.execPath, ['-e', script], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, stderr })),
  );
  return { child, exited };
}

test('4 shards in 4 processes write the files of a one-process build, each model by one shard', async () => {
  const reference = temporaryFolder('shard-reference');
  const whole = await buildZoo(spec, { out: reference, workers: 0, progress: false });
  assert.equal(whole.models, 8);
  assert.equal(whole.shard, '0/1');
  assert.ok(!fs.existsSync(path.join(reference, SHARD_STATE_FOLDER)), 'an unsharded build writes no shard state');

  const sharded = temporaryFolder('shard-four');
  const runs = [0, 1, 2, 3].map((index) => buildInChild({ out: sharded, shard: { index, count: 4 } }).exited);
  for (const { code, stderr } of await Promise.all(runs)) assert.equal(code, 0, stderr);

  assert.deepEqual(modelFiles(sharded), modelFiles(reference), 'sharded = one-process build, file by file');
  assert.ok(Object.keys(modelFiles(reference)).length > 8 * 3, 'checkpoints, results and params compared');
  assert.deepEqual(manifestContent(sharded), manifestContent(reference));
  const models = (manifestContent(reference).models as string[]).slice();
  const pids = new Set<number>();
  for (const index of [0, 1, 2, 3]) {
    const state = readState(sharded, index, 4);
    assert.equal(state.state, 'finished');
    assert.equal(state.shard, `${index}/4`);
    assert.equal(state.models, 2);
    // Whole cells round-robin: shard I trained cell I (its 2 seeds), nothing else.
    assert.equal(state.trained, 2);
    assert.deepEqual(state.failed, []);
    assert.equal(state.host, os.hostname());
    pids.add(state.pid);
  }
  assert.equal(pids.size, 4, 'four processes');
  const status = zooBuildStatus(sharded);
  assert.equal(status.complete, true);
  assert.deepEqual(status.done, models);
  assert.deepEqual(
    status.shards.map((line) => [line.shard, line.done, line.models, line.state]),
    [0, 1, 2, 3].map((index) => [`${index}/4`, 2, 2, 'finished']),
  );

  // Rerunning a finished shard trains nothing and rewrites nothing (zoo.json included).
  const before = new Map(
    [...Object.keys(modelFiles(sharded)), 'zoo.json'].map((file) => [
      file,
      fs.statSync(path.join(sharded, file)).mtimeMs,
    ]),
  );
  const again = await buildZoo(spec, { out: sharded, workers: 0, progress: false, shard: { index: 1, count: 4 } });
  assert.deepEqual(again.trained, []);
  assert.deepEqual(again.skipped, shardOfIds(models, 1, 4));
  for (const [file, mtime] of before) assert.equal(fs.statSync(path.join(sharded, file)).mtimeMs, mtime, file);
  assert.equal(readState(sharded, 1, 4).state, 'finished');
});

test('a shard killed half way is stale in zooBuildStatus, and resumes to the same bytes', async () => {
  const reference = temporaryFolder('shard-kill-reference');
  await buildZoo(spec, { out: reference, workers: 0, progress: false });
  const models = manifestContent(reference).models as string[];
  const mine = shardOfIds(models, 0, 2);
  const root = temporaryFolder('shard-killed');
  // One model per group: a lockstep group writes its models' results together.
  const { child, exited } = buildInChild({ out: root, shard: { index: 0, count: 2 }, groupModels: 1 });
  const finished = () => mine.filter((id) => fs.existsSync(path.join(root, id, 'result.json')));
  const deadline = Date.now() + 300_000;
  while (finished().length === 0 && child.exitCode === null && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 5));
  child.kill('SIGKILL');
  await exited;
  const done = finished();
  assert.ok(done.length >= 1 && done.length < mine.length, `killed after ${done.length} of ${mine.length} models`);

  const state = readState(root, 0, 2);
  assert.equal(state.state, 'running', 'a killed shard could not record its end');
  assert.equal(state.pid, child.pid);
  const status = zooBuildStatus(root);
  assert.equal(status.complete, false);
  assert.deepEqual(status.done, done);
  assert.deepEqual(status.running, [], 'its process is gone: nothing is running');
  assert.deepEqual(
    status.missing,
    models.filter((id) => !done.includes(id)),
  );
  assert.equal(status.shards.find((line) => line.shard === '0/2')?.state, 'stale');
  assert.equal(zooBuildStatus(root, { shards: 2 }).shards.find((line) => line.shard === '1/2')?.state, 'not started');

  const resumed = await buildZoo(spec, { out: root, workers: 0, progress: false, shard: { index: 0, count: 2 } });
  assert.deepEqual([...resumed.skipped].sort(), [...done].sort());
  assert.equal(resumed.trained.length, mine.length - done.length);
  await buildZoo(spec, { out: root, workers: 0, progress: false, shard: { index: 1, count: 2 } });
  assert.equal(zooBuildStatus(root).complete, true);
  assert.deepEqual(modelFiles(root), modelFiles(reference), 'killed, resumed and sharded = one build');
});

test('zooBuildStatus: a live shard is running; a shard elsewhere is running until its lease ends', async () => {
  const root = temporaryFolder('shard-live');
  await buildZoo(spec, { out: root, workers: 0, progress: false, shard: { index: 0, count: 2 } });
  const models = manifestContent(root).models as string[];
  const theirs = shardOfIds(models, 1, 2);
  const now = Date.now();
  const live: ShardState = {
    ...readState(root, 0, 2),
    shard: '1/2',
    index: 1,
    state: 'running',
    pid: process.pid, // this test's process: alive
    heartbeat: new Date(now).toISOString(),
    trained: 0,
    failed: [],
  };
  fs.writeFileSync(path.join(root, SHARD_STATE_FOLDER, '1-of-2.json'), JSON.stringify(live));
  assert.deepEqual(zooBuildStatus(root).running, theirs);
  // Another host: its pid cannot be asked about, so its heartbeat counts for 10 minutes.
  const remote = { ...live, host: `not-${os.hostname()}`, pid: 1 };
  fs.writeFileSync(path.join(root, SHARD_STATE_FOLDER, '1-of-2.json'), JSON.stringify(remote));
  assert.deepEqual(zooBuildStatus(root, { now: now + 599_000 }).running, theirs);
  const expired = zooBuildStatus(root, { now: now + 601_000 });
  assert.deepEqual(expired.running, []);
  assert.deepEqual(expired.missing, theirs);
  // Recorded failures of models not done are failed, with their error.
  const failed = { ...remote, state: 'failed', failed: [{ id: theirs[0], error: 'loss diverged' }] };
  fs.writeFileSync(path.join(root, SHARD_STATE_FOLDER, '1-of-2.json'), JSON.stringify(failed));
  const withFailure = zooBuildStatus(root);
  assert.deepEqual(withFailure.failed, [{ id: theirs[0], error: 'loss diverged' }]);
  assert.deepEqual(withFailure.missing, theirs.slice(1));
  assert.equal(withFailure.models, withFailure.done.length + withFailure.failed.length + withFailure.missing.length);
});

test('SLURM_CPUS_PER_TASK, else WEIGHTLAB_CPUS, caps worker and onnxruntime threads', () => {
  const saved = { slurm: process.env.SLURM_CPUS_PER_TASK, weightlab: process.env.WEIGHTLAB_CPUS };
  try {
    delete process.env.SLURM_CPUS_PER_TASK;
    delete process.env.WEIGHTLAB_CPUS;
    assert.equal(cpuAllotment(), undefined);
    assert.equal(defaultWorkerThreads(), Math.min(2, os.availableParallelism()));
    assert.equal(intraOpThreads(), INTRA_OP_THREADS);
    process.env.WEIGHTLAB_CPUS = '3';
    assert.equal(defaultWorkerThreads(), 3);
    process.env.SLURM_CPUS_PER_TASK = '1';
    assert.equal(cpuAllotment(), 1, 'SLURM_CPUS_PER_TASK first');
    assert.equal(defaultWorkerThreads(), 1);
    assert.equal(intraOpThreads(), 1);
    process.env.SLURM_CPUS_PER_TASK = 'two';
    assert.throws(
      () => cpuAllotment(),
      (error: unknown) =>
        error instanceof ArgumentError && /SLURM_CPUS_PER_TASK/.test(error.message) && /"two"/.test(error.message),
    );
  } finally {
    for (const [name, value] of [
      ['SLURM_CPUS_PER_TASK', saved.slurm],
      ['WEIGHTLAB_CPUS', saved.weightlab],
    ] as const)
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
  }
});
