// The empirical spectral density of a layer: squared singular values of each of its matrices,
// in float64, as eigenvalues of the Gram matrix on the short side (the smaller of WᵀW and WWᵀ),
// pooled over Conv2d slices. Which engine runs it: onnxruntime-node forms large Gram matrices
// (multi-threaded float64 GEMM) and the wasm kernel finds eigenvalues (optionally on two threads),
// with the plain-JS solver as fallback (WEIGHTLAB_ENGINE=js, or no built kernel).
//
// Accuracy versus WeightWatcher's SVD of W: the Gram route squares the condition number, so an
// eigenvalue carries an absolute error of about n·eps·λmax. Top eigenvalues agree to ~1e-14
// relative; eigenvalues below ~1e-12·λmax are noise (clamped at 0 when negative). matrix_rank,
// rank_loss and entropy therefore differ from WeightWatcher's on rank-deficient layers only.

import { ArgumentError } from '../errors';
import { onnxAvailable } from '../backend/onnx/runtime';
import { gramOnnx, gramUpper, shortSide } from './gram';
import { symmetricEigenvaluesJs } from './eigen-js';
import { eigenKernelAvailable, gramEigenvaluesWasm, gramUpperWasm, symmetricEigenvaluesWasm } from './eigen-wasm';
import { parallelEigenvalues, parallelAvailable, parallelWorthwhile } from './eigen-parallel';
import { PARALLEL_MIN_ORDER } from './reduction';
import { jacobiSquaredSingularValues } from './jacobi-svd';
import type { LayerMatrices, LayerMatrix } from './matrices';

/**
 * How squared singular values are found: 'gram' = eigenvalues of the Gram matrix (fast);
 * 'jacobi' = one-sided Jacobi SVD of W (slow, resolves tiny singular values); 'auto' (default) =
 * Gram, redone with Jacobi when the spectrum reaches the Gram noise floor (λmin < 1e-9·λmax) and
 * the layer is small enough (m²k <= 2^26 multiply-adds per sweep).
 */
export type SvdMethod = 'auto' | 'gram' | 'jacobi';

/** Below this λmin/λmax the Gram route cannot tell tiny singular values from rounding noise. */
const GRAM_NOISE_FLOOR = 1e-9;
/** Largest m²k for which 'auto' redoes a rank-deficient layer with Jacobi (a few sweeps stay well under a second). */
const JACOBI_WORK = 2 ** 26;

/** Who computes eigenvalues: 'auto' = fastest available, 'wasm' = one-thread kernel, 'parallel' = two threads, 'js' = plain JS. */
export type EigenEngine = 'auto' | 'wasm' | 'parallel' | 'js';

/** WeightWatcher's WEAK_RANK_LOSS_TOLERANCE: eigenvalues below it count as weak rank loss (absolute). */
export const WEAK_RANK_TOLERANCE = 1e-6;

/** Gram matrices with at least this many multiply-adds go to onnxruntime (below it, session overhead dominates). */
const ONNX_GRAM_WORK = 2 ** 24;
/**
 * 'auto' engine rule: two threads (reduction chosen by ./reduction) from PARALLEL_MIN_ORDER on,
 * when other processes leave half a core spare (parallelWorthwhile). On a busy 2-core machine
 * the second thread only adds synchronisation: measured at load 3-5, two threads took 152 ms of
 * CPU and as much wall time at n = 1024 against 128 ms on one thread.
 */
function parallelFor(n: number): boolean {
  return n >= PARALLEL_MIN_ORDER && parallelWorthwhile();
}

export interface Spectrum {
  /** Pooled eigenvalues, ascending. */
  evals: Float64Array;
  /** Largest singular value over slices. */
  svMax: number;
  /** WeightWatcher's sv_min: the largest of the per-slice smallest singular values (sic). */
  svMin: number;
  /** Σ over slices of (#singular values − numerical rank with N·eps tolerance). */
  rankLoss: number;
  /** #eigenvalues below 1e-6. */
  weakRankLoss: number;
  lambdaMax: number;
}

/** Eigenvalues (ascending) of the symmetric matrix `a` (n x n row-major; the upper triangle is read, `a` is not modified). */
export async function symmetricEigenvalues(a: Float64Array, n: number, engine: EigenEngine = 'auto'): Promise<Float64Array> {
  if (a.length < n * n) throw new ArgumentError('matrix storage too small', { field: 'a', expected: `${n * n} values`, found: String(a.length) });
  const resolved = resolveEngine(engine, n);
  if (resolved === 'parallel') return parallelEigenvalues(a, n);
  if (resolved === 'wasm') return symmetricEigenvaluesWasm(a, n);
  return symmetricEigenvaluesJs(a.slice(0, n * n), n);
}

function resolveEngine(engine: EigenEngine, n: number): 'parallel' | 'wasm' | 'js' {
  if (engine === 'js' || !eigenKernelAvailable()) return 'js';
  if (engine === 'parallel') return parallelAvailable() ? 'parallel' : 'wasm';
  if (engine === 'auto' && parallelFor(n)) return 'parallel';
  return 'wasm';
}

/** Squared singular values (ascending) of one matrix, in float64, negatives from rounding clamped to 0. */
export async function squaredSingularValues(matrix: LayerMatrix, engine: EigenEngine = 'auto', method: SvdMethod = 'auto'): Promise<Float64Array> {
  const { rows, cols, values } = matrix;
  const m = Math.min(rows, cols);
  if (m === 0) return new Float64Array(0);
  const k = Math.max(rows, cols);
  if (method === 'jacobi') return jacobiSquaredSingularValues(shortSide(values, rows, cols).x, m, k);
  const evals = await gramEigenvalues(matrix, engine);
  if (method === 'auto' && m * m * k <= JACOBI_WORK && !(evals[0] >= GRAM_NOISE_FLOOR * evals[evals.length - 1])) {
    return jacobiSquaredSingularValues(shortSide(values, rows, cols).x, m, k);
  }
  return evals;
}

async function gramEigenvalues(matrix: LayerMatrix, engine: EigenEngine): Promise<Float64Array> {
  const { rows, cols, values } = matrix;
  const m = Math.min(rows, cols);
  const k = Math.max(rows, cols);
  const resolved = resolveEngine(engine, m);
  let evals: Float64Array;
  if (resolved !== 'js' && onnxAvailable() && m * m * k >= ONNX_GRAM_WORK) {
    const full = await gramOnnx(values, rows, cols);
    evals = resolved === 'parallel' ? await parallelEigenvalues(full, m) : symmetricEigenvaluesWasm(full, m);
  } else if (resolved !== 'js') {
    const { x } = shortSide(values, rows, cols);
    evals = resolved === 'parallel'
      ? await parallelEigenvalues(gramUpperWasm(x, m, k), m)
      : gramEigenvaluesWasm(x, m, k);
  } else {
    const { x } = shortSide(values, rows, cols);
    evals = symmetricEigenvaluesJs(gramUpper(x, m, k), m);
  }
  for (let i = 0; i < evals.length; i++) if (evals[i] < 0) evals[i] = 0;
  return evals;
}

/** The pooled ESD of a layer and WeightWatcher's apply_esd columns. */
export async function layerSpectrum(layer: LayerMatrices, engine: EigenEngine = 'auto', method: SvdMethod = 'auto'): Promise<Spectrum> {
  const pooled: Float64Array[] = [];
  let svMax = 0, svMin = 0, rankLoss = 0;
  for (const matrix of layer.matrices) {
    let evals = await squaredSingularValues(matrix, engine, method);
    if (evals.length > layer.numComponents) evals = evals.slice(evals.length - layer.numComponents);
    pooled.push(evals);
    if (evals.length === 0) continue;
    const top = Math.sqrt(evals[evals.length - 1]);
    svMax = Math.max(svMax, top);
    svMin = Math.max(svMin, Math.sqrt(evals[0]));
    const tolerance = top * layer.N * Number.EPSILON;
    let rank = 0;
    for (const value of evals) if (Math.sqrt(value) > tolerance) rank++;
    rankLoss += evals.length - rank;
  }
  const total = pooled.reduce((sum, part) => sum + part.length, 0);
  const evals = new Float64Array(total);
  let at = 0;
  for (const part of pooled) { evals.set(part, at); at += part.length; }
  evals.sort();
  let weakRankLoss = 0;
  for (const value of evals) if (value < WEAK_RANK_TOLERANCE) weakRankLoss++;
  return { evals, svMax, svMin, rankLoss, weakRankLoss, lambdaMax: evals.length ? evals[evals.length - 1] : NaN };
}
