// What each shard of a sharded zoo build is doing, for `weightlab zoo status` and for `zoo
// submit`'s resubmission: every shard (a SLURM array task, a Kubernetes pod, a shell) writes its
// own `<zoo>/.shards/I-of-N.json` (never another shard's file, always by temp + rename), saying
// when it started, on which host and pid, its heartbeat, and which models failed. Whether a model
// is done is never taken from these files: a complete result.json (jobComplete) is the only
// completion mark, so the zoo is complete exactly when every shard's models are, whoever trained
// them, and no merge step exists.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ArgumentError, FormatError } from '../../errors';
import { processIsRunning, writeFileAtomic } from '../../io/atomic-write';
import { ZOO_MANIFEST } from '../native';
import { shardItemsBy, type Shard } from '../shard';
import { canonicalJson } from '../cache-key';
import { expandGrid, specShape, type ModelJob, type ZooSpec } from './spec';
import { jobComplete } from './train-job';

/** The folder of shard state files inside a zoo. */
export const SHARD_STATE_FOLDER = '.shards';

/**
 * How long a shard on another host (whose pid cannot be asked about) counts as running after its
 * last heartbeat. A heartbeat is written after every trained model and, while worker threads
 * train, every minute (with workers: 0 the training holds the thread, so only after each model).
 */
export const SHARD_LEASE_SECONDS = 600;

/** One shard's state file. */
export interface ShardState {
  /** "I/N". */
  shard: string;
  index: number;
  count: number;
  /** 'running' until the shard returns; 'finished' (every model done), 'failed' (some model failed) or 'interrupted'. */
  state: 'running' | 'finished' | 'failed' | 'interrupted';
  host: string;
  pid: number;
  /** ISO times. */
  started: string;
  heartbeat: string;
  ended?: string;
  /** The scheduler's job and task, when one ran the shard (SLURM_ARRAY_JOB_ID_SLURM_ARRAY_TASK_ID, or the pod name). */
  job?: string;
  /** Worker threads the shard may use: the workers option, else the scheduler's CPU allotment (SLURM_CPUS_PER_TASK, WEIGHTLAB_CPUS), else min(2, cores). */
  threads: number;
  /** Models of this shard (grid order). */
  models: number;
  trained: number;
  skipped: number;
  failed: { id: string; error: string }[];
  /** Why the shard itself stopped, when it threw (state 'failed' with the models unfinished). */
  error?: string;
}

/** The state file of `shard` in `zoo`. */
export function shardStateFile(zoo: string, shard: Shard): string {
  return path.join(zoo, SHARD_STATE_FOLDER, `${shard.index}-of-${shard.count}.json`);
}

/** Writes one shard's state (temp + rename: a reader never sees half a file). */
export function writeShardState(zoo: string, state: ShardState): void {
  const text = `${JSON.stringify(state, null, 2)}\n`;
  writeFileAtomic(shardStateFile(zoo, state), (write) => write(Buffer.from(text)));
}

/** The scheduler's name for the running task, if any. */
export function schedulerTask(): string | undefined {
  const env = process.env;
  if (env.SLURM_ARRAY_JOB_ID && env.SLURM_ARRAY_TASK_ID)
    return `slurm ${env.SLURM_ARRAY_JOB_ID}_${env.SLURM_ARRAY_TASK_ID}`;
  if (env.SLURM_JOB_ID) return `slurm ${env.SLURM_JOB_ID}`;
  if (env.JOB_COMPLETION_INDEX !== undefined && env.HOSTNAME) return `kubernetes pod ${env.HOSTNAME}`;
  return undefined;
}

/** Every state file of a zoo, parsed; a FormatError names a file that is not one. */
export function readShardStates(zoo: string): ShardState[] {
  const folder = path.join(zoo, SHARD_STATE_FOLDER);
  if (!fs.existsSync(folder)) return [];
  const states: ShardState[] = [];
  for (const name of fs.readdirSync(folder).sort()) {
    if (!/^\d+-of-\d+\.json$/.test(name)) continue; // temp files of a writer
    const file = path.join(folder, name);
    let state: ShardState;
    try {
      state = JSON.parse(fs.readFileSync(file, 'utf8')) as ShardState;
    } catch (error) {
      throw new FormatError(`unreadable shard state: ${(error as Error).message}`, { file });
    }
    if (!(Number.isInteger(state.index) && Number.isInteger(state.count) && typeof state.state === 'string'))
      throw new FormatError('not a shard state file', {
        file,
        expected: '{index, count, state, ...}',
        found: JSON.stringify(state).slice(0, 80),
      });
    states.push(state);
  }
  return states.sort((a, b) => a.count - b.count || a.index - b.index);
}

/** Whether a state file that says 'running' belongs to a live process (same host: its pid; another host: a recent heartbeat). */
export function shardAlive(state: ShardState, now = Date.now()): boolean {
  if (state.state !== 'running') return false;
  if (state.host === os.hostname()) return processIsRunning(state.pid);
  return now - Date.parse(state.heartbeat) < SHARD_LEASE_SECONDS * 1000;
}

/** One shard's line in a status report. */
export interface ShardStatusLine {
  shard: string;
  index: number;
  count: number;
  models: number;
  done: number;
  /** From its state file: running (alive), stale (said running, but its process is gone), finished, failed, interrupted, or 'not started' (no file). */
  state: ShardState['state'] | 'stale' | 'not started';
  host?: string;
  pid?: number;
  job?: string;
  heartbeat?: string;
  failed: { id: string; error: string }[];
  /** The state file's error: why the shard itself stopped. */
  error?: string;
}

/** What `zooBuildStatus` reports. */
export interface ZooBuildStatus {
  zoo: string;
  models: number;
  done: string[];
  running: string[];
  failed: { id: string; error: string }[];
  missing: string[];
  complete: boolean;
  /** Every shard of every split (shard count) some state file names, and of `shards` when asked; started or not. */
  shards: ShardStatusLine[];
}

/** The grid a builder-made zoo was built from (its zoo.json records the spec). */
export function builtZooJobs(zoo: string): ModelJob[] {
  const file = path.join(zoo, ZOO_MANIFEST);
  if (!fs.existsSync(file))
    throw new ArgumentError('no zoo.json: not a zoo folder (or its build has not started)', {
      file,
      expected: 'a folder written by buildZoo / weightlab zoo build',
    });
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new FormatError(`zoo.json is not JSON: ${(error as Error).message}`, { file });
  }
  const spec = (manifest['weightlab.builder'] as { spec?: ZooSpec } | undefined)?.spec;
  if (!spec)
    throw new FormatError('zoo.json has no builder spec: this zoo was not made by the zoo builder', {
      file,
      field: 'weightlab.builder.spec',
      expected: 'the spec recorded by buildZoo',
      found: 'absent',
    });
  const shape = specShape(spec);
  return expandGrid(spec, shape.inputs, shape.outputs, shape.image);
}

/**
 * The state of every model of a builder-made zoo: done (complete result.json), running (not
 * done, in a shard whose process is alive), failed (recorded by its shard's last run), missing
 * (the rest). `shards` adds per-shard lines for that shard count even where no state file exists.
 */
export function zooBuildStatus(zoo: string, options: { shards?: number; now?: number } = {}): ZooBuildStatus {
  const root = path.resolve(zoo);
  const jobs = builtZooJobs(root);
  const states = readShardStates(root);
  const now = options.now ?? Date.now();
  const done = new Set(jobs.filter((job) => jobComplete(root, job)).map((job) => job.id));
  const counts = new Set(states.map((state) => state.count));
  if (options.shards !== undefined) counts.add(options.shards);
  const running = new Set<string>();
  const failedBy = new Map<string, string>();
  const lines: ShardStatusLine[] = [];
  for (const count of [...counts].sort((a, b) => a - b)) {
    for (let index = 0; index < count; index++) {
      const state = states.find((s) => s.count === count && s.index === index);
      const members = shardJobs(jobs, { index, count });
      const alive = state !== undefined && shardAlive(state, now);
      if (alive) for (const job of members) if (!done.has(job.id)) running.add(job.id);
      for (const failure of state?.failed ?? []) if (!done.has(failure.id)) failedBy.set(failure.id, failure.error);
      lines.push({
        shard: `${index}/${count}`,
        index,
        count,
        models: members.length,
        done: members.filter((job) => done.has(job.id)).length,
        state: state === undefined ? 'not started' : state.state === 'running' && !alive ? 'stale' : state.state,
        host: state?.host,
        pid: state?.pid,
        job: state?.job,
        heartbeat: state?.heartbeat,
        failed: (state?.failed ?? []).filter((failure) => !done.has(failure.id)),
        error: state?.error,
      });
    }
  }
  const ids = jobs.map((job) => job.id);
  return {
    zoo: root,
    models: ids.length,
    done: ids.filter((id) => done.has(id)),
    running: ids.filter((id) => running.has(id)),
    failed: ids
      .filter((id) => !done.has(id) && !running.has(id) && failedBy.has(id))
      .map((id) => ({ id, error: failedBy.get(id)! })),
    missing: ids.filter((id) => !done.has(id) && !running.has(id) && !failedBy.has(id)),
    complete: done.size === ids.length,
    shards: lines,
  };
}

/**
 * The models of one shard of a build: whole grid cells (a cell's seeds share a shape, so they
 * stay one lockstep group instead of being split into slower single-model runs), dealt
 * round-robin in grid order.
 */
export function shardJobs<Job extends { values: object }>(jobs: readonly Job[], shard: Shard): Job[] {
  return shardItemsBy(jobs, (job) => canonicalJson(job.values), shard);
}
