// The phase metrics of one grid cell of a zoo (reference notes §1.4, §2.1): per model the final
// train/test loss and accuracy (a PINN: relative L2 error) and the Hessian top eigenvalue and
// trace on one fixed batch of training examples; per seed pair the Bezier-curve mc, the linear
// barrier, linear CKA of a test-set representation and the L2 distance; then means over the
// cell. A pure function of its context and the checkpoints, so phaseMetrics can run cells in
// worker threads (./worker.ts) or in its own thread with identical results.

import * as path from 'node:path';
import { ArgumentError } from '../errors';
import type { DatasetSplit } from '../data/dataset';
import { convectionProblem } from '../data/synthetic';
import type { Zoo, ZooDataset, ZooModel } from '../zoo/public';
import { fromWeightSet, mlp, type MlpActivation } from '../train/mlp';
import { cnn } from '../train/cnn';
import { pinnTask } from '../train/pinn';
import { supervisedTask, type TrainingTask } from '../train/task';
import type { NetworkArchitecture, RepresentationLayer } from '../train/network';
import type { WeightSet } from '../weights/weight-set';
import { hutchinsonTrace, topEigenvalues } from '../landscape/hessian';
import { hessianRows, taskHessian } from '../landscape/mlp-hessian';
import {
  bezierPath,
  fitBezierCurve,
  l2Distance,
  linearPath,
  lossBarrier,
  modeConnectivity,
  type BezierOptions,
} from '../landscape/connectivity';
import { linearCKA, representation } from '../landscape/cka';
import { meanInterval } from '../statistics/intervals';
import type { ModelProblem, PhaseRow } from './table';

/** Resolved settings of a phase-metrics run (what the cache keys hash). */
export interface CellSettings {
  hessianSamples: number;
  hessianMaxIter: number;
  hessianTol: number;
  bezier: BezierOptions;
  curvePoints: number;
  linearPoints: number;
  seed: number;
  ckaLayer: RepresentationLayer;
}

/** Everything a cell needs besides its models; structured-cloneable, so workers get a copy. */
export interface CellContext {
  /** The zoo folder (checkpoint paths in problem messages are relative to it). */
  root: string;
  epoch: number;
  settings: CellSettings;
  /** Cache-key suffixes of model and pair metrics. */
  modelKey: string;
  pairKey: string;
  /** The zoo's dataset as it records it (a PINN zoo: the PDE problem's options besides beta). */
  dataset?: ZooDataset;
  /** Data passed by the caller for every model (zoos that do not record their dataset); else each model's own training data. */
  split?: DatasetSplit;
  pinn: boolean;
}

interface ModelMetrics {
  train_loss: number;
  train_acc: number | null;
  test_loss: number;
  test_acc: number | null;
  relative_l2_error?: number;
  hessian_top_ev: number | null;
  hessian_trace: number | null;
  hessian_products: number;
}
interface PairMetrics {
  curve_mc_train_error: number;
  curve_mc_test_error: number;
  curve_mc_train_loss: number;
  linear_barrier_train_loss: number;
  representation_similarity: number;
  l2_distance: number;
}

/** A list hyperparameter of params.json (zoo readers keep lists as their JSON text, so flat tables stay flat). */
function listParam(model: ZooModel, key: string): number[] | undefined {
  const value = model.params[key];
  const list = typeof value === 'string' ? JSON.parse(value) : value;
  if (list === undefined || list === null) return undefined;
  if (!Array.isArray(list) || !list.every((v) => Number.isInteger(v)))
    throw new ArgumentError('expected a list of integers', {
      field: `${model.id} params.json ${key}`,
      found: String(value),
    });
  return list;
}

/** The architecture of a checkpoint, inferred from its tensor shapes for zoos that do not record it: a CNN (rank-4 layers.0.weight; strides and image from params.json) or an MLP (the PINN's too). */
function architectureOf(model: ZooModel, weights: WeightSet): NetworkArchitecture {
  if (!weights.has('layers.0.weight'))
    throw new ArgumentError('checkpoint is not a weightlab zoo network (no layers.0.weight)', { field: model.id });
  const activation = (model.params['model::nlin'] as MlpActivation) ?? 'relu';
  if (weights.info('layers.0.weight').shape.length === 4) {
    const channels: number[] = [];
    let l = 0;
    for (; weights.has(`layers.${l}.weight`) && weights.info(`layers.${l}.weight`).shape.length === 4; l++)
      channels.push(weights.info(`layers.${l}.weight`).shape[0]);
    const [, inC, kernel] = weights.info('layers.0.weight').shape;
    const outputs = weights.info(`layers.${l}.weight`).shape[0];
    const image = (listParam(model, 'model::image') as [number, number, number] | undefined) ?? [inC, 8, 8];
    return cnn(image, channels, outputs, { kernel, activation, strides: listParam(model, 'model::strides') });
  }
  const hidden: number[] = [];
  let inputs = 0;
  let outputs = 0;
  for (let l = 0; weights.has(`layers.${l}.weight`); l++) {
    const [out, inp] = weights.info(`layers.${l}.weight`).shape;
    if (l === 0) inputs = inp;
    else hidden.push(inp);
    outputs = out;
  }
  return mlp(inputs, hidden, outputs, activation);
}

/**
 * The trivial predictor's train error on a classification split: predicting the most frequent
 * train label gets every other label wrong (1 - its share; 0.9 on 10 balanced classes).
 */
function majorityClassError(data: DatasetSplit): number {
  const counts = new Map<number, number>();
  for (const label of data.train.y) counts.set(label, (counts.get(label) ?? 0) + 1);
  return 1 - Math.max(...counts.values()) / data.train.size;
}

function mean(values: (number | null)[]): number | null {
  const finite = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : null;
}

/**
 * The row of one cell, the problems of its models, and the metrics computed now (cache entries
 * to store); metrics found in `cache` are reused, not recomputed.
 */
export function measureCell(
  context: CellContext,
  zoo: Zoo,
  cell: Record<string, number>,
  models: ZooModel[],
  cache: Record<string, unknown>,
): { row: PhaseRow; problems: ModelProblem[]; entries: Record<string, unknown> } {
  const { epoch, settings, modelKey, pairKey, dataset, split, pinn } = context;
  const ckaLayer = settings.ckaLayer;
  const problems: ModelProblem[] = [];
  const entries: Record<string, unknown> = {};
  // Each model's training data (its data fraction and label noise) as the zoo records it, or its PINN problem.
  const taskOf = (model: ZooModel, arch: NetworkArchitecture): TrainingTask => {
    if (pinn) {
      if (arch.kind !== 'mlp')
        throw new ArgumentError('a convection PINN is an MLP of (x, t)', { field: 'architecture', found: arch.kind });
      return pinnTask(arch, convectionProblem({ ...dataset?.options, beta: Number(model.hyperparameters.beta) }));
    }
    return supervisedTask(arch, split ?? zoo.trainingData(model), { chunk: 512 });
  };

  const loaded: {
    model: ZooModel;
    params: Float64Array;
    arch: NetworkArchitecture;
    task: TrainingTask;
    metrics: ModelMetrics;
  }[] = [];
  let nan = false;
  for (const model of models) {
    // The builder stops a diverged run and marks its last result line; such a model has no
    // final checkpoint by design and is flagged as NaN, not as missing.
    const diverged = model.results.find(
      (r) =>
        r.nan === true ||
        (r.epoch <= epoch &&
          (r.train_loss === null || (typeof r.train_loss === 'number' && !Number.isFinite(r.train_loss)))),
    );
    if (diverged) {
      nan = true;
      problems.push({ model: model.id, problem: `NaN or infinite loss at epoch ${diverged.epoch} (training stopped)` });
      continue;
    }
    const checkpoint = model.checkpoints.find((c) => c.epoch === epoch);
    if (!checkpoint) {
      problems.push({ model: model.id, problem: `no checkpoint at epoch ${epoch}` });
      continue;
    }
    let arch: NetworkArchitecture;
    let params: Float64Array;
    let task: TrainingTask;
    try {
      const weights = checkpoint.load();
      arch = model.architecture ?? architectureOf(model, weights);
      params = fromWeightSet(arch, weights);
      task = taskOf(model, arch);
    } catch (error) {
      problems.push({
        model: model.id,
        problem: `unreadable checkpoint ${path.relative(context.root, checkpoint.path)}: ${(error as Error).message}`,
      });
      continue;
    }
    if (params.some((v) => !Number.isFinite(v))) {
      nan = true;
      problems.push({ model: model.id, problem: 'NaN or infinite weights' });
      continue;
    }
    const key = `model:${model.id}@${epoch}|${modelKey}`;
    let metrics = cache[key] as ModelMetrics | undefined;
    if (!metrics) {
      const m = task.evaluate(params);
      metrics = {
        train_loss: m.train_loss,
        train_acc: m.train_acc ?? null,
        test_loss: m.test_loss,
        test_acc: m.test_acc ?? null,
        ...(m.relative_l2_error !== undefined ? { relative_l2_error: m.relative_l2_error } : {}),
        hessian_top_ev: null,
        hessian_trace: null,
        hessian_products: 0,
      };
      if (Number.isFinite(m.train_loss)) {
        const op = taskHessian(task, params, hessianRows(task.examples, settings.hessianSamples, settings.seed));
        const eig = topEigenvalues(op, {
          maxIter: settings.hessianMaxIter,
          tol: settings.hessianTol,
          seed: settings.seed,
        });
        const trace = hutchinsonTrace(op, {
          maxIter: settings.hessianMaxIter,
          tol: settings.hessianTol,
          seed: settings.seed,
        });
        metrics.hessian_top_ev = eig.values[0];
        metrics.hessian_trace = trace.trace;
        metrics.hessian_products = op.products;
      }
      entries[key] = metrics;
    }
    if (!Number.isFinite(metrics.train_loss) || !Number.isFinite(metrics.test_loss)) {
      nan = true;
      problems.push({ model: model.id, problem: 'NaN or infinite loss' });
      continue;
    }
    loaded.push({ model, params, arch, task, metrics });
  }

  const pairs: PairMetrics[] = [];
  for (let i = 0; i < loaded.length; i++) {
    for (let j = i + 1; j < loaded.length; j++) {
      const a = loaded[i];
      const b = loaded[j];
      const key = `pair:${a.model.id}~${b.model.id}@${epoch}|${pairKey}`;
      let metrics = cache[key] as PairMetrics | undefined;
      if (!metrics) {
        const bend = fitBezierCurve(a.task, a.params, b.params, { ...settings.bezier, seed: settings.seed });
        const curve = bezierPath(a.task, a.params, bend, b.params, settings.curvePoints);
        const line = linearPath(a.task, a.params, b.params, settings.linearPoints);
        const ra = a.task.representation(a.params, ckaLayer);
        const rb = b.task.representation(b.params, ckaLayer);
        metrics = {
          curve_mc_train_error: modeConnectivity(curve.map((p) => p.train_error)),
          curve_mc_test_error: modeConnectivity(curve.map((p) => p.test_error)),
          curve_mc_train_loss: modeConnectivity(curve.map((p) => p.train_loss)),
          linear_barrier_train_loss: lossBarrier(line.map((p) => p.train_loss)),
          representation_similarity: linearCKA(
            representation(ra.values, ra.rows, ra.columns),
            representation(rb.values, rb.rows, rb.columns),
          ),
          l2_distance: l2Distance(a.params, b.params),
        };
        entries[key] = metrics;
      }
      pairs.push(metrics);
    }
  }
  const m = (k: keyof ModelMetrics) => mean(loaded.map((x) => x.metrics[k] as number | null));
  const p = (k: keyof PairMetrics) => mean(pairs.map((x) => x[k]));
  // The interval of the mean mc over pairs (n >= 2 pairs, i.e. 3 or more seeds): classifyPhases
  // calls a barrier only when it lies below 0, so one pair's shallow barrier does not decide.
  const mcValues = pairs.map((x) => x.curve_mc_train_error).filter((v) => Number.isFinite(v));
  const mcInterval = mcValues.length >= 2 ? meanInterval(mcValues) : undefined;
  // A PINN's (or regression's) error is relative to the zero prediction, whose error is 1.
  const trivial =
    loaded.length === 0 ? null : pinn ? 1 : majorityClassError(split ?? zoo.trainingData(loaded[0].model));
  const top = m('hessian_top_ev');
  const trace = m('hessian_trace');
  const row: PhaseRow = {
    ...cell,
    models: loaded.map((x) => x.model.id),
    train_loss: m('train_loss'),
    train_acc: m('train_acc'),
    test_loss: m('test_loss'),
    test_acc: m('test_acc'),
    ...(pinn ? { relative_l2_error: m('relative_l2_error') } : {}),
    hessian_top_ev: top,
    hessian_trace: trace,
    // PTMZ: log of the mean over the cell's models; a non-positive mean has no log.
    log_hessian_top_ev: top !== null && top > 0 ? Math.log(top) : null,
    log_hessian_trace: trace !== null && trace > 0 ? Math.log(trace) : null,
    curve_mc_train_error: p('curve_mc_train_error'),
    curve_mc_test_error: p('curve_mc_test_error'),
    curve_mc_train_loss: p('curve_mc_train_loss'),
    curve_mc_train_error_lower: mcInterval?.lower ?? null,
    curve_mc_train_error_upper: mcInterval?.upper ?? null,
    trivial_error: trivial,
    linear_barrier_train_loss: p('linear_barrier_train_loss'),
    representation_similarity: p('representation_similarity'),
    l2_distance: p('l2_distance'),
    nan,
  };
  return { row, problems, entries };
}
