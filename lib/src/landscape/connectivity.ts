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
import { MlpWorkspace, evaluateMlp, lossAndGradient, parameterCount, type MlpArchitecture } from '../train/mlp';

/**
 * The signed mode connectivity of values along a path (PTMZ compute_mc): for losses and
 * errors (mode 'min') mc = mid - v[i*]; for accuracies (mode 'max') mc = v[i*] - mid.
 */
export function modeConnectivity(values: readonly number[], mode: 'min' | 'max' = 'min'): number {
  if (values.length < 2) throw new ArgumentError('need at least the two endpoints', { found: String(values.length) });
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
export function bezierPoint(a: Float64Array, bend: Float64Array, b: Float64Array, t: number, out = new Float64Array(a.length)): Float64Array {
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

function evaluatePath(arch: MlpArchitecture, point: (t: number) => Float64Array, ts: number[], train: Dataset, test: Dataset): PathPoint[] {
  const ws = new MlpWorkspace(arch, 512);
  return ts.map((t) => {
    const p = point(t);
    const tr = evaluateMlp(ws, p, train.x, train.y, train.size);
    const te = evaluateMlp(ws, p, test.x, test.y, test.size);
    return { t, train_loss: tr.loss, train_error: 100 * (1 - tr.accuracy), test_loss: te.loss, test_error: 100 * (1 - te.accuracy) };
  });
}

/** Losses and errors on the straight line (1-l) a + l b at `points` evenly spaced l (Git Re-Basin uses 25). */
export function linearPath(arch: MlpArchitecture, a: Float64Array, b: Float64Array, train: Dataset, test: Dataset, points = 25): PathPoint[] {
  const ts = Array.from({ length: points }, (_, i) => i / (points - 1));
  const buffer = new Float64Array(a.length);
  return evaluatePath(arch, (t) => {
    for (let i = 0; i < a.length; i++) buffer[i] = (1 - t) * a[i] + t * b[i];
    return buffer;
  }, ts, train, test);
}

export interface BezierOptions {
  /** Epochs over the train set (PTMZ 10, Yang 50). */
  epochs?: number;
  /** Base learning rate of SGD (PTMZ 0.1, Yang 0.01). */
  learningRate?: number;
  momentum?: number;
  /** L2 term 0.5 wd |theta(t)|^2 on the curve point (Garipov default 5e-4). */
  weightDecay?: number;
  batchSize?: number;
  seed?: number;
}

/** Garipov's schedule: factor 1 for the first half, linear down to 0.01 at 90 %, then 0.01. */
export function curveLearningRate(base: number, epoch: number, epochs: number): number {
  const alpha = epoch / epochs;
  const factor = alpha <= 0.5 ? 1 : alpha <= 0.9 ? 1 - ((alpha - 0.5) / 0.4) * 0.99 : 0.01;
  return base * factor;
}

/**
 * Trains the bend of a quadratic Bezier curve between fixed endpoints a and b: each batch
 * draws t ~ U(0, 1), the loss is CE(theta(t)) + 0.5 wd |theta(t)|^2, and since
 * d theta(t) / d bend = 2t(1-t), the bend's gradient is 2t(1-t) grad L(theta(t)). The bend
 * starts at the midpoint (init_linear). No BatchNorm in zoo MLPs, so no statistics to re-estimate.
 */
export function fitBezierCurve(arch: MlpArchitecture, a: Float64Array, b: Float64Array, train: Dataset, options: BezierOptions = {}): Float64Array {
  const epochs = options.epochs ?? 10;
  const base = options.learningRate ?? 0.1;
  const mu = options.momentum ?? 0.9;
  const wd = options.weightDecay ?? 5e-4;
  const batchSize = Math.min(options.batchSize ?? 128, train.size);
  const P = parameterCount(arch);
  if (a.length !== P || b.length !== P) throw new ArgumentError('endpoints do not fit the architecture', { expected: String(P), found: `${a.length}, ${b.length}` });
  const bend = new Float64Array(P);
  for (let i = 0; i < P; i++) bend[i] = 0.5 * (a[i] + b[i]);
  const velocity = new Float64Array(P);
  const grad = new Float64Array(P);
  const point = new Float64Array(P);
  const ws = new MlpWorkspace(arch, batchSize);
  const random = rng(options.seed ?? 0).fold('bezier');
  const f = arch.inputs;
  for (let epoch = 0; epoch < epochs; epoch++) {
    const lr = curveLearningRate(base, epoch, epochs);
    const order = random.fold(2 * epoch).permutation(train.size);
    const steps = Math.ceil(train.size / batchSize);
    const ts = random.fold(2 * epoch + 1).uniform(steps);
    for (let s = 0; s < steps; s++) {
      const start = s * batchSize;
      const n = Math.min(batchSize, train.size - start);
      for (let r = 0; r < n; r++) {
        const i = order[start + r];
        ws.batch.set(train.x.subarray(i * f, (i + 1) * f), r * f);
        ws.labels[r] = train.y[i];
      }
      const t = ts[s];
      bezierPoint(a, bend, b, t, point);
      lossAndGradient(ws, point, ws.batch, ws.labels, n, grad);
      const c = 2 * t * (1 - t);
      for (let k = 0; k < P; k++) {
        const g = c * (grad[k] + wd * point[k]);
        velocity[k] = mu * velocity[k] + g;
        bend[k] -= lr * velocity[k];
      }
    }
  }
  return bend;
}

/** Losses and errors along the Bezier curve at `points` evenly spaced t (PTMZ/Yang: 5). */
export function bezierPath(arch: MlpArchitecture, a: Float64Array, bend: Float64Array, b: Float64Array, train: Dataset, test: Dataset, points = 5): PathPoint[] {
  const ts = Array.from({ length: points }, (_, i) => i / (points - 1));
  const buffer = new Float64Array(a.length);
  return evaluatePath(arch, (t) => bezierPoint(a, bend, b, t, buffer), ts, train, test);
}

/** Euclidean distance |a - b|_2 between two flat parameter vectors (Yang et al.'s model distance). */
export function l2Distance(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) throw new ArgumentError('vectors differ in length', { expected: String(a.length), found: String(b.length) });
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}
