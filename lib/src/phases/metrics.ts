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
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { ArgumentError, InterruptedError, NumericalError } from '../errors';
import { Progress } from '../progress/progress';
import { writeFileAtomic } from '../io/atomic-write';
import type { DatasetSplit } from '../data/dataset';
import { openZoo } from '../zoo/open-zoo';
import type { Zoo, ZooModel } from '../zoo/zoo';
import { specDataset, type ZooSpec } from '../zoo/builder/spec';
import type { RepresentationLayer } from '../train/network';
import type { BezierOptions } from '../landscape/connectivity';
import { measureCell, type CellContext } from './cell-metrics';
import { runWorkerPool } from '../zoo/builder/pool';
import { PhaseTable, type ModelProblem, type PhaseRow } from './table';

export interface PhaseMetricsOptions {
  /** Checkpoint epoch to analyse (default: the last epoch with checkpoints). */
  epoch?: number;
  /**
   * Load-like axis (default: the first swept of 'model::width', 'dataset::beta',
   * 'training::data_fraction', 'training::label_noise') and temperature-like axis (default:
   * 'training::batchsize' if swept, else 'optim::lr').
   */
  load?: string;
  temperature?: string;
  /** Train rows in the fixed Hessian batch (default 256; Yang et al. use 200). */
  hessianSamples?: number;
  /** Power iteration and Hutchinson: PyHessian defaults maxIter 100, tol 1e-3. */
  hessianMaxIter?: number;
  hessianTol?: number;
  /** Bezier curve training (defaults: PTMZ's 10 epochs, lr 0.1 scaled to the zoo: 0.05, batch 128, wd 5e-4; PINN zoos: Adam, lr 1e-3, batch 64, no wd). */
  bezier?: BezierOptions;
  /** Evaluation points on the Bezier curve (5) and the line (25). */
  curvePoints?: number;
  linearPoints?: number;
  /**
   * The representation whose linear CKA between seeds is `representation_similarity`: 'logits'
   * (default, as PTMZ: "intermediate representations require hooks"), 'hidden' (the last hidden
   * layer, the classifier's input: a CNN's pooled features) or hidden layer k (1-based; for a
   * CNN, conv layer k's output, all positions x channels). A PINN's 'logits' are u on its test grid.
   */
  ckaLayer?: RepresentationLayer;
  /** Data for zoos not made by buildZoo (buildZoo zoos carry their spec and rebuild it). */
  data?: DatasetSplit;
  /** Worker threads measuring cells in parallel (default: min(2, cores), never more than the cells; 0 = this thread). */
  workers?: number;
  /** Read and write phase-metrics.json in the zoo folder (default true). */
  cache?: boolean;
  progress?: boolean;
  signal?: AbortSignal;
  seed?: number;
}

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
function measureInWorkers(context: CellContext, jobs: { cell: Record<string, number>; models: ZooModel[] }[], count: number, cache: Record<string, unknown>,
  finish: (index: number, result: { row: PhaseRow; problems: ModelProblem[]; entries: Record<string, unknown> }) => void, signal?: AbortSignal): Promise<void> {
  return runWorkerPool<{ error?: string; row: PhaseRow; problems: ModelProblem[]; entries: Record<string, unknown> }>({
    script: path.join(__dirname, 'worker.js'),
    workerData: { context },
    workers: count,
    // Each cell's cached entries travel with it (a model belongs to one cell, so no cell adds entries another needs).
    tasks: jobs.map(({ cell, models }) => ({ cell, models: models.map((m) => m.id), cache: cacheFor(cache, models) })),
    onReply(reply, index) {
      if (reply.error !== undefined) throw new NumericalError(`phase metrics of cell ${JSON.stringify(jobs[index].cell)} failed: ${reply.error}`);
      finish(index, reply);
    },
    interruption: () => (signal?.aborted ? new InterruptedError('phase metrics interrupted') : undefined),
  });
}

/** Computes (or reads from the cache) the phase metrics of every cell of `zoo` (a Zoo or its folder). */
export async function phaseMetrics(zooOrPath: Zoo | string, options: PhaseMetricsOptions = {}): Promise<PhaseTable> {
  const zoo = typeof zooOrPath === 'string' ? openZoo(zooOrPath) : zooOrPath;
  const swept = (keys: string[]) => keys.find((key) => key in zoo.axes);
  const load = options.load ?? swept(['model::width', 'dataset::beta', 'training::data_fraction', 'training::label_noise']) ?? 'model::width';
  const temperature = options.temperature ?? swept(['training::batchsize', 'optim::lr']) ?? 'training::batchsize';
  const spec = (zoo.manifest?.['weightlab.builder'] as { spec?: ZooSpec } | undefined)?.spec;
  const pinn = spec?.dataset === 'convection';
  const split = pinn ? undefined : options.data ?? (spec ? specDataset(spec) : undefined);
  if (!split && !pinn) throw new ArgumentError('this zoo was not made by buildZoo: pass options.data (the train/test split its models were trained on)');
  const epoch = options.epoch ?? Math.max(...((zoo.manifest?.epochs as number[] | undefined) ?? zoo.models.flatMap((m) => m.checkpoints.map((c) => c.epoch))));
  const ckaLayer = options.ckaLayer ?? 'logits';
  if (!(ckaLayer === 'logits' || ckaLayer === 'hidden' || (Number.isInteger(ckaLayer) && ckaLayer >= 1))) throw new ArgumentError('ckaLayer must be logits, hidden or a hidden layer number >= 1', { field: 'ckaLayer', found: String(ckaLayer) });
  const settings = {
    hessianSamples: options.hessianSamples ?? 256,
    hessianMaxIter: options.hessianMaxIter ?? 100,
    hessianTol: options.hessianTol ?? 1e-3,
    // A PINN's loss is stiff (top eigenvalues ~1e3 at large beta): SGD at the classifiers' rate
    // throws the bend off the curve, so its default fit is the zoo's own optimiser, Adam.
    bezier: pinn
      ? { epochs: 10, learningRate: 1e-3, momentum: 0.9, weightDecay: 0, batchSize: 64, optimizer: 'adam' as const, ...options.bezier }
      : { epochs: 10, learningRate: 0.05, momentum: 0.9, weightDecay: 5e-4, batchSize: 128, ...options.bezier },
    curvePoints: options.curvePoints ?? 5,
    linearPoints: options.linearPoints ?? 25,
    seed: options.seed ?? 0,
    ckaLayer,
  };
  const dataName = split ? split.train.name : `convection(${JSON.stringify(spec?.datasetOptions ?? {})})`;
  const modelKey = hash({ v: 1, hessianSamples: settings.hessianSamples, maxIter: settings.hessianMaxIter, tol: settings.hessianTol, seed: settings.seed, data: dataName });
  // The CKA layer joins the key only when it is not the default, so caches of logits-CKA stay valid.
  const pairKey = hash({ v: 1, bezier: settings.bezier, curvePoints: settings.curvePoints, linearPoints: settings.linearPoints, seed: settings.seed, data: dataName, ...(ckaLayer !== 'logits' ? { ckaLayer } : {}) });
  const cacheFile = path.join(zoo.root, CACHE_FILE);
  const useCache = options.cache !== false;
  let cache: Record<string, unknown> = {};
  if (useCache && fs.existsSync(cacheFile)) {
    try { cache = (JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as { entries?: Record<string, unknown> }).entries ?? {}; } catch { cache = {}; } // a corrupt cache is recomputed, never trusted
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
    for (const key of axisKeys) cell[key] = Number(model.params[key]);
    const id = JSON.stringify(cell);
    if (!cells.has(id)) cells.set(id, { cell, models: [] });
    cells.get(id)!.models.push(model);
  }
  const bar = options.progress === false ? undefined : new Progress({ total: cells.size, label: 'phase metrics', signal: options.signal });
  const context: CellContext = { root: zoo.root, epoch, settings, modelKey, pairKey, spec, split: options.data, pinn };
  const jobs = [...cells.values()];
  // Results land by cell index, so rows and problems come out in grid order whichever thread finished first.
  const results: { row: PhaseRow; problems: ModelProblem[] }[] = [];
  const finish = (index: number, result: { row: PhaseRow; problems: ModelProblem[]; entries: Record<string, unknown> }) => {
    Object.assign(cache, result.entries);
    results[index] = result;
    saveCache();
    try { bar?.tick(); } catch (error) { if (error instanceof InterruptedError) saveCache(); throw error; }
  };
  const workers = Math.max(0, Math.min(options.workers ?? Math.min(2, os.availableParallelism?.() ?? os.cpus().length), jobs.length));
  if (workers === 0) {
    const local: CellContext = { ...context, split };
    for (const [index, { cell, models }] of jobs.entries()) {
      finish(index, measureCell(local, cell, models, cache));
      await new Promise((resolve) => setImmediate(resolve)); // let a kernel interrupt arrive between cells
    }
  } else {
    await measureInWorkers(context, jobs, workers, cache, finish, options.signal);
  }
  bar?.done();
  const rows = results.map((r) => r.row);
  const problems = results.flatMap((r) => r.problems);
  rows.sort((a, b) => (a.cell[load] - b.cell[load]) || (a.cell[temperature] - b.cell[temperature]));
  return new PhaseTable(rows, { load, temperature }, problems, { epoch, ...settings });
}
