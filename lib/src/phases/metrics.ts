// phaseMetrics(zoo): the loss-landscape metrics of every grid cell of a zoo, as PTMZ computes
// them (reference notes §1.4, §2.1): per model the final train/test loss and accuracy and the
// Hessian top eigenvalue and trace on one fixed train batch; per seed pair the Bezier-curve mc,
// the linear barrier, linear CKA of the test logits (or a hidden layer: ckaLayer) and the L2
// distance; then means per cell (./cell-metrics.ts). MLP, CNN and PINN zoos alike: each model
// becomes a training task (lib/src/train/task.ts), and for a PINN the loss is the PINN loss and
// the "error" that mc is measured on is the relative L2 error (%) against the exact solution.
// Cells are measured in worker threads (two by default, like the builder) with the same results
// as in one thread: every random draw is seeded per model or pair.
// Results are cached in the zoo folder (phase-metrics.json) under keys that hold the model,
// its epoch and a hash of the options that affect the value, so a rerun with the same options
// reads them back and a changed option recomputes only what it changes.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { ArgumentError, InterruptedError, NumericalError } from '../errors';
import { Progress } from '../progress/progress';
import { writeFileAtomic } from '../io/atomic-write';
import type { DatasetSplit } from '../data/dataset';
import { openZoo, type Zoo, type ZooModel } from '../zoo/public';
import { datasetLabel } from '../zoo/dataset';
import { resolveOptions, type OptionDefaults } from '../options/resolve';
import type { RepresentationLayer } from '../train/network';
import type { BezierOptions } from '../landscape/connectivity';
import { measureCell, type CellContext } from './cell-metrics';
import { runWorkerPool } from '../parallel/worker-pool';
import { defaultWorkerThreads } from '../backend/engine';
import { PhaseTable, type ModelProblem, type PhaseRow } from './table';

export interface PhaseMetricsOptions {
  /**
   * Checkpoint epoch to analyse.
   * @default undefined (the last epoch with checkpoints)
   */
  epoch?: number;
  /**
   * Load-like axis (a column name).
   * @default undefined (the first swept of width, beta, data_fraction, label_noise)
   */
  load?: string;
  /**
   * Temperature-like axis (a column name).
   * @default undefined (batch_size if swept, else learning_rate)
   */
  temperature?: string;
  /**
   * Train rows in the fixed Hessian batch (Yang et al. use 200).
   * @default 256
   */
  hessianSamples?: number;
  /**
   * Power iteration and Hutchinson iterations (PyHessian's default).
   * @default 100
   */
  hessianMaxIter?: number;
  /**
   * Power iteration and Hutchinson relative tolerance (PyHessian's default).
   * @default 1e-3
   */
  hessianTol?: number;
  /**
   * Bezier curve training, merged over the default.
   * @default undefined (PTMZ's 10 epochs, lr 0.1 scaled to the zoo: 0.05, momentum 0.9, batch 128, wd 5e-4; PINN zoos: Adam, lr 1e-3, batch 64, no wd)
   */
  bezier?: BezierOptions;
  /**
   * Evaluation points on the Bezier curve.
   * @default 5
   */
  curvePoints?: number;
  /**
   * Evaluation points on the straight line (the linear barrier).
   * @default 25
   */
  linearPoints?: number;
  /**
   * The representation whose linear CKA between seeds is `representation_similarity`: 'logits'
   * (as PTMZ: "intermediate representations require hooks"), 'hidden' (the last hidden layer, the
   * classifier's input: a CNN's pooled features) or hidden layer k (1-based; for a CNN, conv layer
   * k's output, all positions x channels). A PINN's 'logits' are u on its test grid.
   * @default 'logits'
   */
  ckaLayer?: RepresentationLayer;
  /**
   * The train/test split for zoos that do not record their dataset (zoos from buildZoo do, and
   * each model is then evaluated on its own data fraction and label noise).
   * @default undefined (zoo.trainingData(model))
   */
  data?: DatasetSplit;
  /**
   * Worker threads measuring cells in parallel (never more than the cells; 0 = this thread).
   * @default undefined (min(2, cores), or SLURM_CPUS_PER_TASK / WEIGHTLAB_CPUS when set)
   */
  workers?: number;
  /**
   * Read and write phase-metrics.json in the zoo folder.
   * @default true
   */
  cache?: boolean;
  /**
   * Show a progress bar.
   * @default true
   */
  progress?: boolean;
  /**
   * Stops between cells (the kernel's interrupt does too).
   * @default undefined
   */
  signal?: AbortSignal;
  /**
   * Seed of the Hessian probes and the Bezier fit.
   * @default 0
   */
  seed?: number;
}

export const PHASE_METRICS_DEFAULTS = {
  epoch: undefined,
  load: undefined,
  temperature: undefined,
  hessianSamples: 256,
  hessianMaxIter: 100,
  hessianTol: 1e-3,
  bezier: undefined,
  curvePoints: 5,
  linearPoints: 25,
  ckaLayer: 'logits',
  data: undefined,
  workers: undefined,
  cache: true,
  progress: true,
  signal: undefined,
  seed: 0,
} as const satisfies OptionDefaults<PhaseMetricsOptions>;

export const CACHE_FILE = 'phase-metrics.json';

function hash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

/** Only the cache entries of these models and their pairs (what a worker needs for one cell). */
function cacheFor(cache: Record<string, unknown>, models: ZooModel[]): Record<string, unknown> {
  const ids = new Set(models.map((m) => m.id));
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(cache)) {
    const match = /^(?:model:([^@]+)|pair:([^~]+)~([^@]+))@/.exec(key);
    if (match && (ids.has(match[1]) || (ids.has(match[2]) && ids.has(match[3])))) out[key] = value;
  }
  return out;
}

/** Cells measured by `count` worker threads, each fed the next cell when it reports one. */
function measureInWorkers(
  context: CellContext,
  jobs: { cell: Record<string, number>; models: ZooModel[] }[],
  count: number,
  cache: Record<string, unknown>,
  finish: (
    index: number,
    result: { row: PhaseRow; problems: ModelProblem[]; entries: Record<string, unknown> },
  ) => void,
  signal?: AbortSignal,
): Promise<void> {
  return runWorkerPool<{ error?: string; row: PhaseRow; problems: ModelProblem[]; entries: Record<string, unknown> }>({
    script: path.join(__dirname, 'worker.js'),
    workerData: { context },
    workers: count,
    // Each cell's cached entries travel with it (a model belongs to one cell, so no cell adds entries another needs).
    tasks: jobs.map(({ cell, models }) => ({ cell, models: models.map((m) => m.id), cache: cacheFor(cache, models) })),
    onReply(reply, index) {
      if (reply.error !== undefined)
        throw new NumericalError(`phase metrics of cell ${JSON.stringify(jobs[index].cell)} failed: ${reply.error}`);
      finish(index, reply);
    },
    interruption: () => (signal?.aborted ? new InterruptedError('phase metrics interrupted') : undefined),
  });
}

/** Computes (or reads from the cache) the phase metrics of every cell of `zoo` (a Zoo or its folder). */
export async function phaseMetrics(
  zooOrPath: Zoo | string,
  metricsOptions: PhaseMetricsOptions = {},
): Promise<PhaseTable> {
  const options = resolveOptions('phaseMetrics', PHASE_METRICS_DEFAULTS, metricsOptions);
  const zoo = typeof zooOrPath === 'string' ? openZoo(zooOrPath) : zooOrPath;
  const swept = (keys: string[]) => keys.find((key) => key in zoo.axes);
  const load = options.load ?? swept(['width', 'beta', 'data_fraction', 'label_noise']) ?? 'width';
  const temperature = options.temperature ?? swept(['batch_size', 'learning_rate']) ?? 'batch_size';
  // An axis named by the caller must be swept (a zoo sweeping one axis falls back to an unswept default).
  for (const [field, axis] of [
    ['load', options.load],
    ['temperature', options.temperature],
  ]) {
    if (axis !== undefined && !(axis in zoo.axes))
      throw new ArgumentError('not a swept axis of the zoo', {
        field,
        expected: `one of ${Object.keys(zoo.axes).join(', ') || '(no axes)'}`,
        found: axis,
      });
  }
  const pinn = zoo.dataset?.name === 'convection';
  const split = pinn ? undefined : options.data;
  if (!split && !pinn && !zoo.dataset)
    throw new ArgumentError(
      'this zoo does not record its dataset (only zoos made by buildZoo do): pass options.data, the train/test split its models were trained on',
      { field: 'data' },
    );
  const epoch =
    options.epoch ??
    Math.max(
      ...((zoo.manifest?.epochs as number[] | undefined) ??
        zoo.models.flatMap((m) => m.checkpoints.map((c) => c.epoch))),
    );
  const ckaLayer = options.ckaLayer;
  if (!(ckaLayer === 'logits' || ckaLayer === 'hidden' || (Number.isInteger(ckaLayer) && ckaLayer >= 1)))
    throw new ArgumentError('ckaLayer must be logits, hidden or a hidden layer number >= 1', {
      field: 'ckaLayer',
      found: String(ckaLayer),
    });
  const settings = {
    hessianSamples: options.hessianSamples,
    hessianMaxIter: options.hessianMaxIter,
    hessianTol: options.hessianTol,
    // A PINN's loss is stiff (top eigenvalues ~1e3 at large beta): SGD at the classifiers' rate
    // throws the bend off the curve, so its default fit is the zoo's own optimiser, Adam.
    bezier: pinn
      ? {
          epochs: 10,
          learningRate: 1e-3,
          momentum: 0.9,
          weightDecay: 0,
          batchSize: 64,
          optimizer: 'adam' as const,
          ...options.bezier,
        }
      : { epochs: 10, learningRate: 0.05, momentum: 0.9, weightDecay: 5e-4, batchSize: 128, ...options.bezier },
    curvePoints: options.curvePoints,
    linearPoints: options.linearPoints,
    seed: options.seed,
    ckaLayer,
  };
  // The data's name in the cache keys: the caller's split, or the zoo's dataset (each model then adds its cell's fraction and noise through its id).
  const dataName = split
    ? split.train.name
    : pinn
      ? `convection(${JSON.stringify(zoo.dataset?.options ?? {})})`
      : datasetLabel(zoo.dataset!);
  const modelKey = hash({
    v: 1,
    hessianSamples: settings.hessianSamples,
    maxIter: settings.hessianMaxIter,
    tol: settings.hessianTol,
    seed: settings.seed,
    data: dataName,
  });
  // The CKA layer joins the key only when it is not the default, so caches of logits-CKA stay valid.
  const pairKey = hash({
    v: 1,
    bezier: settings.bezier,
    curvePoints: settings.curvePoints,
    linearPoints: settings.linearPoints,
    seed: settings.seed,
    data: dataName,
    ...(ckaLayer !== 'logits' ? { ckaLayer } : {}),
  });
  const cacheFile = path.join(zoo.root, CACHE_FILE);
  const useCache = options.cache;
  let cache: Record<string, unknown> = {};
  if (useCache && fs.existsSync(cacheFile)) {
    try {
      cache = (JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as { entries?: Record<string, unknown> }).entries ?? {};
    } catch {
      cache = {};
    } // a corrupt cache is recomputed, never trusted
  }
  const saveCache = () => {
    if (!useCache) return;
    const text = JSON.stringify({ version: 1, entries: cache });
    writeFileAtomic(cacheFile, (write) => write(Buffer.from(text)));
  };

  // Group models into cells by their swept-axis values (seed excluded).
  const axisKeys = Object.keys(zoo.axes).filter((key) => key !== 'seed');
  const cells = new Map<string, { cell: Record<string, number>; models: ZooModel[] }>();
  for (const model of zoo.models) {
    const cell: Record<string, number> = {};
    for (const key of axisKeys) cell[key] = Number(model.hyperparameters[key]);
    const id = JSON.stringify(cell);
    if (!cells.has(id)) cells.set(id, { cell, models: [] });
    cells.get(id)!.models.push(model);
  }
  const bar =
    options.progress === false
      ? undefined
      : new Progress({ total: cells.size, label: 'phase metrics', signal: options.signal });
  const context: CellContext = {
    root: zoo.root,
    epoch,
    settings,
    modelKey,
    pairKey,
    dataset: zoo.dataset,
    split,
    pinn,
  };
  const jobs = [...cells.values()];
  // Results land by cell index, so rows and problems come out in grid order whichever thread finished first.
  const results: { row: PhaseRow; problems: ModelProblem[] }[] = [];
  const finish = (
    index: number,
    result: { row: PhaseRow; problems: ModelProblem[]; entries: Record<string, unknown> },
  ) => {
    Object.assign(cache, result.entries);
    results[index] = result;
    saveCache();
    try {
      bar?.tick();
    } catch (error) {
      if (error instanceof InterruptedError) saveCache();
      throw error;
    }
  };
  const workers = Math.max(0, Math.min(options.workers ?? defaultWorkerThreads(), jobs.length));
  if (workers === 0) {
    for (const [index, { cell, models }] of jobs.entries()) {
      finish(index, measureCell(context, zoo, cell, models, cache));
      await new Promise((resolve) => setImmediate(resolve)); // let a kernel interrupt arrive between cells
    }
  } else {
    await measureInWorkers(context, jobs, workers, cache, finish, options.signal);
  }
  bar?.done();
  const rows = results.map((r) => r.row);
  const problems = results.flatMap((r) => r.problems);
  rows.sort(
    (a, b) => (a[load] as number) - (b[load] as number) || (a[temperature] as number) - (b[temperature] as number),
  );
  return new PhaseTable(rows, { load, temperature }, problems, { epoch, ...settings });
}
