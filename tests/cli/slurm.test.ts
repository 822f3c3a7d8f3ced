// `weightlab zoo submit --scheduler slurm` against a real one-node SLURM cluster
// (../support/slurm-cluster.ts; CI installs slurm-wlm and munge and runs as root): a zoo built
// by a 4-task array, one task cancelled half way (scancel), a resubmission that fails (named by
// --wait with its SLURM state), and one that runs only the unfinished shard, gives the bytes
// of a one-process build; then the same 4-task array measures it (`zoo submit -- metrics DIR`), and
// the merged HTSR and phase tables equal one process's measurement byte for byte and join zoo.table().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  buildZoo,
  measureZoo,
  openZoo,
  zooBuildStatus,
  zooPreset,
  SHARD_STATE_FOLDER,
  type ShardState,
} from 'weightlab/internal';
import { runCli, temporaryFolder } from '../support/paths';
import { slurmUnavailable, startSlurmCluster } from '../support/slurm-cluster';
import { zooFileDigests } from '../zoo/builder/zoo-files';

const skip = slurmUnavailable();

/** The zoo's model files (no shard states, no SLURM scripts and logs). */
function modelFiles(root: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(zooFileDigests(root)).filter(
      ([file]) => !file.startsWith(`${SHARD_STATE_FOLDER}${path.sep}`) && !file.startsWith(`slurm${path.sep}`),
    ),
  );
}

interface SubmitReport {
  scheduler: string;
  file: string;
  shards: number[];
  job: string;
  failed: { shard: string; reason: string }[];
}

test(
  'a zoo built by a SLURM array, one task cancelled and resubmitted, equals a one-process build',
  { skip, timeout: 240_000 },
  async () => {
    const cluster = await startSlurmCluster();
    try {
      // A space in the path: sbatch must get the quoted #SBATCH --output, bash the quoted --out.
      const zoo = path.join(cluster.folder, 'sharded zoo');
      const build = ['build', '--preset', 'digits-mlp-grid', '--small', '--out', zoo];
      const submit = (extra: string[], wrapped = build) =>
        runCli(
          [
            'zoo',
            'submit',
            '--scheduler',
            'slurm',
            '--shards',
            '4',
            '--cpus-per-task',
            '1',
            '--json',
            ...extra,
            '--',
            ...wrapped,
          ],
          { env: cluster.env, timeoutMs: 180_000 },
        );
      const first = submit([]);
      assert.equal(first.status, 0, first.stderr);
      const submitted = JSON.parse(first.stdout) as SubmitReport;
      assert.deepEqual(submitted.shards, [0, 1, 2, 3]);
      assert.match(fs.readFileSync(submitted.file, 'utf8'), /^#SBATCH --array=0-3$/m);

      // Cancel shard 3 as soon as it has started (its state file exists): it cannot have finished.
      const started = path.join(zoo, SHARD_STATE_FOLDER, '3-of-4.json');
      const deadline = Date.now() + 120_000;
      while (!fs.existsSync(started) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.ok(fs.existsSync(started), 'shard 3 started');
      const cancel = spawnSync('scancel', [`${submitted.job}_3`], { env: cluster.env, encoding: 'utf8' });
      assert.equal(cancel.status, 0, cancel.stderr);
      const queued = () =>
        spawnSync('squeue', ['-h', '-j', submitted.job, '-o', '%i'], {
          env: cluster.env,
          encoding: 'utf8',
        }).stdout.trim();
      while (queued() !== '' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(queued(), '', 'the array has ended');

      const cancelled = zooBuildStatus(zoo, { shards: 4 });
      assert.equal(cancelled.complete, false);
      const lines = new Map(cancelled.shards.map((line) => [line.shard, line]));
      for (const shard of ['0/4', '1/4', '2/4']) {
        assert.equal(lines.get(shard)?.state, 'finished', shard);
        assert.equal(lines.get(shard)?.job, `slurm ${submitted.job}_${shard[0]}`);
        const state = JSON.parse(
          fs.readFileSync(path.join(zoo, SHARD_STATE_FOLDER, `${shard[0]}-of-4.json`), 'utf8'),
        ) as ShardState;
        assert.equal(state.threads, 1, '--cpus-per-task 1: SLURM_CPUS_PER_TASK=1 gives one worker thread');
      }
      assert.equal(lines.get('3/4')?.state, 'stale', 'the cancelled task could not record its end');
      assert.ok(lines.get('3/4')!.done < lines.get('3/4')!.models);
      assert.deepEqual(cancelled.running, []);

      // Had the cancelled task run on another node, its heartbeat would still be recent: the zoo
      // alone says 'running' (its lease), but zoo submit asks SLURM, which knows it has ended.
      const elsewhere = JSON.parse(fs.readFileSync(started, 'utf8')) as ShardState;
      fs.writeFileSync(
        started,
        JSON.stringify({ ...elsewhere, host: `${os.hostname()}-elsewhere`, heartbeat: new Date().toISOString() }),
      );
      assert.equal(zooBuildStatus(zoo).shards.find((line) => line.shard === '3/4')?.state, 'running');

      // A resubmission whose task fails (the zoo was started with engine js): --wait names it.
      const failing = submit(['--wait'], [...build, '--engine', 'jax']);
      assert.equal(failing.status, 1, failing.stderr);
      const failed = JSON.parse(failing.stdout) as SubmitReport;
      assert.deepEqual(failed.shards, [3], 'only the unfinished shard is submitted');
      assert.equal(failed.failed.length, 1);
      assert.equal(failed.failed[0].shard, '3/4');
      assert.match(failed.failed[0].reason, /SLURM FAILED exit 1:0/);
      assert.match(
        fs.readFileSync(path.join(zoo, 'slurm', `${failed.job}_3.out`), 'utf8'),
        /zoo started with engine 'js'/,
      );

      const resubmitted = submit(['--wait']);
      assert.equal(resubmitted.status, 0, `${resubmitted.stdout}${resubmitted.stderr}`);
      const report = JSON.parse(resubmitted.stdout) as SubmitReport;
      assert.deepEqual(report.shards, [3]);
      assert.deepEqual(report.failed, []);
      assert.match(fs.readFileSync(report.file, 'utf8'), /^#SBATCH --array=3$/m);
      assert.equal(zooBuildStatus(zoo).complete, true);
      const status = runCli(['zoo', 'status', zoo]);
      assert.equal(status.status, 0, status.stdout);
      assert.match(status.stdout, /18 done, 0 running, 0 failed, 0 missing \(complete\)/);

      // Nothing left: a further submission submits nothing.
      const nothing = submit([]);
      assert.equal(nothing.status, 0, nothing.stderr);
      assert.deepEqual((JSON.parse(nothing.stdout) as SubmitReport).shards, []);

      const reference = temporaryFolder('slurm-reference');
      await buildZoo(zooPreset('digits-mlp-grid', { small: true }), { out: reference, workers: 0, progress: false });
      assert.deepEqual(modelFiles(zoo), modelFiles(reference), 'SLURM-built zoo = one-process build, file by file');

      // The measurements in the same 4 array tasks (small Hessian and Bezier settings keep it short):
      // each task writes its shard file and the last one merges.
      const measure = ['--hessian-samples', '16', '--bezier-epochs', '1', '--workers', '0'];
      const measured = submit(['--wait'], ['metrics', zoo, ...measure]);
      assert.equal(measured.status, 0, `${measured.stdout}${measured.stderr}`);
      assert.deepEqual((JSON.parse(measured.stdout) as SubmitReport).shards, [0, 1, 2, 3]);
      await measureZoo(reference, {
        progress: false,
        phase: { hessianSamples: 16, bezier: { epochs: 1 }, workers: 0 },
      });
      for (const kind of ['htsr', 'phase']) {
        const merged = path.join(zoo, 'metrics', `${kind}.arrow`);
        assert.ok(fs.existsSync(merged), `${kind}: merged by the last array task`);
        assert.ok(
          fs.readFileSync(merged).equals(fs.readFileSync(path.join(reference, 'metrics', `${kind}.arrow`))),
          `${kind}: 4 SLURM shards = one process, byte for byte`,
        );
      }
      const joined = openZoo(zoo).table().rows();
      // Every checkpoint has its HTSR row (width-2 layers are below the size limit, so alpha can be null).
      const checkpoints = openZoo(zoo).models.reduce((sum, model) => sum + model.checkpoints.length, 0);
      assert.equal(joined.filter((row) => typeof row.htsr_layers === 'number').length, checkpoints);
      assert.ok(joined.some((row) => typeof row.htsr_alpha === 'number'));
      assert.ok(joined.some((row) => typeof row.phase_hessian_top_ev === 'number'));
    } finally {
      await cluster.stop();
    }
  },
);
