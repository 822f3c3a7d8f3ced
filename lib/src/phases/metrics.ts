// phaseMetrics(zoo): the loss-landscape metrics of every grid cell of a zoo, as PTMZ computes
// them (reference notes §1.4, §2.1): per model the final train/test loss and accuracy and the
// Hessian top eigenvalue and trace on one fixed train batch; per seed pair the Bezier-curve mc,
// the linear barrier, linear CKA of the test logits and the L2 distance; then means per cell.
// Results are cached in the zoo folder (phase-metrics.json) under keys that hold the model,
// its epoch and a hash of the options that affect the value, so a rerun with the same options
// reads them back and a changed option recomputes only what it changes.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { ArgumentError, InterruptedError } from '../errors';
import { Progress } from '../progress/progress';
import { writeFileAtomic } from '../io/atomic-write';
import type { Dataset, DatasetSplit } from '../data/dataset';
import { openZoo } from '../zoo/open-zoo';
import type { Zoo, ZooModel } from '../zoo/zoo';
import type { WeightSet } from '../weights/weight-set';
import { AXIS_KEYS, jobData, specDataset, type AxisName, type ZooSpec } from '../zoo/builder/spec';
import { MlpWorkspace, evaluateMlp, fromWeightSet, logitsMlp, mlp, type MlpActivation, type MlpArchitecture } from '../train/mlp';
import { hutchinsonTrace, topEigenvalues } from '../landscape/hessian';
import { hessianBatch, mlpHessian } from '../landscape/mlp-hessian';
import { bezierPath, fitBezierCurve, l2Distance, linearPath, lossBarrier, modeConnectivity, type BezierOptions } from '../landscape/connectivity';
import { linearCKA, representation } from '../landscape/cka';
import { PhaseTable, type ModelProblem, type PhaseRow } from './table';

export interface PhaseMetricsOptions {
  /** Checkpoint epoch to analyse (default: the last epoch with checkpoints). */
  epoch?: number;
  /** Load-like axis (default 'model::width') and temperature-like axis (default 'training::batchsize'). */
  load?: string;
  temperature?: string;
  /** Train rows in the fixed Hessian batch (default 256; Yang et al. use 200). */
  hessianSamples?: number;
  /** Power iteration and Hutchinson: PyHessian defaults maxIter 100, tol 1e-3. */
  hessianMaxIter?: number;
  hessianTol?: number;
  /** Bezier curve training (defaults: PTMZ's 10 epochs, lr 0.1 scaled to the zoo: 0.05, batch 128, wd 5e-4). */
  bezier?: BezierOptions;
  /** Evaluation points on the Bezier curve (5) and the line (25). */
  curvePoints?: number;
  linearPoints?: number;
  /** Data for zoos not made by buildZoo (buildZoo zoos carry their spec and rebuild it). */
  data?: DatasetSplit;
  /** Read and write phase-metrics.json in the zoo folder (default true). */
  cache?: boolean;
  progress?: boolean;
  signal?: AbortSignal;
  seed?: number;
}

export const CACHE_FILE = 'phase-metrics.json';

interface ModelMetrics { train_loss: number; train_acc: number; test_loss: number; test_acc: number; hessian_top_ev: number | null; hessian_trace: number | null; hessian_products: number }
interface PairMetrics { curve_mc_train_error: number; curve_mc_test_error: number; curve_mc_train_loss: number; linear_barrier_train_loss: number; representation_similarity: number; l2_distance: number }

function hash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

function architectureOf(model: ZooModel, weights: WeightSet): MlpArchitecture {
  const hidden: number[] = [];
  let inputs = 0;
  let outputs = 0;
  for (let l = 0; weights.has(`layers.${l}.weight`); l++) {
    const [out, inp] = weights.info(`layers.${l}.weight`).shape;
    if (l === 0) inputs = inp; else hidden.push(inp);
    outputs = out;
  }
  if (inputs === 0) throw new ArgumentError('checkpoint is not a weightlab zoo MLP (no layers.0.weight)', { field: model.id });
  return mlp(inputs, hidden, outputs, (model.params['model::nlin'] as MlpActivation) ?? 'relu');
}

function mean(values: (number | null)[]): number | null {
  const finite = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : null;
}

/** Computes (or reads from the cache) the phase metrics of every cell of `zoo` (a Zoo or its folder). */
export async function phaseMetrics(zooOrPath: Zoo | string, options: PhaseMetricsOptions = {}): Promise<PhaseTable> {
  const zoo = typeof zooOrPath === 'string' ? openZoo(zooOrPath) : zooOrPath;
  const load = options.load ?? 'model::width';
  const temperature = options.temperature ?? 'training::batchsize';
  const spec = (zoo.manifest?.['weightlab.builder'] as { spec?: ZooSpec } | undefined)?.spec;
  const split = options.data ?? (spec ? specDataset(spec) : undefined);
  if (!split) throw new ArgumentError('this zoo was not made by buildZoo: pass options.data (the train/test split its models were trained on)');
  const epoch = options.epoch ?? Math.max(...((zoo.manifest?.epochs as number[] | undefined) ?? zoo.models.flatMap((m) => m.checkpoints.map((c) => c.epoch))));
  const settings = {
    hessianSamples: options.hessianSamples ?? 256,
    hessianMaxIter: options.hessianMaxIter ?? 100,
    hessianTol: options.hessianTol ?? 1e-3,
    bezier: { epochs: 10, learningRate: 0.05, momentum: 0.9, weightDecay: 5e-4, batchSize: 128, ...options.bezier },
    curvePoints: options.curvePoints ?? 5,
    linearPoints: options.linearPoints ?? 25,
    seed: options.seed ?? 0,
  };
  const modelKey = hash({ v: 1, hessianSamples: settings.hessianSamples, maxIter: settings.hessianMaxIter, tol: settings.hessianTol, seed: settings.seed, data: split.train.name });
  const pairKey = hash({ v: 1, bezier: settings.bezier, curvePoints: settings.curvePoints, linearPoints: settings.linearPoints, seed: settings.seed, data: split.train.name });
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
  const problems: ModelProblem[] = [];
  const rows: PhaseRow[] = [];
  const bar = options.progress === false ? undefined : new Progress({ total: cells.size, label: 'phase metrics', signal: options.signal });
  const batchCache = new Map<string, Dataset>();

  for (const { cell, models } of cells.values()) {
    // The cell's training data (data fraction / label noise) as the builder saw it.
    const values = { ...Object.fromEntries((Object.keys(AXIS_KEYS) as AxisName[]).map((axis) => [axis, Number(models[0].params[AXIS_KEYS[axis].key] ?? (axis === 'dataFraction' ? 1 : 0))])) } as Record<AxisName, number>;
    const data = spec ? jobData(split, values) : split;
    const batchId = data.train.name;
    if (!batchCache.has(batchId)) batchCache.set(batchId, hessianBatch(data.train, settings.hessianSamples, settings.seed));
    const batch = batchCache.get(batchId)!;

    const loaded: { model: ZooModel; params: Float64Array; arch: MlpArchitecture; metrics: ModelMetrics }[] = [];
    let nan = false;
    for (const model of models) {
      // The builder stops a diverged run and marks its last result line; such a model has no
      // final checkpoint by design and is flagged as NaN, not as missing.
      const diverged = model.results.find((r) => r.nan === true || (r.epoch <= epoch && (r.train_loss === null || (typeof r.train_loss === 'number' && !Number.isFinite(r.train_loss)))));
      if (diverged) { nan = true; problems.push({ model: model.id, problem: `NaN or infinite loss at epoch ${diverged.epoch} (training stopped)` }); continue; }
      const checkpoint = model.checkpoints.find((c) => c.epoch === epoch);
      if (!checkpoint) { problems.push({ model: model.id, problem: `no checkpoint at epoch ${epoch}` }); continue; }
      let weights: WeightSet;
      let arch: MlpArchitecture;
      let params: Float64Array;
      try {
        weights = checkpoint.load();
        arch = architectureOf(model, weights);
        params = fromWeightSet(arch, weights);
      } catch (error) {
        problems.push({ model: model.id, problem: `unreadable checkpoint ${path.relative(zoo.root, checkpoint.path)}: ${(error as Error).message}` });
        continue;
      }
      if (params.some((v) => !Number.isFinite(v))) { nan = true; problems.push({ model: model.id, problem: 'NaN or infinite weights' }); continue; }
      const key = `model:${model.id}@${epoch}|${modelKey}`;
      let metrics = cache[key] as ModelMetrics | undefined;
      if (!metrics) {
        const ws = new MlpWorkspace(arch, 512);
        const tr = evaluateMlp(ws, params, data.train.x, data.train.y, data.train.size);
        const te = evaluateMlp(ws, params, data.test.x, data.test.y, data.test.size);
        metrics = { train_loss: tr.loss, train_acc: tr.accuracy, test_loss: te.loss, test_acc: te.accuracy, hessian_top_ev: null, hessian_trace: null, hessian_products: 0 };
        if (Number.isFinite(tr.loss)) {
          const op = mlpHessian(arch, params, batch);
          const eig = topEigenvalues(op, { maxIter: settings.hessianMaxIter, tol: settings.hessianTol, seed: settings.seed });
          const trace = hutchinsonTrace(op, { maxIter: settings.hessianMaxIter, tol: settings.hessianTol, seed: settings.seed });
          metrics.hessian_top_ev = eig.values[0];
          metrics.hessian_trace = trace.trace;
          metrics.hessian_products = op.products;
        }
        cache[key] = metrics;
      }
      if (!Number.isFinite(metrics.train_loss) || !Number.isFinite(metrics.test_loss)) { nan = true; problems.push({ model: model.id, problem: 'NaN or infinite loss' }); continue; }
      loaded.push({ model, params, arch, metrics });
    }

    const pairs: PairMetrics[] = [];
    for (let i = 0; i < loaded.length; i++) {
      for (let j = i + 1; j < loaded.length; j++) {
        const a = loaded[i];
        const b = loaded[j];
        const key = `pair:${a.model.id}~${b.model.id}@${epoch}|${pairKey}`;
        let metrics = cache[key] as PairMetrics | undefined;
        if (!metrics) {
          const bend = fitBezierCurve(a.arch, a.params, b.params, data.train, { ...settings.bezier, seed: settings.seed });
          const curve = bezierPath(a.arch, a.params, bend, b.params, data.train, data.test, settings.curvePoints);
          const line = linearPath(a.arch, a.params, b.params, data.train, data.test, settings.linearPoints);
          const ws = new MlpWorkspace(a.arch, 512);
          const la = logitsMlp(ws, a.params, data.test.x, data.test.size);
          const lb = logitsMlp(ws, b.params, data.test.x, data.test.size);
          metrics = {
            curve_mc_train_error: modeConnectivity(curve.map((p) => p.train_error)),
            curve_mc_test_error: modeConnectivity(curve.map((p) => p.test_error)),
            curve_mc_train_loss: modeConnectivity(curve.map((p) => p.train_loss)),
            linear_barrier_train_loss: lossBarrier(line.map((p) => p.train_loss)),
            representation_similarity: linearCKA(representation(la, data.test.size, a.arch.outputs), representation(lb, data.test.size, b.arch.outputs)),
            l2_distance: l2Distance(a.params, b.params),
          };
          cache[key] = metrics;
        }
        pairs.push(metrics);
      }
    }
    saveCache();
    const m = (k: keyof ModelMetrics) => mean(loaded.map((x) => x.metrics[k] as number | null));
    const p = (k: keyof PairMetrics) => mean(pairs.map((x) => x[k]));
    const top = m('hessian_top_ev');
    const trace = m('hessian_trace');
    rows.push({
      cell, models: loaded.map((x) => x.model.id),
      train_loss: m('train_loss'), train_acc: m('train_acc'), test_loss: m('test_loss'), test_acc: m('test_acc'),
      hessian_top_ev: top, hessian_trace: trace,
      // PTMZ: log of the mean over the cell's models; a non-positive mean has no log.
      log_hessian_top_ev: top !== null && top > 0 ? Math.log(top) : null,
      log_hessian_trace: trace !== null && trace > 0 ? Math.log(trace) : null,
      curve_mc_train_error: p('curve_mc_train_error'), curve_mc_test_error: p('curve_mc_test_error'), curve_mc_train_loss: p('curve_mc_train_loss'),
      linear_barrier_train_loss: p('linear_barrier_train_loss'), representation_similarity: p('representation_similarity'), l2_distance: p('l2_distance'),
      nan,
    });
    try { bar?.tick(); } catch (error) { if (error instanceof InterruptedError) { saveCache(); } throw error; }
    await new Promise((resolve) => setImmediate(resolve)); // let a kernel interrupt arrive between cells
  }
  bar?.done();
  rows.sort((a, b) => (a.cell[load] - b.cell[load]) || (a.cell[temperature] - b.cell[temperature]));
  return new PhaseTable(rows, { load, temperature }, problems, { epoch, ...settings });
}
