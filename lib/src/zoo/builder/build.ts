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

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ArgumentError, InterruptedError } from '../../errors';
import { Progress } from '../../progress/progress';
import { readNativeZoo, writeZooManifest, ZOO_MANIFEST } from '../native';
import type { Zoo } from '../zoo';
import { expandGrid, manifestAxes, specDataset, specDatasetOf, specShape, type ModelJob, type ZooSpec } from './spec';
import { jobComplete, runJob, runJobGroup, runLockstepGroup, type JobOutcome } from './train-job';
import { runWorkerPool } from '../../parallel/worker-pool';
import { canonicalJson } from '../cache-key';
import { resolveOptions, type OptionDefaults } from '../../options/resolve';
import { chooseEngine, type TrainingEngine } from '../../train/jax-engine';
import { lockstepCovers } from '../../train/lockstep';

export interface BuildOptions {
  /** Output folder (created; an existing zoo built from the same spec is resumed). Required. */
  out: string;
  /**
   * Worker threads; 0 trains in this thread.
   * @default undefined (min(2, cores))
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
   * Lockstep groups are also split so each worker gets one. Results do not depend on it.
   * @default 24
   */
  groupModels?: number;
}

export const BUILD_DEFAULTS = {
  out: undefined,
  workers: undefined,
  progress: true,
  signal: undefined,
  engine: 'js',
  groupModels: 24,
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
  models: number;
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
  const split = spec.dataset === 'convection' ? undefined : specDataset(spec);
  const shape = specShape(spec);
  const jobs = expandGrid(spec, shape.inputs, shape.outputs, shape.image);
  const engine = options.engine;
  // The one engine rule (backend/engine.ts): an unknown engine, or 'jax' for jobs it cannot train, fails here with the reason.
  chooseEngine(jobs[0].training, engine);
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
    // Canonical JSON compares the whole spec at every depth (an axis's values included), in any key order.
    if (previous?.spec && canonicalJson(previous.spec) !== canonicalJson(spec)) {
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
  // The manifest goes first, listing every model, and every params.json with it: a killed
  // build is then still a readable zoo whose unfinished models simply have no results yet.
  writeZooManifest(out, {
    name: spec.name,
    axes: manifestAxes(spec),
    seeds: [...spec.seeds],
    dataset: split ? split.train.name.replace(/\/train$/, '') : 'convection',
    epochs: jobs[0].checkpointEpochs,
    metricEpochs: [],
    models: jobs.map((job) => job.id),
    data: specDatasetOf(spec),
    architectures: Object.fromEntries(jobs.map((job) => [job.id, job.training.architecture])),
    [BUILDER_KEY]: { spec, version: BUILDER_VERSION, engine },
  } as Parameters<typeof writeZooManifest>[1]);
  for (const job of jobs)
    if (!fs.existsSync(path.join(out, job.id, 'params.json')))
      fs.mkdirSync(path.join(out, job.id), { recursive: true });

  const skipped = jobs.filter((job) => jobComplete(out, job)).map((job) => job.id);
  const todo = jobs.filter((job) => !skipped.includes(job.id)).sort((a, b) => b.cost - a.cost);
  const threads = options.workers ?? Math.min(2, os.availableParallelism?.() ?? os.cpus().length);
  const groups = trainingGroups(todo, engine, groupModels, Math.max(1, threads));
  const byId = new Map(jobs.map((job) => [job.id, job]));
  const report: BuildReport = {
    out,
    models: jobs.length,
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
  const record = (outcome: JobOutcome) => {
    report.trained.push(outcome.id);
    if (outcome.nan) report.nan.push(outcome.id);
    bar?.tick();
  };
  const workers = Math.max(0, Math.min(threads, groups.length));
  const interruption = () =>
    options.signal?.aborted
      ? new InterruptedError(`zoo build interrupted after ${report.trained.length} models`)
      : undefined;
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
    await runInWorkers(out, spec, groups, workers, record, report, interruption);
  }
  bar?.done();
  for (const job of jobs)
    if (!report.trained.includes(job.id) && !skipped.includes(job.id) && !report.failed.some((f) => f.id === job.id))
      report.failed.push({ id: job.id, error: 'not trained' });
  report.seconds = (performance.now() - started) / 1000;
  report.modelsPerMinute = report.trained.length / (report.seconds / 60);
  return { ...report, zoo: readNativeZoo(out) };
}

/**
 * Splits the models to train into training groups, biggest first. Models that share
 * architecture, batch size, epochs, data fraction (so their inputs and minibatch shapes) and
 * optimizer form a shape; a shape is cut into groups of at most `size`. For jax (or 'auto' where
 * chooseEngine() picks jax) a group is one jitted step. Otherwise a group of ReLU MLPs trained by
 * SGD is a lockstep group, and so is a group of ReLU CNNs trained by SGD, cut into at least
 * `parallel` groups (one per worker) when there are enough models; anything else (tanh, Adam,
 * PINNs) is trained one model per group.
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
    const chunkSize = chosen === 'jax' ? size : Math.min(size, Math.ceil(members.length / parallel));
    for (let start = 0; start < members.length; start += chunkSize) {
      const chunk = members.slice(start, start + chunkSize);
      if (chosen === 'jax') groups.push({ engine: 'jax', ids: chunk.map((job) => job.id) });
      else if (lockstep && chunk.length > 1) groups.push({ engine: 'lockstep', ids: chunk.map((job) => job.id) });
      else groups.push(...alone(chunk));
    }
  }
  return groups;
}

function runInWorkers(
  out: string,
  spec: ZooSpec,
  groups: TrainingGroup[],
  count: number,
  record: (o: JobOutcome) => void,
  report: BuildReport,
  interruption: () => Error | undefined,
): Promise<void> {
  return runWorkerPool<{ done?: JobOutcome[]; failed?: { id: string; error: string }[] }>({
    script: path.join(__dirname, 'worker.js'),
    workerData: { root: out, spec },
    workers: count,
    tasks: groups,
    onReply(message) {
      for (const outcome of message.done ?? []) record(outcome); // Progress.tick throws InterruptedError on a kernel interrupt
      report.failed.push(...(message.failed ?? []));
    },
    interruption,
  });
}
