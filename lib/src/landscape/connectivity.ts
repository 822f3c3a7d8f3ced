// Mode connectivity between two trained models: the linear path (Git Re-Basin's barrier) and
// a quadratic Bezier curve with a trained bend (Garipov et al. 2018), summarised by the signed
// `mc` of Yang et al. 2021 / PTMZ. Sign conventions differ and are easy to mix up:
//   barrier (Git Re-Basin) B  = max_l L(l) - (L(0) + L(1)) / 2          > 0: a barrier
//   mc (Yang / PTMZ)       mc = (L(0) + L(1)) / 2 - L(t*),  t* = argmax_t |L(t) - (L(0) + L(1)) / 2|
//                              mc < 0: barrier (poorly connected); mc > 0: the middle is better
//                              (endpoints under-trained); mc ~ 0: well connected.

import { ArgumentError } from '../errors';
import { rng } from '../random/rng';
import type { Dataset } from '../data/dataset';
import type { NetworkArchitecture } from '../train/network';
import { errorPercent, supervisedTask, type TrainingTask } from '../train/task';
import { createOptimizer, type OptimizerKind } from '../train/optimizer';
import { resolveOptions, type OptionDefaults } from '../options/resolve';

/**
 * The signed mode connectivity of values along a path (PTMZ compute_mc): for losses and
 * errors (mode 'min') mc = mid - v[i*]; for accuracies (mode 'max') mc = v[i*] - mid.
 */
export function modeConnectivity(values: readonly number[], options: ModeConnectivityOptions = {}): number {
  const { mode } = resolveOptions('modeConnectivity', MODE_CONNECTIVITY_DEFAULTS, options);
  if (mode !== 'min' && mode !== 'max')
    throw new ArgumentError('unknown mode', { field: 'mode', expected: "'min' or 'max'", found: String(mode) });
  if (values.length < 2)
    throw new ArgumentError('need at least the two endpoints', {
      field: 'values',
      expected: 'at least 2 values',
      found: String(values.length),
    });
  const mid = 0.5 * (values[0] + values[values.length - 1]);
  let best = 0;
  for (let i = 1; i < values.length; i++) if (Math.abs(values[i] - mid) > Math.abs(values[best] - mid)) best = i;
  return mode === 'min' ? mid - values[best] : values[best] - mid;
}

/** Git Re-Basin's loss barrier: max over the path minus the mean of the endpoints. */
export function lossBarrier(values: readonly number[]): number {
  return Math.max(...values) - 0.5 * (values[0] + values[values.length - 1]);
}

/** theta(t) on the quadratic Bezier curve (1-t)^2 a + 2t(1-t) bend + t^2 b (bend = midpoint gives the line). */
export function bezierPoint(
  a: Float64Array,
  bend: Float64Array,
  b: Float64Array,
  t: number,
  out = new Float64Array(a.length),
): Float64Array {
  const c0 = (1 - t) ** 2;
  const c1 = 2 * t * (1 - t);
  const c2 = t * t;
  for (let i = 0; i < a.length; i++) out[i] = c0 * a[i] + c1 * bend[i] + c2 * b[i];
  return out;
}

export interface PathPoint {
  t: number;
  train_loss: number;
  /** Train error in percent (PTMZ's curve metrics are in percentage points). */
  train_error: number;
  test_loss: number;
  test_error: number;
}

function isTask(model: NetworkArchitecture | TrainingTask): model is TrainingTask {
  return typeof (model as TrainingTask).evaluate === 'function';
}

/** The task behind the (architecture, train, test) forms: classification, evaluated in chunks of 512 rows. */
function classifier(arch: NetworkArchitecture, train: Dataset, test: Dataset): TrainingTask {
  return supervisedTask(arch, { train, test }, { chunk: 512 });
}

/** Train and test loss and error (%) at each t; for a PINN the error is the relative L2 error on its test grid (train and test alike). */
function evaluatePath(task: TrainingTask, point: (t: number) => Float64Array, ts: number[]): PathPoint[] {
  return ts.map((t) => {
    const m = task.evaluate(point(t));
    return {
      t,
      train_loss: m.train_loss,
      train_error: errorPercent(m, 'train'),
      test_loss: m.test_loss,
      test_error: errorPercent(m, 'test'),
    };
  });
}

/** Losses and errors on the straight line (1-l) a + l b at `points` evenly spaced l (Git Re-Basin uses 25). */
export function linearPath(task: TrainingTask, a: Float64Array, b: Float64Array, points?: number): PathPoint[];
export function linearPath(
  arch: NetworkArchitecture,
  a: Float64Array,
  b: Float64Array,
  train: Dataset,
  test: Dataset,
  points?: number,
): PathPoint[];
export function linearPath(
  model: NetworkArchitecture | TrainingTask,
  a: Float64Array,
  b: Float64Array,
  ...rest: unknown[]
): PathPoint[] {
  const task = isTask(model) ? model : classifier(model, rest[0] as Dataset, rest[1] as Dataset);
  const points = ((isTask(model) ? rest[0] : rest[2]) as number | undefined) ?? 25;
  const ts = Array.from({ length: points }, (_, i) => i / (points - 1));
  const buffer = new Float64Array(a.length);
  return evaluatePath(
    task,
    (t) => {
      for (let i = 0; i < a.length; i++) buffer[i] = (1 - t) * a[i] + t * b[i];
      return buffer;
    },
    ts,
  );
}

export interface BezierOptions {
  /**
   * Epochs over the training examples (PTMZ 10, Yang et al. 50).
   * @default 10
   */
  epochs?: number;
  /**
   * Base learning rate, scheduled by Garipov's rule (PTMZ 0.1, Yang et al. 0.01).
   * @default 0.1
   */
  learningRate?: number;
  /**
   * SGD momentum (Adam's first beta when optimizer is 'adam').
   * @default 0.9
   */
  momentum?: number;
  /**
   * L2 term 0.5 wd |theta(t)|^2 on the curve point (Garipov's default).
   * @default 5e-4
   */
  weightDecay?: number;
  /**
   * Examples per batch (capped at the task's examples).
   * @default 128
   */
  batchSize?: number;
  /**
   * 'sgd' (Garipov, PTMZ) or 'adam' (betas (momentum, 0.999)): a PINN's stiff loss needs Adam's bounded steps.
   * @default 'sgd'
   */
  optimizer?: OptimizerKind;
  /**
   * Seed of the batch order and the sampled t.
   * @default 0
   */
  seed?: number;
}

/** The defaults of fitBezierCurve: PTMZ's (see BezierOptions). */
export const BEZIER_DEFAULTS = {
  epochs: 10,
  learningRate: 0.1,
  momentum: 0.9,
  weightDecay: 5e-4,
  batchSize: 128,
  optimizer: 'sgd',
  seed: 0,
} as const satisfies OptionDefaults<BezierOptions>;

/** How modeConnectivity reads the values along a path. */
export interface ModeConnectivityOptions {
  /**
   * 'min' for losses and errors (lower is better), 'max' for accuracies.
   * @default 'min'
   */
  mode?: 'min' | 'max';
}

/** The defaults of modeConnectivity (see ModeConnectivityOptions). */
export const MODE_CONNECTIVITY_DEFAULTS = { mode: 'min' } as const satisfies OptionDefaults<ModeConnectivityOptions>;

/** Garipov's schedule: factor 1 for the first half, linear down to 0.01 at 90 %, then 0.01. */
export function curveLearningRate(base: number, epoch: number, epochs: number): number {
  const alpha = epoch / epochs;
  const factor = alpha <= 0.5 ? 1 : alpha <= 0.9 ? 1 - ((alpha - 0.5) / 0.4) * 0.99 : 0.01;
  return base * factor;
}

/**
 * Trains the bend of a quadratic Bezier curve between fixed endpoints a and b: each batch
 * draws t ~ U(0, 1), the loss is L(theta(t)) + 0.5 wd |theta(t)|^2, and since
 * d theta(t) / d bend = 2t(1-t), the bend's gradient is 2t(1-t) grad L(theta(t)). The bend
 * starts at the midpoint (init_linear). Batches are drawn from the task's examples (rows; a
 * PINN's collocation points). No BatchNorm in zoo networks, so no statistics to re-estimate.
 */
export function fitBezierCurve(
  task: TrainingTask,
  a: Float64Array,
  b: Float64Array,
  options?: BezierOptions,
): Float64Array;
export function fitBezierCurve(
  arch: NetworkArchitecture,
  a: Float64Array,
  b: Float64Array,
  train: Dataset,
  options?: BezierOptions,
): Float64Array;
export function fitBezierCurve(
  model: NetworkArchitecture | TrainingTask,
  a: Float64Array,
  b: Float64Array,
  ...rest: unknown[]
): Float64Array {
  const task = isTask(model) ? model : classifier(model, rest[0] as Dataset, rest[0] as Dataset);
  const options = resolveOptions(
    'fitBezierCurve',
    BEZIER_DEFAULTS,
    (isTask(model) ? rest[0] : rest[1]) as BezierOptions | undefined,
  );
  const { epochs, learningRate: base, momentum: mu, weightDecay: wd } = options;
  const examples = task.examples;
  const batchSize = Math.min(options.batchSize, examples);
  const P = task.dimension;
  if (a.length !== P || b.length !== P)
    throw new ArgumentError('endpoints do not fit the architecture', {
      expected: String(P),
      found: `${a.length}, ${b.length}`,
    });
  const bend = new Float64Array(P);
  for (let i = 0; i < P; i++) bend[i] = 0.5 * (a[i] + b[i]);
  const update = createOptimizer(options.optimizer, P, mu);
  const grad = new Float64Array(P);
  const point = new Float64Array(P);
  const random = rng(options.seed).fold('bezier');
  for (let epoch = 0; epoch < epochs; epoch++) {
    const lr = curveLearningRate(base, epoch, epochs);
    const order = random.fold(2 * epoch).permutation(examples);
    const steps = Math.ceil(examples / batchSize);
    const ts = random.fold(2 * epoch + 1).uniform(steps);
    for (let s = 0; s < steps; s++) {
      const start = s * batchSize;
      const t = ts[s];
      bezierPoint(a, bend, b, t, point);
      task.lossAndGradient(point, grad, order.subarray(start, Math.min(start + batchSize, examples)));
      const c = 2 * t * (1 - t);
      for (let k = 0; k < P; k++) grad[k] = c * (grad[k] + wd * point[k]);
      update.step(bend, grad, lr);
    }
  }
  return bend;
}

/** Losses and errors along the Bezier curve at `points` evenly spaced t (PTMZ/Yang: 5). */
export function bezierPath(
  task: TrainingTask,
  a: Float64Array,
  bend: Float64Array,
  b: Float64Array,
  points?: number,
): PathPoint[];
export function bezierPath(
  arch: NetworkArchitecture,
  a: Float64Array,
  bend: Float64Array,
  b: Float64Array,
  train: Dataset,
  test: Dataset,
  points?: number,
): PathPoint[];
export function bezierPath(
  model: NetworkArchitecture | TrainingTask,
  a: Float64Array,
  bend: Float64Array,
  b: Float64Array,
  ...rest: unknown[]
): PathPoint[] {
  const task = isTask(model) ? model : classifier(model, rest[0] as Dataset, rest[1] as Dataset);
  const points = ((isTask(model) ? rest[0] : rest[2]) as number | undefined) ?? 5;
  const ts = Array.from({ length: points }, (_, i) => i / (points - 1));
  const buffer = new Float64Array(a.length);
  return evaluatePath(task, (t) => bezierPoint(a, bend, b, t, buffer), ts);
}

/** Euclidean distance |a - b|_2 between two flat parameter vectors (Yang et al.'s model distance). */
export function l2Distance(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length)
    throw new ArgumentError('vectors differ in length', { expected: String(a.length), found: String(b.length) });
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}
