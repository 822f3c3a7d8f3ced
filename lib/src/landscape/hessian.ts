// Curvature of a loss from Hessian-vector products only (PyHessian's algorithms, with its
// defaults): the magnitude-largest eigenvalues by deflated power iteration, the trace by
// Hutchinson's estimator with Rademacher probes, and the spectral density by stochastic
// Lanczos quadrature. Every reduction is float64; every random draw comes from an explicit seed.

import { ArgumentError, NumericalError } from '../errors';
import { rng } from '../random/rng';
import { dot } from '../linalg/dense';
import { tridiagonalEigen } from '../linalg/tridiagonal';
import { resolveOptions, type OptionDefaults } from '../options/resolve';

/** A symmetric linear operator given by its products: the Hessian of a loss at a point. */
export interface HessianOperator {
  /** Number of parameters. */
  readonly dimension: number;
  /** H v (a new array or one the caller may keep until the next call). */
  apply(vector: Float64Array): Float64Array;
}

function normalize(v: Float64Array): number {
  const norm = Math.sqrt(dot(v, v));
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] /= norm;
  return norm;
}

/** v -= sum_k <v, q_k> q_k (Gram-Schmidt against orthonormal q_k). */
function orthogonalize(v: Float64Array, basis: Float64Array[]): void {
  for (const q of basis) {
    const c = dot(v, q);
    for (let i = 0; i < v.length; i++) v[i] -= c * q[i];
  }
}

export interface PowerIterationOptions {
  /**
   * Number of eigenvalues, magnitude-largest first.
   * @default 1
   */
  count?: number;
  /**
   * Most Hessian-vector products per eigenvalue (PyHessian's maxIter).
   * @default 100
   */
  maxIter?: number;
  /**
   * Stop when |lambda - lambda_prev| / (|lambda_prev| + 1e-6) < tol (PyHessian's tol).
   * @default 1e-3
   */
  tol?: number;
  /**
   * Seed of the starting vectors.
   * @default 0
   */
  seed?: number;
}

/** The defaults of topEigenvalues: PyHessian's (see PowerIterationOptions). */
export const POWER_ITERATION_DEFAULTS = {
  count: 1,
  maxIter: 100,
  tol: 1e-3,
  seed: 0,
} as const satisfies OptionDefaults<PowerIterationOptions>;

export interface EigenEstimate {
  /** Eigenvalues, magnitude-largest first (they may be negative away from a minimum). */
  values: number[];
  vectors: Float64Array[];
  /** Hessian-vector products used per eigenvalue. */
  iterations: number[];
  converged: boolean[];
}

/**
 * Top eigenvalues by power iteration with deflation (PyHessian `eigenvalues`): each new
 * vector is kept orthogonal to those found, so the k-th estimate is the magnitude-largest
 * eigenvalue on their complement. Returns the last Rayleigh quotient of each run.
 */
export function topEigenvalues(op: HessianOperator, options: PowerIterationOptions = {}): EigenEstimate {
  const { count, maxIter, tol, seed } = resolveOptions('topEigenvalues', POWER_ITERATION_DEFAULTS, options);
  if (!(Number.isInteger(count) && count >= 1 && count <= op.dimension))
    throw new ArgumentError('count must be an integer in 1..dimension', {
      field: 'count',
      expected: `1..${op.dimension}`,
      found: String(count),
    });
  const random = rng(seed).fold('power-iteration');
  const result: EigenEstimate = { values: [], vectors: [], iterations: [], converged: [] };
  for (let k = 0; k < count; k++) {
    const v = random.fold(k).normal(op.dimension);
    orthogonalize(v, result.vectors);
    normalize(v);
    let estimate: number | undefined;
    let converged = false;
    let used = 0;
    for (let it = 0; it < maxIter; it++) {
      orthogonalize(v, result.vectors);
      normalize(v);
      const hv = Float64Array.from(op.apply(v));
      used++;
      const value = dot(hv, v);
      if (!Number.isFinite(value))
        throw new NumericalError('Hessian-vector product is not finite', {
          field: 'power iteration',
          found: String(value),
        });
      const norm = normalize(hv);
      v.set(hv);
      const previous = estimate;
      estimate = value;
      if (norm === 0) {
        converged = true;
        break;
      } // v in the null space: eigenvalue 0
      if (previous !== undefined && Math.abs(value - previous) / (Math.abs(previous) + 1e-6) < tol) {
        converged = true;
        break;
      }
    }
    result.values.push(estimate ?? 0);
    result.vectors.push(v);
    result.iterations.push(used);
    result.converged.push(converged);
  }
  return result;
}

export interface TraceOptions {
  /**
   * Most Rademacher probes (PyHessian's maxIter).
   * @default 100
   */
  maxIter?: number;
  /**
   * Stop when |mean - mean_prev| / (|mean_prev| + 1e-6) < tol (PyHessian's tol).
   * @default 1e-3
   */
  tol?: number;
  /**
   * Seed of the probes.
   * @default 0
   */
  seed?: number;
}

/** The defaults of hutchinsonTrace: PyHessian's (see TraceOptions). */
export const TRACE_DEFAULTS = { maxIter: 100, tol: 1e-3, seed: 0 } as const satisfies OptionDefaults<TraceOptions>;

export interface TraceEstimate {
  /** Mean of the probes: the estimate of tr H. */
  trace: number;
  /** v^T H v for each Rademacher probe v. */
  samples: number[];
  /** Standard error of the mean over the probes. */
  standardError: number;
  converged: boolean;
}

/**
 * Hutchinson's trace estimator with Rademacher probes: E[v^T H v] = tr H. Convergence is
 * tested on the absolute value of the running mean (upstream PyHessian and nncf PR #2159; the
 * copy vendored in PTMZ omits the abs and never stops early on negative traces).
 */
export function hutchinsonTrace(op: HessianOperator, options: TraceOptions = {}): TraceEstimate {
  const { maxIter, tol, seed } = resolveOptions('hutchinsonTrace', TRACE_DEFAULTS, options);
  const random = rng(seed).fold('hutchinson');
  const samples: number[] = [];
  let mean = 0;
  let converged = false;
  for (let it = 0; it < maxIter; it++) {
    const v = random.fold(it).rademacher(op.dimension);
    samples.push(dot(op.apply(v), v));
    const next = samples.reduce((a, b) => a + b, 0) / samples.length;
    if (it > 0 && Math.abs(next - mean) / (Math.abs(mean) + 1e-6) < tol) {
      mean = next;
      converged = true;
      break;
    }
    mean = next;
  }
  const n = samples.length;
  const variance = n > 1 ? samples.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1) : 0;
  return { trace: mean, samples, standardError: Math.sqrt(variance / n), converged };
}

export interface DensityOptions {
  /**
   * Lanczos steps per probe (PyHessian's iter; capped at the dimension).
   * @default 100
   */
  iterations?: number;
  /**
   * Number of probe vectors n_v.
   * @default 1
   */
  probes?: number;
  /**
   * Seed of the probes.
   * @default 0
   */
  seed?: number;
}

/** The defaults of lanczosDensity: PyHessian's (see DensityOptions). */
export const DENSITY_DEFAULTS = {
  iterations: 100,
  probes: 1,
  seed: 0,
} as const satisfies OptionDefaults<DensityOptions>;

export interface SpectralDensity {
  /** Per probe: Ritz values (quadrature nodes), ascending. */
  nodes: number[][];
  /** Per probe: quadrature weights (squared first components of T's eigenvectors), summing to 1. */
  weights: number[][];
}

/**
 * Stochastic Lanczos quadrature (PyHessian `density`): Lanczos with full
 * reorthogonalisation from a normalised Rademacher vector; the eigenpairs of the tridiagonal
 * matrix give nodes and weights of a quadrature for the spectral density. When beta vanishes
 * (an invariant subspace was found) the recursion stops early; its nodes are then exact.
 */
export function lanczosDensity(op: HessianOperator, options: DensityOptions = {}): SpectralDensity {
  const { iterations, probes, seed } = resolveOptions('lanczosDensity', DENSITY_DEFAULTS, options);
  for (const [value, field] of [
    [iterations, 'iterations'],
    [probes, 'probes'],
  ] as const) {
    if (!Number.isInteger(value) || value < 1)
      throw new ArgumentError('must be a positive integer', { field, found: String(value) });
  }
  const steps = Math.min(iterations, op.dimension);
  const random = rng(seed).fold('lanczos');
  const density: SpectralDensity = { nodes: [], weights: [] };
  for (let p = 0; p < probes; p++) {
    const q = random.fold(p).rademacher(op.dimension);
    normalize(q);
    const basis: Float64Array[] = [q];
    const alpha: number[] = [];
    const beta: number[] = [];
    for (let j = 0; j < steps; j++) {
      const w = Float64Array.from(op.apply(basis[j]));
      const a = dot(w, basis[j]);
      alpha.push(a);
      if (j + 1 === steps) break;
      // Full reorthogonalisation (twice is enough, Kahan-Parlett) keeps the Ritz values free of ghosts.
      orthogonalize(w, basis);
      orthogonalize(w, basis);
      const b = Math.sqrt(dot(w, w));
      if (b < 1e-10 * Math.max(1, Math.abs(a))) break;
      beta.push(b);
      for (let i = 0; i < w.length; i++) w[i] /= b;
      basis.push(w);
    }
    const { values, firstComponents } = tridiagonalEigen(Float64Array.from(alpha), Float64Array.from(beta));
    density.nodes.push(Array.from(values));
    density.weights.push(Array.from(firstComponents, (c) => c * c));
  }
  return density;
}

/**
 * The smoothed density on a grid (PyHessian's density_generate): Gaussian kernels of variance
 * sigma2 = 1e-5 * max(1, range) at the nodes, 10,000 bins over [min - 0.01, max + 0.01],
 * averaged over probes and normalised to unit area.
 */
export function densityCurve(
  density: SpectralDensity,
  options: { bins?: number; sigmaSquared?: number } = {},
): { grid: Float64Array; density: Float64Array } {
  const all = density.nodes.flat();
  const lo = Math.min(...all) - 0.01;
  const hi = Math.max(...all) + 0.01;
  const bins = options.bins ?? 10000;
  const sigma2 = options.sigmaSquared ?? 1e-5 * Math.max(1, hi - lo);
  const grid = new Float64Array(bins);
  const values = new Float64Array(bins);
  for (let b = 0; b < bins; b++) grid[b] = lo + ((hi - lo) * b) / (bins - 1);
  density.nodes.forEach((nodes, p) => {
    nodes.forEach((node, i) => {
      const weight = density.weights[p][i] / density.nodes.length;
      for (let b = 0; b < bins; b++)
        values[b] += (weight * Math.exp(-((grid[b] - node) ** 2) / (2 * sigma2))) / Math.sqrt(2 * Math.PI * sigma2);
    });
  });
  let area = 0;
  for (let b = 0; b < bins; b++) area += values[b];
  area *= (hi - lo) / (bins - 1);
  if (area > 0) for (let b = 0; b < bins; b++) values[b] /= area;
  return { grid, density: values };
}
