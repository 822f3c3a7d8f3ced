// The regressors that map a checkpoint's features to a property: the mean predictor (the
// baseline every R² is measured against), ridge regression in closed form (Unterthiner et al.
// 2020's linear baseline; primal or dual, whichever system is smaller, so flattened weights with
// more columns than models cost an n x n solve) and a small MLP trained on the squared error with
// the MLP kernels of lib/src/train. Features arrive standardised (predict.ts); each predictor
// picks its one setting (ridge penalty, MLP stopping epoch) on the validation rows.

import { NumericalError } from '../errors';
import { cholesky, dot, gram, denseMatrix, solveLowerInPlace, solveUpperTransposedInPlace } from '../linalg';
import { accumulate, backProject, slope } from '../train/kernels';
import { forward, initialParameters, MlpWorkspace, mlp } from '../train/mlp';
import { createOptimizer } from '../train/optimizer';

/** Rows x columns, row-major. */
export interface FeatureMatrix {
  values: Float64Array;
  rows: number;
  columns: number;
}

/** A fitted regressor. */
export interface FittedPredictor {
  /** Predictions for every row of `x` (same columns as the training matrix). */
  predict(x: FeatureMatrix): Float64Array;
  /** The setting chosen on the validation rows, in words (`alpha = 10`, `epochs = 120`). */
  readonly setting: string;
}

/** The mean of the training targets, whatever the features. */
export function fitMean(y: ArrayLike<number>): FittedPredictor {
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += y[i];
  const mean = sum / y.length;
  return { predict: (x) => new Float64Array(x.rows).fill(mean), setting: `mean = ${mean.toPrecision(4)}` };
}

/** A linear model: prediction = intercept + x · coefficients. */
export interface RidgeFit extends FittedPredictor {
  coefficients: Float64Array;
  intercept: number;
  alpha: number;
}

/**
 * Ridge regression with an unpenalised intercept: minimises |y - b - X w|² + alpha |w|², solved
 * on centred X and y (sklearn's Ridge(fit_intercept=True)). With at most as many columns as rows,
 * the p x p normal equations (XᵀX + alpha I) w = Xᵀy; with more columns, the n x n dual
 * (XXᵀ + alpha I) c = y, w = Xᵀc, the same w. Cholesky solves; alpha must be positive.
 */
export function fitRidge(x: FeatureMatrix, y: ArrayLike<number>, alpha: number): RidgeFit {
  const { rows: n, columns: p } = x;
  const columnMeans = new Float64Array(p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) columnMeans[j] += x.values[i * p + j];
  for (let j = 0; j < p; j++) columnMeans[j] /= n;
  let targetMean = 0;
  for (let i = 0; i < n; i++) targetMean += y[i];
  targetMean /= n;
  const centred = new Float64Array(n * p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) centred[i * p + j] = x.values[i * p + j] - columnMeans[j];
  const target = Float64Array.from({ length: n }, (_, i) => y[i] - targetMean);
  let coefficients: Float64Array;
  if (p <= n) {
    const normal = gram(denseMatrix(n, p, centred));
    const right = new Float64Array(p);
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) right[j] += centred[i * p + j] * target[i];
    coefficients = choleskySolve(normal, p, alpha, right);
  } else {
    const kernel = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let k = 0; k <= i; k++) {
        const value = dot(centred.subarray(i * p, (i + 1) * p), centred.subarray(k * p, (k + 1) * p));
        kernel[i * n + k] = value;
        kernel[k * n + i] = value;
      }
    const dual = choleskySolve(kernel, n, alpha, target);
    coefficients = new Float64Array(p);
    for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) coefficients[j] += centred[i * p + j] * dual[i];
  }
  const intercept = targetMean - dot(columnMeans, coefficients);
  return {
    coefficients,
    intercept,
    alpha,
    setting: `alpha = ${alpha}`,
    predict(z) {
      const out = new Float64Array(z.rows);
      for (let i = 0; i < z.rows; i++)
        out[i] = intercept + dot(z.values.subarray(i * z.columns, (i + 1) * z.columns), coefficients);
      return out;
    },
  };
}

/** Solves (a + shift I) v = right for symmetric positive semi-definite a and shift > 0. */
function choleskySolve(a: Float64Array, n: number, shift: number, right: Float64Array): Float64Array {
  const factorisation = cholesky(a, n, shift);
  if (!factorisation.ok)
    throw new NumericalError('the ridge system is not positive definite (is alpha > 0?)', {
      field: 'alpha',
      expected: 'a positive pivot',
      found: `pivot ${factorisation.pivot} at row ${factorisation.index}`,
    });
  const solution = Float64Array.from(right);
  solveLowerInPlace(factorisation.factor, n, solution, 1);
  solveUpperTransposedInPlace(factorisation.factor, n, solution, 1);
  return solution;
}

/** Mean squared error of predictions against targets. */
function meanSquaredError(truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < truth.length; i++) sum += (truth[i] - predicted[i]) ** 2;
  return sum / truth.length;
}

/**
 * Ridge at every penalty of `alphas`, keeping the one with the smallest validation squared error
 * (ties: the larger penalty). Without validation rows, the middle of the grid.
 */
export function fitRidgeChosen(
  train: FeatureMatrix,
  trainTarget: ArrayLike<number>,
  validation: FeatureMatrix,
  validationTarget: ArrayLike<number>,
  alphas: readonly number[],
): RidgeFit {
  if (validation.rows === 0) return fitRidge(train, trainTarget, alphas[Math.floor(alphas.length / 2)]);
  let best: { fit: RidgeFit; error: number } | undefined;
  for (const alpha of [...alphas].sort((a, b) => b - a)) {
    const fit = fitRidge(train, trainTarget, alpha);
    const error = meanSquaredError(validationTarget, fit.predict(validation));
    if (!best || error < best.error) best = { fit, error };
  }
  return best!.fit;
}

/** Settings of the MLP regressor. */
export interface MlpRegressorSettings {
  /** Hidden widths. */
  hidden: number[];
  /** Full-batch Adam steps at most. */
  epochs: number;
  learningRate: number;
  /** L2 penalty on the parameters, added to the gradient. */
  weightDecay: number;
  seed: number;
}

/**
 * A ReLU MLP with one output trained by full-batch Adam on half the mean squared error of the
 * standardised target; the parameters of the epoch with the smallest validation error are kept
 * (early stopping), or the last ones without validation rows.
 */
export function fitMlpRegressor(
  train: FeatureMatrix,
  trainTarget: ArrayLike<number>,
  validation: FeatureMatrix,
  validationTarget: ArrayLike<number>,
  settings: MlpRegressorSettings,
): FittedPredictor {
  const n = train.rows;
  let targetMean = 0;
  for (let i = 0; i < n; i++) targetMean += trainTarget[i];
  targetMean /= n;
  let targetScale = 0;
  for (let i = 0; i < n; i++) targetScale += (trainTarget[i] - targetMean) ** 2;
  targetScale = Math.sqrt(targetScale / n) || 1;
  const scaled = Float64Array.from({ length: n }, (_, i) => (trainTarget[i] - targetMean) / targetScale);
  const architecture = mlp(train.columns, settings.hidden, 1, 'relu');
  const parameters = initialParameters(architecture, settings.seed);
  const workspace = new MlpWorkspace(architecture, Math.max(n, validation.rows, 1));
  const gradient = new Float64Array(parameters.length);
  const optimizer = createOptimizer('adam', parameters.length, 0.9);
  const slots = workspace.slots;
  const last = slots.length;
  const predictScaled = (x: FeatureMatrix, p: Float64Array): Float64Array => {
    const out = new Float64Array(x.rows);
    for (let start = 0; start < x.rows; start += workspace.capacity) {
      const count = Math.min(workspace.capacity, x.rows - start);
      const values = x.values.subarray(start * x.columns, (start + count) * x.columns);
      out.set(forward(workspace, p, values, count), start);
    }
    return out;
  };
  let best = { parameters: Float64Array.from(parameters), error: Infinity, epoch: 0 };
  for (let epoch = 1; epoch <= settings.epochs; epoch++) {
    const output = forward(workspace, parameters, train.values, n);
    // d(½ mean (out - y)²)/d out, then backpropagation through the hidden layers.
    const outputGradient = workspace.g[last];
    for (let i = 0; i < n; i++) outputGradient[i] = (output[i] - scaled[i]) / n;
    gradient.fill(0);
    for (let l = last - 1; l >= 0; l--) {
      accumulate(workspace.g[l + 1], n, l === 0 ? train.values : workspace.a[l], slots[l], gradient);
      if (l > 0) {
        backProject(workspace.g[l + 1], n, parameters, slots[l], workspace.back);
        const size = n * slots[l].inputs;
        for (let i = 0; i < size; i++)
          workspace.g[l][i] = workspace.back[i] * slope('relu', workspace.z[l][i], workspace.a[l][i]);
      }
    }
    for (let k = 0; k < parameters.length; k++) gradient[k] += settings.weightDecay * parameters[k];
    optimizer.step(parameters, gradient, settings.learningRate);
    if (validation.rows > 0) {
      const predicted = predictScaled(validation, parameters);
      let error = 0;
      for (let i = 0; i < validation.rows; i++)
        error += ((validationTarget[i] - targetMean) / targetScale - predicted[i]) ** 2;
      if (error < best.error) best = { parameters: Float64Array.from(parameters), error, epoch };
    }
  }
  const kept = validation.rows > 0 ? best.parameters : parameters;
  const keptEpoch = validation.rows > 0 ? best.epoch : settings.epochs;
  return {
    setting: `epochs = ${keptEpoch}`,
    predict(x) {
      const out = predictScaled(x, kept);
      for (let i = 0; i < out.length; i++) out[i] = targetMean + targetScale * out[i];
      return out;
    },
  };
}
