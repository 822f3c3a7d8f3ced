// Hypothesis space (a) of Boopathy et al.: functions h(x) = phi(x)^T theta with theta ~ N(0, I),
// i.e. Gaussian-process samples with kernel k, conditioned on interpolating the training set.
// At the test inputs the conditioned functions are Gaussian with
//   mean       mu = K_*X K_XX^-1 Y,
//   covariance S  = K_** - K_*X K_XX^-1 K_X*,
// computed here exactly in float64 by Cholesky (the published code fits the inverses by Adam
// and takes sqrtm of a possibly indefinite S; see the reference notes §10.5).
//
// Conditioning is checked, not assumed: a Gram matrix that is singular or whose condition number
// exceeds `maxCondition` (default 1e10, which keeps ~6 correct digits in K^-1 Y) gets a larger
// jitter (relative to its mean diagonal), with a warning naming the jitter used; past
// `maxJitter` it is an error. The jitter turns exact interpolation into GP regression with that
// noise variance, which the warning says. The posterior covariance gets its own jitter for
// its Cholesky factor (equivalent to independent noise of that variance on each test output).
// Errors: error = mean over test rows and outputs of (mu + L_S z - y)^2, z ~ N(0, I) per output.

import { ArgumentError, NumericalError } from '../errors';
import {
  cholesky,
  lowerTimes,
  smallestEigenvalue,
  solveLowerInPlace,
  solveUpperTransposedInPlace,
} from '../linalg/cholesky';
import { transposeTimes } from '../linalg/dense';
import { largestEigenvalue } from '../linalg/symmetric-eigen';
import { kernelMatrix, KERNEL_NAMES, medianDistance, type KernelName } from './kernels';
import {
  yieldToEventLoop,
  type HypothesisSample,
  type HypothesisSpace,
  type SamplingContext,
  WarningLog,
} from './hypothesis-space';
import type { TaskData } from './tasks';
import { resolveOptions, type OptionDefaults } from '../options/resolve';

export interface KernelSpaceOptions {
  /**
   * The kernel of the Gaussian process.
   * @default 'rbf'
   */
  kernel?: KernelName;
  /**
   * Length scale sigma: a number, 'sqrt-dimension' (sigma = sqrt(d), so typical kernel values do
   * not change with d) or 'median' (the median distance between training inputs).
   * @default 'sqrt-dimension'
   */
  bandwidth?: number | 'sqrt-dimension' | 'median';
  /**
   * Starting jitter added to K_XX, relative to its mean diagonal.
   * @default 1e-10
   */
  jitter?: number;
  /**
   * Largest acceptable condition number of K_XX + jitter (1e10 keeps about 6 correct digits in K^-1 Y).
   * @default 1e10
   */
  maxCondition?: number;
  /**
   * Largest relative jitter before giving up with a NumericalError.
   * @default 1e-2
   */
  maxJitter?: number;
  /**
   * Label for tables and charts.
   * @default undefined (from the kernel and bandwidth, e.g. 'rbf GP (bandwidth sqrt-dimension)')
   */
  name?: string;
}

/** The defaults of kernelHypothesisSpace (see KernelSpaceOptions). */
export const KERNEL_SPACE_DEFAULTS = {
  kernel: 'rbf',
  bandwidth: 'sqrt-dimension',
  jitter: 1e-10,
  maxCondition: 1e10,
  maxJitter: 1e-2,
  name: undefined,
} as const satisfies OptionDefaults<KernelSpaceOptions>;

export interface GaussianProcessPosterior {
  /** Posterior mean at the test inputs, testRows x outputs. */
  mean: Float64Array;
  /** Posterior covariance at the test inputs (testRows x testRows), before its own jitter. */
  covariance: Float64Array;
  /** Lower Cholesky factor of covariance + posteriorJitter * meanDiagonal * I. */
  covarianceFactor: Float64Array;
  testRows: number;
  outputs: number;
  bandwidth: number;
  /** Relative jitter finally added to K_XX. */
  jitter: number;
  /** Estimated condition number of K_XX + jitter. */
  condition: number;
  /** Relative jitter added to the posterior covariance for its factor. */
  posteriorJitter: number;
  /** Mean posterior variance over test points (trace / m). */
  meanPosteriorVariance: number;
}

function resolveBandwidth(option: KernelSpaceOptions['bandwidth'], task: TaskData): number {
  if (option === 'sqrt-dimension') return Math.sqrt(task.dimension);
  if (option === 'median') return medianDistance(task.trainX);
  if (typeof option === 'number' && option > 0 && Number.isFinite(option)) return option;
  throw new ArgumentError('bandwidth must be a positive number, "sqrt-dimension" or "median"', {
    field: 'bandwidth',
    found: String(option),
  });
}

/** Exact GP posterior at the test inputs, with checked conditioning (see the file comment). */
export function gaussianProcessPosterior(
  task: TaskData,
  options: KernelSpaceOptions = {},
  warnings = new WarningLog(false),
): GaussianProcessPosterior {
  const {
    kernel,
    jitter: startJitter,
    maxCondition,
    maxJitter,
    bandwidth: bandwidthOption,
  } = resolveOptions('kernelHypothesisSpace', KERNEL_SPACE_DEFAULTS, options);
  if (!(startJitter >= 0))
    throw new ArgumentError('jitter must be >= 0', { field: 'jitter', found: String(startJitter) });
  if (!(maxCondition > 1))
    throw new ArgumentError('maxCondition must be > 1', { field: 'maxCondition', found: String(maxCondition) });
  const bandwidth = resolveBandwidth(bandwidthOption, task);
  const n = task.trainX.rows;
  const m = task.testX.rows;
  const k = task.outputs;
  const gram = kernelMatrix(kernel, bandwidth, task.trainX, task.trainX);
  let diagonal = 0;
  for (let i = 0; i < n; i++) diagonal += gram[i * n + i] / n;
  if (!(diagonal > 0))
    throw new NumericalError('kernel Gram matrix has a non-positive mean diagonal', {
      field: 'kernel',
      found: String(diagonal),
    });

  // Factor K_XX + jitter * diagonal * I, raising the jitter until it is positive definite and
  // its condition number is acceptable.
  const largest = largestEigenvalue(gram, n);
  let jitter = startJitter;
  let factor: Float64Array | undefined;
  let condition = Infinity;
  let reason = '';
  for (;;) {
    const shift = jitter * diagonal;
    const attempt = cholesky(gram, n, shift);
    if (attempt.ok) {
      condition = (largest + shift) / smallestEigenvalue(attempt.factor, n);
      if (condition <= maxCondition) {
        factor = attempt.factor;
        break;
      }
      reason = `condition number ${condition.toExponential(2)} above ${maxCondition.toExponential(0)}`;
    } else {
      reason = `Cholesky pivot ${attempt.pivot.toExponential(2)} at row ${attempt.index}`;
    }
    // Aim straight at the target condition number, at least a factor 10 up.
    const next = Math.max(jitter * 10, 1e-12, largest / maxCondition / diagonal);
    if (next > maxJitter) {
      throw new NumericalError(
        `the ${kernel} Gram matrix of ${n} training points is numerically singular (${reason} at relative jitter ${jitter.toExponential(1)}); even jitter ${maxJitter} would not fix it: check for duplicate training inputs or raise the bandwidth`,
        { field: 'kernel', found: reason },
      );
    }
    jitter = next;
  }
  if (jitter !== startJitter) {
    warnings.add(
      `${kernel} kernel (bandwidth ${bandwidth.toPrecision(4)}): Gram matrix of ${n} training points was ${reason} at jitter ${startJitter.toExponential(1)}; used jitter ${jitter.toExponential(1)} (relative to the mean diagonal ${diagonal.toPrecision(4)}), so hypotheses fit the training targets only up to noise of variance ${(jitter * diagonal).toExponential(1)}`,
    );
  }

  // alpha-free form: V = L^-1 K_X*, W = L^-1 Y; mean = V^T W, covariance = K_** - V^T V.
  const crossKernel = kernelMatrix(kernel, bandwidth, task.trainX, task.testX); // n x m
  solveLowerInPlace(factor, n, crossKernel, m);
  const whitened = Float64Array.from(task.trainY.values); // n x k
  solveLowerInPlace(factor, n, whitened, k);
  const mean = transposeTimes(crossKernel, whitened, n, m, k);
  const prior = kernelMatrix(kernel, bandwidth, task.testX, task.testX);
  const explained = transposeTimes(crossKernel, crossKernel, n, m, m);
  const covariance = new Float64Array(m * m);
  let priorDiagonal = 0;
  let trace = 0;
  let worst = 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) covariance[i * m + j] = prior[i * m + j] - explained[i * m + j];
    const variance = covariance[i * m + i];
    priorDiagonal += prior[i * m + i] / m;
    trace += variance;
    // A posterior variance cannot be negative nor exceed the prior one; beyond rounding
    // (relative 1e-8 of the prior) that means the solve lost all accuracy.
    const excess = Math.max(-variance, variance - prior[i * m + i]) / prior[i * m + i];
    if (excess > worst) worst = excess;
  }
  if (worst > 1e-8) {
    throw new NumericalError(
      `GP posterior variances are outside [0, prior variance] by ${worst.toExponential(2)} (relative): the solve lost accuracy at condition number ${condition.toExponential(2)}; lower maxCondition`,
      { field: 'maxCondition', found: String(maxCondition) },
    );
  }

  // Factor the posterior covariance; it is often numerically rank-deficient (test points
  // determined by nearby training points), so it gets its own jitter, raised by factors of 10.
  let posteriorJitter = 1e-12;
  let covarianceFactor: Float64Array | undefined;
  for (;;) {
    const attempt = cholesky(covariance, m, posteriorJitter * priorDiagonal);
    if (attempt.ok) {
      covarianceFactor = attempt.factor;
      break;
    }
    posteriorJitter *= 10;
    if (posteriorJitter > maxJitter) {
      throw new NumericalError(
        `GP posterior covariance at ${m} test points is not positive semi-definite even with jitter ${maxJitter}`,
        { field: 'posteriorJitter', found: `pivot ${attempt.pivot.toExponential(2)} at row ${attempt.index}` },
      );
    }
  }
  const meanPosteriorVariance = trace / m;
  const added = posteriorJitter * priorDiagonal;
  if (added > 1e-3 * meanPosteriorVariance) {
    warnings.add(
      `GP posterior covariance needed jitter ${posteriorJitter.toExponential(1)} (variance ${added.toExponential(2)} per test output) for its Cholesky factor, ${((100 * added) / meanPosteriorVariance).toFixed(2)}% of the mean posterior variance ${meanPosteriorVariance.toExponential(2)}: sampled errors are inflated by about ${added.toExponential(2)}`,
    );
  }
  return {
    mean,
    covariance,
    covarianceFactor,
    testRows: m,
    outputs: k,
    bandwidth,
    jitter,
    condition,
    posteriorJitter,
    meanPosteriorVariance,
  };
}

/** Samples per block of the lower-triangular product (amortises the pass over the factor). */
const BLOCK = 64;

class KernelHypothesisSpace implements HypothesisSpace {
  readonly name: string;
  private readonly options: Required<Omit<KernelSpaceOptions, 'name'>>;

  constructor(options: KernelSpaceOptions) {
    const { name, ...resolved } = resolveOptions('kernelHypothesisSpace', KERNEL_SPACE_DEFAULTS, options);
    if (!KERNEL_NAMES.includes(resolved.kernel))
      throw new ArgumentError('unknown kernel', {
        field: 'kernel',
        expected: KERNEL_NAMES.join(', '),
        found: String(resolved.kernel),
      });
    this.options = resolved;
    this.name = name ?? `${resolved.kernel} GP (bandwidth ${resolved.bandwidth})`;
  }

  describe(): Record<string, unknown> {
    return { space: 'kernel', ...this.options };
  }

  async sample(task: TaskData, count: number, context: SamplingContext): Promise<HypothesisSample> {
    const posterior = gaussianProcessPosterior(task, this.options, context.warnings);
    const { mean, covarianceFactor, testRows: m, outputs: k } = posterior;
    // Residual of the posterior mean against the test targets.
    const residual = new Float64Array(m * k);
    let meanError = 0;
    for (let i = 0; i < m * k; i++) {
      residual[i] = mean[i] - task.testY.values[i];
      meanError += (residual[i] * residual[i]) / (m * k);
    }
    const errors = new Float64Array(count);
    const z = new Float64Array(m * BLOCK * k);
    const out = new Float64Array(m * BLOCK * k);
    for (let start = 0; start < count; start += BLOCK) {
      const size = Math.min(BLOCK, count - start);
      const cols = size * k;
      // Column (s, c) of Z holds hypothesis start+s, output c; draws come from fold(start+s).
      for (let s = 0; s < size; s++) {
        const draws = context.rng.fold(start + s).normal(m * k);
        for (let i = 0; i < m; i++) for (let c = 0; c < k; c++) z[i * cols + s * k + c] = draws[i * k + c];
      }
      lowerTimes(covarianceFactor, m, z.subarray(0, m * cols), cols, out.subarray(0, m * cols));
      for (let s = 0; s < size; s++) {
        let sum = 0;
        for (let i = 0; i < m; i++) {
          for (let c = 0; c < k; c++) {
            const value = residual[i * k + c] + out[i * cols + s * k + c];
            sum += value * value;
          }
        }
        errors[start + s] = sum / (m * k);
      }
      context.progress?.tick(size);
      await yieldToEventLoop();
    }
    return {
      errors,
      details: {
        kernel: this.options.kernel,
        bandwidth: posterior.bandwidth,
        jitter: posterior.jitter,
        condition: posterior.condition,
        posteriorJitter: posterior.posteriorJitter,
        meanPosteriorVariance: posterior.meanPosteriorVariance,
        posteriorMeanError: meanError,
      },
    };
  }
}

/**
 * The kernel (Gaussian-process) hypothesis space: GP sample functions interpolating the
 * training set. `kernelHypothesisSpace({ kernel: 'rbf', bandwidth: 'sqrt-dimension' })`.
 */
export function kernelHypothesisSpace(options: KernelSpaceOptions = {}): HypothesisSpace {
  return new KernelHypothesisSpace(options);
}
