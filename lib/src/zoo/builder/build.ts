// buildZoo(spec): trains every model of a grid in parallel worker threads and writes a
// native weightlab zoo. Resumable: finished models (complete result.json) are skipped, so
// rerunning a killed build continues where it stopped. Parallelism is per training group (worker
// threads): the zoo's MLPs are too small for one model's step to use two cores (bench/zoo.js
// compares 1 and 2 workers; on a machine shared with other jobs, 2 workers were not faster, so
// measure on an idle one). With engine 'js', same-shaped ReLU MLPs or CNNs trained by SGD go in groups
// trained side by side by the wasm lockstep kernels (lib/src/train/lockstep.ts), which give each
// model the bits of the one-model loop (issue #18; bench/zoo.js compares grouped and not).
// `engine: 'jax'` instead hands each worker a group of same-shaped MLPs
// (same architecture, batch size and data fraction) trained by one jitted jax-js step
// (lib/src/train/jax-engine.ts); bench/zoo.js --engines measured it slower than the JS loops on
// 2 shared cores, so 'js' is the default and 'auto' follows chooseEngine().
// `shard: {index, count}` trains only that shard's models (whole grid cells dealt round-robin in grid order, before
// any cost sort), so N processes on N machines build one zoo with no coordination: each model's
// files are written by exactly one shard, zoo.json is written only when absent or out of date
// (every shard computes the same content), and each shard records its progress in its own
// `.shards/I-of-N.json` (./shard-state.ts) for `weightlab zoo status`.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ArgumentError, InterruptedError } from '../../errors';
import { Progress } from '../../progress/progress';
import { readNativeZoo, writeZooManifest, ZOO_FORMAT, ZOO_FORMAT_VERSION, ZOO_MANIFEST } from '../native';
import type { Zoo } from '../zoo';
import { expandGrid, manifestAxes, specData, specIdentity, specShape, type ModelJob, type ZooSpec } from './spec';
import { isCustomDataset, type ZooDataset } from '../dataset';
import { jobComplete, runJob, runJobGroup, runLockstepGroup, type JobOutcome } from './train-job';
import { runWorkerPool } from '../../parallel/worker-pool';
import { defaultWorkerThreads } from '../../backend/engine';
import { checkShard, type Shard } from '../shard';
import { schedulerTask, shardJobs, writeShardState, type ShardState } from './shard-state';
import { canonicalJson } from '../cache-key';
import { resolveOptions, type OptionDefaults } from '../../options/resolve';
import { chooseEngine, type TrainingEngine } from '../../train/jax-engine';
import { lockstepCovers } from '../../train/lockstep';

export interface BuildOptions {
  /** Output folder (created; an existing zoo built from the same spec is resumed). Required. */
  out: string;
  /**
   * Worker threads; 0 trains in this thread.
   * @default undefined (min(2, cores), or SLURM_CPUS_PER_TASK / WEIGHTLAB_CPUS when set)
   */
  workers?: number;
  /**
   * Show a progress bar.
   * @default true
   */
  progress?: boolean;
  /**
   * Stops the build between models (the kernel's interrupt does too).
   * @default undefined
   */
  signal?: AbortSignal;
  /**
   * 'js' (default): the float64 loops: ReLU MLPs and CNNs trained by SGD in lockstep groups (the wasm
   * kernels, the same bits as one model at a time), other models one at a time. 'jax':
   * groups of same-shaped MLP classifiers trained by one jitted jax-js step (MLP classification
   * with SGD only; a CNN or PINN zoo is an ArgumentError). 'auto': per group, chooseEngine()'s
   * rule (JS wherever the jax engine cannot train or measured slower). Recorded in zoo.json
   * and, per model, as params.json's 'training::engine'; a zoo is resumed with the engine it
   * was started with.
   * @default 'js'
   */
  engine?: TrainingEngine;
  /**
   * Most models in one training group (jax, or lockstep for 'js'); 1 trains every model alone.
   * When a grid has fewer shapes than workers, lockstep groups are also split so each worker
   * gets one. Results do not depend on it.
   * @default 24
   */
  groupModels?: number;
  /**
   * Train only this shard's models ({index, count}, 0-based; zoo.parseShard('I/N')); the zoo is
   * complete when every shard has run. A sharded build records its state in
   * `.shards/I-of-N.json` for `weightlab zoo status`.
   * @default undefined (the whole grid, no state file)
   */
  shard?: Shard;
}

export const BUILD_DEFAULTS = {
  out: undefined,
  workers: undefined,
  progress: true,
  signal: undefined,
  engine: 'js',
  groupModels: 24,
  shard: undefined,
} as const satisfies OptionDefaults<BuildOptions>;

/**
 * Models trained together: 'js' one model by the JS loops, 'lockstep' same-shaped ReLU MLPs or CNNs by
 * trainLockstep (recorded as engine 'js': the same bits), 'jax' a same-shaped group for jax.
 */
export interface TrainingGroup {
  engine: 'js' | 'lockstep' | 'jax';
  ids: string[];
}

export interface BuildReport {
  out: string;
  /** Models of this call's shard (the whole grid when not sharded). */
  models: number;
  /** The shard built, "I/N" ("0/1" when not sharded). */
  shard: string;
  /** Models trained by this call. */
  trained: string[];
  /** Models found complete and skipped (a resumed build). */
  skipped: string[];
  /** Models whose training threw, with the message; the rest of the zoo is still built. */
  failed: { id: string; error: string }[];
  /** Models whose loss became NaN or infinite (training stopped at that epoch). */
  nan: string[];
  seconds: number;
  /** Trained models per minute of wall time in this call. */
  modelsPerMinute: number;
}

const BUILDER_KEY = 'weightlab.builder';

/** Version of what the builder writes besides the format (recorded in zoo.json; part of a zoo's cache key). */
export const BUILDER_VERSION = 2;

/** Builds (or resumes) the zoo described by `spec` into `options.out`. */
export async function buildZoo(spec: ZooSpec, buildOptions: BuildOptions): Promise<BuildReport & { zoo: Zoo }> {
  const options = resolveOptions('buildZoo', BUILD_DEFAULTS, buildOptions);
  if (typeof options.out !== 'string' || options.out.length === 0)
    throw new ArgumentError('buildZoo needs an output folder', {
      field: 'out',
      expected: 'a folder path',
      found: String(options.out),
    });
  const out = path.resolve(options.out);
  const started = performance.now();
  // The data is read (and hashed) once here; workers read it again and check the hash.
  const { record: dataRecord, split } = specData(spec);
  const shape = specShape(spec, split);
  const grid = expandGrid(spec, shape.inputs, shape.outputs, shape.image);
  const shard = options.shard === undefined ? undefined : checkShard(options.shard);
  const jobs = shard ? shardJobs(grid, shard) : grid;
  const engine = options.engine;
  // The one engine rule (backend/engine.ts): an unknown engine, or 'jax' for jobs it cannot train, fails here with the reason.
  chooseEngine(grid[0].training, engine);
  const groupModels = options.groupModels;
  if (!(Number.isInteger(groupModels) && groupModels >= 1))
    throw new ArgumentError('groupModels must be a positive integer', {
      field: 'groupModels',
      found: String(groupModels),
    });
  const manifestFile = path.join(out, ZOO_MANIFEST);
  if (fs.existsSync(manifestFile)) {
    const existing = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
    const previous = existing[BUILDER_KEY] as { spec?: ZooSpec; engine?: TrainingEngine } | undefined;
    const previousData = existing.data as ZooDataset | undefined;
    if (previous?.spec && previousData && isCustomDataset(previousData) && isCustomDataset(dataRecord)) {
      if (previousData.sha256 !== dataRecord.sha256)
        throw new ArgumentError(
          `the output folder holds a zoo built from other data: its SHA-256 was ${previousData.sha256}, this data's is ${dataRecord.sha256}; choose a new folder`,
          { file: out, field: 'data.sha256', expected: previousData.sha256, found: dataRecord.sha256 },
        );
    }
    // Canonical JSON compares the whole spec at every depth (an axis's values included), in any key
    // order; the user's data by its identity (hash, names, split options), wherever its file lies.
    if (
      previous?.spec &&
      canonicalJson(previousData ? specIdentity(previous.spec, previousData) : previous.spec) !==
        canonicalJson(specIdentity(spec, dataRecord))
    ) {
      throw new ArgumentError('the output folder holds a zoo built from another spec; choose a new folder', {
        file: out,
        field: 'spec',
      });
    }
    // Zoos from before the engine option were all trained by the JS loops.
    if (previous?.spec && (previous.engine ?? 'js') !== engine) {
      throw new ArgumentError(
        `the output folder holds a zoo started with engine '${previous.engine ?? 'js'}'; resume it with that engine or choose a new folder`,
        { file: out, field: 'engine', expected: previous.engine ?? 'js', found: engine },
      );
    }
  }
  fs.mkdirSync(out, { recursive: true });
  // The manifest goes first, listing every model of the grid (whatever the shard): a killed
  // build is then still a readable zoo whose unfinished models simply have no results yet.
  const manifest = {
    name: spec.name,
    axes: manifestAxes(spec),
    seeds: [...spec.seeds],
    dataset: split ? split.train.name.replace(/\/train$/, '') : 'convection',
    epochs: grid[0].checkpointEpochs,
    metricEpochs: [],
    models: grid.map((job) => job.id),
    data: isCustomDataset(dataRecord) ? { ...dataRecord, source: pathFromZoo(out, dataRecord.source) } : dataRecord,
    architectures: Object.fromEntries(grid.map((job) => [job.id, job.training.architecture])),
    // The user's data path is kept absolute here (the spec's may be relative to a working folder).
    [BUILDER_KEY]: {
      spec: isCustomDataset(dataRecord)
        ? { ...spec, dataset: { ...(spec.dataset as object), [dataRecord.name]: dataRecord.source } }
        : spec,
      version: BUILDER_VERSION,
      engine,
    },
  } as Parameters<typeof writeZooManifest>[1];
  // Rewritten only when absent or different (its creation time aside): every shard computes the
  // same manifest, so after the first shard none rewrites it, and a resumed build keeps its
  // creation time. Two shards starting together may both write it, each whole (temp + rename).
  if (!manifestCurrent(manifestFile, manifest)) writeZooManifest(out, manifest);
  for (const job of grid)
    if (!fs.existsSync(path.join(out, job.id, 'params.json')))
      fs.mkdirSync(path.join(out, job.id), { recursive: true });

  const skipped = jobs.filter((job) => jobComplete(out, job)).map((job) => job.id);
  const todo = jobs.filter((job) => !skipped.includes(job.id)).sort((a, b) => b.cost - a.cost);
  const threads = options.workers ?? defaultWorkerThreads();
  const groups = trainingGroups(todo, engine, groupModels, Math.max(1, threads));
  const byId = new Map(jobs.map((job) => [job.id, job]));
  const report: BuildReport = {
    out,
    models: jobs.length,
    shard: `${(shard ?? { index: 0 }).index}/${(shard ?? { count: 1 }).count}`,
    trained: [],
    skipped,
    failed: [],
    nan: [],
    seconds: 0,
    modelsPerMinute: 0,
  };
  const bar =
    options.progress === false
      ? undefined
      : new Progress({ total: jobs.length, label: `zoo ${spec.name}`, signal: options.signal });
  bar?.update(skipped.length);
  const fail = (ids: string[], error: unknown) => {
    for (const id of ids) report.failed.push({ id, error: (error as Error).message });
  };
  // A sharded build's state file: 'running' with a heartbeat after each model (and each minute
  // while worker threads train long models), then how it ended.
  const state: ShardState | undefined = shard && {
    shard: `${shard.index}/${shard.count}`,
    index: shard.index,
    count: shard.count,
    state: 'running',
    host: os.hostname(),
    pid: process.pid,
    started: new Date().toISOString(),
    heartbeat: new Date().toISOString(),
    job: schedulerTask(),
    threads,
    models: jobs.length,
    trained: 0,
    skipped: skipped.length,
    failed: [],
  };
  const beat = () => {
    if (!state) return;
    state.heartbeat = new Date().toISOString();
    state.trained = report.trained.length;
    writeShardState(out, state);
  };
  beat();
  const heartbeat = state ? setInterval(beat, 60_000).unref() : undefined;
  const record = (outcome: JobOutcome) => {
    report.trained.push(outcome.id);
    if (outcome.nan) report.nan.push(outcome.id);
    beat();
    bar?.tick();
  };
  const workers = Math.max(0, Math.min(threads, groups.length));
  const interruption = () =>
    options.signal?.aborted
      ? new InterruptedError(`zoo build interrupted after ${report.trained.length} models`)
      : undefined;
  const trainGroups = async (): Promise<void> => {
    if (workers === 0) {
      for (const group of groups) {
        const stop = interruption();
        if (stop) throw stop;
        const members = group.ids.map((id) => byId.get(id)!);
        try {
          if (group.engine === 'js') record(runJob(out, members[0], split));
          else if (group.engine === 'lockstep')
            for (const outcome of runLockstepGroup(out, members, split, interruption)) record(outcome);
          else for (const outcome of await runJobGroup(out, members, split, interruption)) record(outcome);
        } catch (error) {
          if (error instanceof InterruptedError) throw error;
          fail(group.ids, error);
        }
      }
    } else {
      await runInWorkers(out, spec, dataRecord, groups, workers, record, report, interruption);
    }
  };
  try {
    await trainGroups();
  } catch (error) {
    if (state) {
      clearInterval(heartbeat);
      state.state = error instanceof InterruptedError ? 'interrupted' : 'failed';
      state.failed = report.failed;
      if (!(error instanceof InterruptedError)) state.error = (error as Error).message;
      state.ended = new Date().toISOString();
      beat();
    }
    throw error;
  }
  bar?.done();
  for (const job of jobs)
    if (!report.trained.includes(job.id) && !skipped.includes(job.id) && !report.failed.some((f) => f.id === job.id))
      report.failed.push({ id: job.id, error: 'not trained' });
  if (state) {
    clearInterval(heartbeat);
    state.state = report.failed.length ? 'failed' : 'finished';
    state.failed = report.failed;
    state.ended = new Date().toISOString();
    beat();
  }
  report.seconds = (performance.now() - started) / 1000;
  report.modelsPerMinute = report.trained.length / (report.seconds / 60);
  return { ...report, zoo: readNativeZoo(out) };
}

/**
 * Splits the models to train into training groups, biggest first. Models that share
 * architecture, batch size, epochs, data fraction (so their inputs and minibatch shapes) and
 * optimizer form a shape; a shape is cut into groups of at most `size`. For jax (or 'auto' where
 * chooseEngine() picks jax) a group is one jitted step. Otherwise a group of ReLU MLPs trained by
 * SGD is a lockstep group, and so is a group of ReLU CNNs trained by SGD, cut into even parts
 * (and into `parallel` parts when there are fewer shapes than workers, at least 2 models a part);
 * anything else (tanh, Adam, PINNs) is trained one model per group.
 * Grouping never changes a model's numbers (models in a group do not interact).
 */
export function trainingGroups(todo: ModelJob[], engine: TrainingEngine, size: number, parallel = 1): TrainingGroup[] {
  const shapes = new Map<string, ModelJob[]>();
  for (const job of todo) {
    const key = JSON.stringify([
      job.training.architecture,
      job.training.batchSize,
      job.training.epochs,
      job.values.data_fraction ?? null,
      job.training.optimizer ?? 'sgd',
      job.convection ? 'pinn' : 'classifier',
    ]);
    if (!shapes.has(key)) shapes.set(key, []);
    shapes.get(key)!.push(job);
  }
  const groups: TrainingGroup[] = [];
  const alone = (jobs: ModelJob[]) => jobs.map((job): TrainingGroup => ({ engine: 'js', ids: [job.id] }));
  for (const members of shapes.values()) {
    const first = members[0];
    const chosen = engine === 'js' ? 'js' : chooseEngine(first.training, engine);
    const lockstep = chosen === 'js' && !first.convection && lockstepCovers(first.training);
    if (chosen === 'jax') {
      for (let start = 0; start < members.length; start += size)
        groups.push({ engine: 'jax', ids: members.slice(start, start + size).map((job) => job.id) });
      continue;
    }
    if (!lockstep) {
      groups.push(...alone(members));
      continue;
    }
    // Parts of at most `size`, as even as possible. A shape is cut further for the workers only
    // when there are fewer shapes than workers (otherwise the shapes keep every worker busy), and
    // never into parts of one model: a lone model trains by the one-model loop, several times
    // slower per model than a lockstep lane (two shards or two workers each splitting every
    // 3-seed cell of digits-mlp-grid into 2 + 1 spent more CPU than the whole build in groups).
    const forWorkers = shapes.size < parallel ? Math.min(parallel, Math.floor(members.length / 2)) : 1;
    const parts = Math.max(1, forWorkers, Math.ceil(members.length / size));
    for (let part = 0, start = 0; part < parts; part++) {
      const end = start + Math.floor(members.length / parts) + (part < members.length % parts ? 1 : 0);
      const chunk = members.slice(start, end);
      start = end;
      if (chunk.length > 1) groups.push({ engine: 'lockstep', ids: chunk.map((job) => job.id) });
      else groups.push(...alone(chunk));
    }
  }
  return groups;
}

/** Where zoo.json says the user's data lies: relative to the zoo when inside its folder (it moves with the zoo), else absolute. */
function pathFromZoo(root: string, file: string): string {
  const relative = path.relative(root, file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}

function runInWorkers(
  out: string,
  spec: ZooSpec,
  data: ZooDataset,
  groups: TrainingGroup[],
  count: number,
  record: (o: JobOutcome) => void,
  report: BuildReport,
  interruption: () => Error | undefined,
): Promise<void> {
  return runWorkerPool<{ done?: JobOutcome[]; failed?: { id: string; error: string }[] }>({
    script: path.join(__dirname, 'worker.js'),
    workerData: { root: out, spec, data },
    workers: count,
    tasks: groups,
    onReply(message) {
      for (const outcome of message.done ?? []) record(outcome); // Progress.tick throws InterruptedError on a kernel interrupt
      report.failed.push(...(message.failed ?? []));
    },
    interruption,
  });
}

/** Whether zoo.json exists and says what `manifest` says (its creation time and format fields aside). */
function manifestCurrent(file: string, manifest: Record<string, unknown>): boolean {
  let existing: Record<string, unknown>;
  try {
    existing = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return false; // absent or unreadable: (re)write it
  }
  if (existing.format !== ZOO_FORMAT || existing.version !== ZOO_FORMAT_VERSION) return false;
  return Object.entries(manifest).every(
    ([key, value]) => canonicalJson(existing[key]) === canonicalJson(JSON.parse(JSON.stringify(value))),
  );
}
