// Hypothesis space (c): random-feature models h(x) = phi_W(x)^T theta with features
// phi_W(x) = sqrt(2 / p) relu(W x + b), W ~ N(0, 1/d), b ~ N(0, 1) redrawn for every hypothesis,
// and theta ~ N(0, I_p) conditioned on interpolating the training set. The conditioned theta is
// drawn exactly by Matheron's rule, theta = theta0 + Phi^T (Phi Phi^T + j I)^-1 (Y - Phi theta0)
// with theta0 ~ N(0, I), one Cholesky of the n x n feature Gram per hypothesis (`readout:
// 'minimum-norm'` uses theta0 = 0, the min-norm interpolant). Interpolation needs p >= n features.

import { ArgumentError, NumericalError } from '../errors';
import { cholesky, solveLowerInPlace, solveUpperTransposedInPlace } from '../linalg/cholesky';
import {
  yieldToEventLoop,
  type HypothesisSample,
  type HypothesisSpace,
  type SamplingContext,
} from './hypothesis-space';
import type { Rows } from './kernels';
import type { TaskData } from './tasks';
import { resolveOptions, type OptionDefaults } from '../options/resolve';

export interface RandomFeatureSpaceOptions {
  /**
   * Number of random ReLU features p (interpolation needs p >= the training rows).
   * @default 512
   */
  features?: number;
  /**
   * 'posterior' (theta ~ N(0, I) conditioned on the data) or 'minimum-norm' (theta0 = 0, the min-norm interpolant).
   * @default 'posterior'
   */
  readout?: 'posterior' | 'minimum-norm';
  /**
   * Jitter added to the feature Gram matrix, relative to its mean diagonal.
   * @default 1e-10
   */
  jitter?: number;
  /**
   * Label for tables and charts.
   * @default undefined (e.g. 'random ReLU features (p = 512, posterior)')
   */
  name?: string;
}

/** The defaults of randomFeatureHypothesisSpace (see RandomFeatureSpaceOptions). */
export const RANDOM_FEATURE_SPACE_DEFAULTS = {
  features: 512,
  readout: 'posterior',
  jitter: 1e-10,
  name: undefined,
} as const satisfies OptionDefaults<RandomFeatureSpaceOptions>;

function features(x: Rows, weights: Float64Array, bias: Float64Array, p: number): Float64Array {
  const out = new Float64Array(x.rows * p);
  const scale = Math.sqrt(2 / p);
  for (let r = 0; r < x.rows; r++) {
    for (let f = 0; f < p; f++) {
      let pre = bias[f];
      for (let t = 0; t < x.cols; t++) pre += weights[f * x.cols + t] * x.values[r * x.cols + t];
      out[r * p + f] = pre > 0 ? scale * pre : 0;
    }
  }
  return out;
}

class RandomFeatureHypothesisSpace implements HypothesisSpace {
  readonly name: string;
  private readonly p: number;
  private readonly readout: 'posterior' | 'minimum-norm';
  private readonly jitter: number;

  constructor(options: RandomFeatureSpaceOptions) {
    const o = resolveOptions('randomFeatureHypothesisSpace', RANDOM_FEATURE_SPACE_DEFAULTS, options);
    this.p = o.features;
    this.readout = o.readout;
    this.jitter = o.jitter;
    if (!Number.isInteger(this.p) || this.p < 1)
      throw new ArgumentError('features must be a positive integer', { field: 'features', found: String(this.p) });
    if (this.readout !== 'posterior' && this.readout !== 'minimum-norm')
      throw new ArgumentError('unknown readout', {
        field: 'readout',
        expected: "'posterior' or 'minimum-norm'",
        found: String(this.readout),
      });
    this.name = o.name ?? `random ReLU features (p = ${this.p}, ${this.readout})`;
  }

  describe(): Record<string, unknown> {
    return {
      space: 'random-features',
      features: this.p,
      activation: 'relu',
      readout: this.readout,
      jitter: this.jitter,
    };
  }

  async sample(task: TaskData, count: number, context: SamplingContext): Promise<HypothesisSample> {
    const n = task.trainX.rows;
    const m = task.testX.rows;
    const k = task.outputs;
    const d = task.dimension;
    const p = this.p;
    if (p < n)
      throw new ArgumentError(`${p} random features cannot interpolate ${n} training points`, {
        field: 'features',
        expected: `>= ${n}`,
        found: String(p),
      });
    const errors = new Float64Array(count);
    let escalations = 0;
    for (let h = 0; h < count; h++) {
      const random = context.rng.fold(h);
      const weights = random.normal(p * d, 0, 1 / Math.sqrt(d));
      const bias = random.normal(p);
      const trainFeatures = features(task.trainX, weights, bias, p);
      const testFeatures = features(task.testX, weights, bias, p);
      // Gram G = Phi Phi^T (n x n).
      const gram = new Float64Array(n * n);
      let diagonal = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j <= i; j++) {
          let sum = 0;
          for (let f = 0; f < p; f++) sum += trainFeatures[i * p + f] * trainFeatures[j * p + f];
          gram[i * n + j] = sum;
          gram[j * n + i] = sum;
        }
        diagonal += gram[i * n + i] / n;
      }
      let jitter = this.jitter;
      let factor: Float64Array | undefined;
      while (!factor) {
        const attempt = cholesky(gram, n, jitter * diagonal);
        if (attempt.ok) factor = attempt.factor;
        else {
          jitter *= 10;
          escalations++;
          if (jitter > 1e-2)
            throw new NumericalError(
              'random-feature Gram matrix is singular (duplicate training inputs, or too few active features)',
              { field: 'features', found: `pivot ${attempt.pivot.toExponential(2)} at row ${attempt.index}` },
            );
        }
      }
      // theta0 (p x k); residual R = Y - Phi theta0; theta = theta0 + Phi^T G^-1 R.
      const theta = this.readout === 'posterior' ? random.normal(p * k) : new Float64Array(p * k);
      const residual = Float64Array.from(task.trainY.values);
      for (let i = 0; i < n; i++)
        for (let c = 0; c < k; c++) {
          let sum = 0;
          for (let f = 0; f < p; f++) sum += trainFeatures[i * p + f] * theta[f * k + c];
          residual[i * k + c] -= sum;
        }
      solveLowerInPlace(factor, n, residual, k);
      solveUpperTransposedInPlace(factor, n, residual, k);
      for (let i = 0; i < n; i++)
        for (let f = 0; f < p; f++) {
          const v = trainFeatures[i * p + f];
          if (v === 0) continue;
          for (let c = 0; c < k; c++) theta[f * k + c] += v * residual[i * k + c];
        }
      let total = 0;
      for (let r = 0; r < m; r++)
        for (let c = 0; c < k; c++) {
          let prediction = 0;
          for (let f = 0; f < p; f++) prediction += testFeatures[r * p + f] * theta[f * k + c];
          const diff = prediction - task.testY.values[r * k + c];
          total += diff * diff;
        }
      errors[h] = total / (m * k);
      if (h % 16 === 15 || h === count - 1) {
        context.progress?.tick((h % 16) + 1);
        await yieldToEventLoop();
      }
    }
    if (escalations > 0)
      context.warnings.add(
        `random-feature Gram matrices needed ${escalations} jitter increase(s) by 10x from ${this.jitter} for their Cholesky factors`,
      );
    return { errors, details: { features: p, readout: this.readout } };
  }
}

/** The random-feature hypothesis space: `randomFeatureHypothesisSpace({ features: 512 })`. */
export function randomFeatureHypothesisSpace(options: RandomFeatureSpaceOptions = {}): HypothesisSpace {
  return new RandomFeatureHypothesisSpace(options);
}
