// The empirical spectral density of a layer: squared singular values of each of its matrices,
// in float64, as eigenvalues of the Gram matrix on the short side (the smaller of WᵀW and WWᵀ),
// pooled over Conv2d slices. Which engine runs it: onnxruntime-node forms large Gram matrices
// (multi-threaded float64 GEMM) and the wasm kernel finds eigenvalues (optionally on two threads),
// with the plain-JS solver as fallback (WEIGHTLAB_ENGINE=js, or no built kernel). Two layers of
// similar size can be solved side by side, one per thread (layerSpectra, used by analyze()).
//
// Accuracy versus WeightWatcher's SVD of W: the Gram route squares the condition number, so an
// eigenvalue carries an absolute error of about n·eps·λmax. Top eigenvalues agree to ~1e-14
// relative; eigenvalues below ~1e-12·λmax are noise (clamped at 0 when negative). matrix_rank,
// rank_loss and entropy therefore differ from WeightWatcher's on rank-deficient layers only.

import { ArgumentError } from '../errors';
import { onnxAvailable } from '../backend/onnx/runtime';
import { gramUpper, gramUpperOnnxWriter, shortSide } from './gram';
import { symmetricEigenvaluesJs } from './eigen-js';
import { eigenKernelAvailable, gramEigenvaluesWasm, gramUpperWasm, symmetricEigenvaluesWasm, type SymmetricMatrix } from './eigen-wasm';
import { eigenvaluesSideBySide, parallelEigenvalues, parallelAvailable, parallelWorthwhile } from './eigen-parallel';
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
/** Whether the Gram matrix of an m x k short side goes to onnxruntime. */
function gramOnOnnx(m: number, k: number): boolean {
  return onnxAvailable() && m * m * k >= ONNX_GRAM_WORK;
}

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
  // `matrix.values` is read only where float64 values are needed (it may be converted on first use: LayerMatrix.float32).
  const { rows, cols } = matrix;
  const m = Math.min(rows, cols);
  if (m === 0) return new Float64Array(0);
  if (method === 'jacobi') return jacobiSquaredSingularValues(shortSide(matrix.values, rows, cols).x, m, Math.max(rows, cols));
  return withJacobiFallback(matrix, await gramEigenvalues(matrix, engine), method);
}

/** Gram eigenvalues `evals` (clamped at 0), or Jacobi's when 'auto' sees them reach the Gram noise floor on a small enough layer. */
function withJacobiFallback(matrix: LayerMatrix, evals: Float64Array, method: SvdMethod): Float64Array {
  const { rows, cols } = matrix;
  const m = Math.min(rows, cols), k = Math.max(rows, cols);
  for (let i = 0; i < evals.length; i++) if (evals[i] < 0) evals[i] = 0;
  if (method === 'auto' && m * m * k <= JACOBI_WORK && !(evals[0] >= GRAM_NOISE_FLOOR * evals[evals.length - 1])) {
    return jacobiSquaredSingularValues(shortSide(matrix.values, rows, cols).x, m, k);
  }
  return evals;
}

async function gramEigenvalues(matrix: LayerMatrix, engine: EigenEngine): Promise<Float64Array> {
  const { rows, cols } = matrix;
  const m = Math.min(rows, cols);
  const k = Math.max(rows, cols);
  const resolved = resolveEngine(engine, m);
  if (resolved === 'js') return symmetricEigenvaluesJs(gramUpper(shortSide(matrix.values, rows, cols).x, m, k), m);
  if (resolved === 'parallel') return parallelEigenvalues(await gramForWasm(matrix), m);
  if (gramOnOnnx(m, k)) return symmetricEigenvaluesWasm(await gramUpperOnnxWriter(matrix.float32 ?? matrix.values, rows, cols), m);
  // Gram and eigenvalues in one kernel call, without copying the Gram matrix out and back.
  return gramEigenvaluesWasm(shortSide(matrix.values, rows, cols).x, m, k);
}

/** The Gram matrix on the short side (upper triangle valid) as the wasm solvers take it: onnxruntime's blocks (a writer) for large ones, the wasm kernel's array otherwise. */
async function gramForWasm(matrix: LayerMatrix): Promise<SymmetricMatrix> {
  const { rows, cols } = matrix;
  const m = Math.min(rows, cols), k = Math.max(rows, cols);
  if (gramOnOnnx(m, k)) return gramUpperOnnxWriter(matrix.float32 ?? matrix.values, rows, cols);
  return gramUpperWasm(shortSide(matrix.values, rows, cols).x, m, k);
}

/** The pooled ESD of a layer and WeightWatcher's apply_esd columns. */
export async function layerSpectrum(layer: LayerMatrices, engine: EigenEngine = 'auto', method: SvdMethod = 'auto'): Promise<Spectrum> {
  const perMatrix: Float64Array[] = [];
  for (const matrix of layer.matrices) perMatrix.push(await squaredSingularValues(matrix, engine, method));
  return pooledSpectrum(layer, perMatrix);
}

/** Smallest Gram order solved side by side with another layer (below it a solve takes well under a millisecond). */
const SIDE_BY_SIDE_MIN_ORDER = 128;
/** Largest-to-smallest order ratio of two layers solved side by side (cost grows as n³: 1.25³ ≈ 2, one thread then idles half the time). */
const SIDE_BY_SIDE_MAX_RATIO = 1.25;

/**
 * layerSpectrum of each layer, the same eigenvalues bit for bit, but two single-matrix layers of
 * similar size (orders within 1.25x, from 128) are solved side by side, one per thread, when
 * `engine` is 'auto', a core is spare and the method is not 'jacobi' (see eigenvaluesSideBySide).
 * Measured on the GPT-2 block of bench/htsr.js: the four 768 x 768 solves took 146 ms one after
 * the other on two threads, and 90-100 ms in two pairs.
 */
export async function layerSpectra(layers: LayerMatrices[], engine: EigenEngine = 'auto', method: SvdMethod = 'auto'): Promise<Spectrum[]> {
  if (layers.length === 2 && sideBySide(layers[0], layers[1], engine, method)) {
    const [first, second] = [layers[0].matrices[0], layers[1].matrices[0]];
    const order = (matrix: LayerMatrix) => Math.min(matrix.rows, matrix.cols);
    const grams = [await gramForWasm(first), await gramForWasm(second)];
    const [evalsFirst, evalsSecond] = await eigenvaluesSideBySide({ a: grams[0], n: order(first) }, { a: grams[1], n: order(second) });
    return [
      pooledSpectrum(layers[0], [withJacobiFallback(first, evalsFirst, method)]),
      pooledSpectrum(layers[1], [withJacobiFallback(second, evalsSecond, method)]),
    ];
  }
  const out: Spectrum[] = [];
  for (const layer of layers) out.push(await layerSpectrum(layer, engine, method));
  return out;
}

function sideBySide(a: LayerMatrices, b: LayerMatrices, engine: EigenEngine, method: SvdMethod): boolean {
  if (engine !== 'auto' || method === 'jacobi' || a.matrices.length !== 1 || b.matrices.length !== 1) return false;
  const orders = [a, b].map((layer) => Math.min(layer.matrices[0].rows, layer.matrices[0].cols));
  const [small, large] = orders[0] <= orders[1] ? orders : [orders[1], orders[0]];
  if (small < SIDE_BY_SIDE_MIN_ORDER || large > SIDE_BY_SIDE_MAX_RATIO * small) return false;
  return eigenKernelAvailable() && parallelAvailable() && parallelWorthwhile();
}

/** Pools per-matrix squared singular values (ascending each) into a layer's ESD with WeightWatcher's apply_esd columns. */
function pooledSpectrum(layer: LayerMatrices, perMatrix: Float64Array[]): Spectrum {
  const pooled: Float64Array[] = [];
  let svMax = 0, svMin = 0, rankLoss = 0;
  for (let evals of perMatrix) {
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
