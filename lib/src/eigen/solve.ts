// Eigenvalues of symmetric matrices and squared singular values of weight matrices, on whichever
// engine can run them: the two-thread wasm solver ('parallel'), the one-thread wasm kernel
// ('wasm') or plain JavaScript ('js', the reference). The engine is chosen by the one rule of
// backend/engine.ts (resolveEngine) from the candidates listed here, fastest first; 'auto' also
// treats two threads as unavailable where they do not pay off (small orders, no spare core).
// Large Gram matrices are formed by onnxruntime-node on either wasm engine (multi-threaded GEMM).
//
// Accuracy versus an SVD of W: the Gram route squares the condition number, so an eigenvalue
// carries an absolute error of about n·eps·λmax. Top eigenvalues agree to ~1e-14 relative;
// eigenvalues below ~1e-12·λmax are noise (clamped at 0 when negative), which is why small
// rank-deficient matrices are redone by one-sided Jacobi ('auto' SVD method).

import { ArgumentError } from '../errors';
import { engineChoice, resolveEngine, type EngineCandidate, type EngineOption } from '../backend/engine';
import { wasmKernelFailure } from '../backend/wasm';
import { onnxAvailable } from '../backend/onnx/runtime';
import { gramUpper, gramUpperOnnxWriter, shortSide } from './gram';
import { symmetricEigenvaluesJs } from './eigen-js';
import {
  eigenKernelAvailable,
  gramEigenvaluesWasm,
  gramUpperWasm,
  symmetricEigenvaluesWasm,
  type SymmetricMatrix,
} from './eigen-wasm';
import { eigenvaluesSideBySide, parallelEigenvalues, parallelUnavailable, parallelWorthwhile } from './eigen-parallel';
import { PARALLEL_MIN_ORDER } from './reduction';
import { jacobiSquaredSingularValues } from './jacobi-svd';

/** The engines that find eigenvalues: two wasm threads, one wasm thread, plain JavaScript. */
export type EigenEngine = 'parallel' | 'wasm' | 'js';

/**
 * How squared singular values are found: 'gram' = eigenvalues of the Gram matrix (fast);
 * 'jacobi' = one-sided Jacobi SVD of W (slow, resolves tiny singular values); 'auto' (default) =
 * Gram, redone with Jacobi when the spectrum reaches the Gram noise floor (λmin < 1e-9·λmax) and
 * the matrix is small enough (m²k <= 2^26 multiply-adds per sweep).
 */
export type SvdMethod = 'auto' | 'gram' | 'jacobi';

/** A weight matrix as the solvers take it: row-major float64 values (and float32 ones when the source had them). */
export interface SolverMatrix {
  rows: number;
  cols: number;
  /** Row-major values. */
  readonly values: Float64Array;
  /**
   * The same values as stored in float32, when the weights are float32 and unscaled (Dense,
   * Conv1D, Embedding): onnxruntime's Gram graph takes these directly, and `values` is then
   * converted on first use only.
   */
  readonly float32?: Float32Array;
}

/** Below this λmin/λmax the Gram route cannot tell tiny singular values from rounding noise. */
const GRAM_NOISE_FLOOR = 1e-9;
/** Largest m²k for which 'auto' redoes a rank-deficient matrix with Jacobi (a few sweeps stay well under a second). */
const JACOBI_WORK = 2 ** 26;
/** Gram matrices with at least this many multiply-adds go to onnxruntime (below it, session overhead dominates). */
const ONNX_GRAM_WORK = 2 ** 24;

/** Whether the Gram matrix of an m x k short side goes to onnxruntime. */
function gramOnOnnx(m: number, k: number): boolean {
  return onnxAvailable() && m * m * k >= ONNX_GRAM_WORK;
}

/** Why the wasm eigen kernel cannot run here, or undefined when it can. */
function wasmUnavailable(): string | undefined {
  if (eigenKernelAvailable()) return undefined;
  if (engineChoice() === 'js') return 'WEIGHTLAB_ENGINE=js turns the wasm kernels off';
  return wasmKernelFailure('eigen') ?? 'the wasm eigen kernel is not usable';
}

/**
 * The eigen engines for a matrix of order n, fastest first. For 'auto', two threads count as
 * unavailable below PARALLEL_MIN_ORDER and when other processes leave no half core spare
 * (parallelWorthwhile): on a busy 2-core machine the second thread only adds synchronisation
 * (measured at load 3-5: 152 ms of CPU and as much wall time at n = 1024, against 128 ms on one
 * thread). An explicitly requested 'parallel' runs whenever it can.
 */
function eigenCandidates(n: number, automatic: boolean): EngineCandidate<EigenEngine>[] {
  return [
    {
      name: 'parallel',
      unavailable: () =>
        parallelUnavailable() ??
        (!automatic
          ? undefined
          : n < PARALLEL_MIN_ORDER
            ? `order ${n} is below ${PARALLEL_MIN_ORDER}, where two threads do not pay off`
            : !parallelWorthwhile()
              ? 'no spare core for a second thread now'
              : undefined),
    },
    { name: 'wasm', unavailable: wasmUnavailable },
    { name: 'js', unavailable: () => undefined },
  ];
}

/** The engine that solves an order-n problem for the `engine` option (ArgumentError when an explicitly requested one cannot run). */
export function resolveEigenEngine(
  verb: string,
  engine: EngineOption<EigenEngine> | undefined,
  n: number,
): EigenEngine {
  return resolveEngine(verb, engine, eigenCandidates(n, engine === undefined || engine === 'auto'));
}

/** Eigenvalues (ascending) of the symmetric matrix `a` (n x n row-major; the upper triangle is read, `a` is not modified). */
export async function symmetricEigenvalues(
  a: Float64Array,
  n: number,
  engine: EngineOption<EigenEngine> = 'auto',
): Promise<Float64Array> {
  if (a.length < n * n)
    throw new ArgumentError('matrix storage too small', {
      field: 'a',
      expected: `${n * n} values`,
      found: String(a.length),
    });
  const resolved = resolveEigenEngine('symmetricEigenvalues', engine, n);
  if (resolved === 'parallel') return parallelEigenvalues(a, n);
  if (resolved === 'wasm') return symmetricEigenvaluesWasm(a, n);
  return symmetricEigenvaluesJs(a.slice(0, n * n), n);
}

/** Squared singular values (ascending) of one matrix, in float64, negatives from rounding clamped to 0. */
export async function squaredSingularValues(
  matrix: SolverMatrix,
  engine: EngineOption<EigenEngine> = 'auto',
  method: SvdMethod = 'auto',
): Promise<Float64Array> {
  // `matrix.values` is read only where float64 values are needed (it may be converted on first use: LayerMatrix.float32).
  const { rows, cols } = matrix;
  const m = Math.min(rows, cols);
  if (m === 0) return new Float64Array(0);
  if (method === 'jacobi')
    return jacobiSquaredSingularValues(shortSide(matrix.values, rows, cols).x, m, Math.max(rows, cols));
  return withJacobiFallback(matrix, await gramEigenvalues(matrix, engine), method);
}

/** Gram eigenvalues `evals` (clamped at 0), or Jacobi's when 'auto' sees them reach the Gram noise floor on a small enough matrix. */
function withJacobiFallback(matrix: SolverMatrix, evals: Float64Array, method: SvdMethod): Float64Array {
  const { rows, cols } = matrix;
  const m = Math.min(rows, cols),
    k = Math.max(rows, cols);
  for (let i = 0; i < evals.length; i++) if (evals[i] < 0) evals[i] = 0;
  if (method === 'auto' && m * m * k <= JACOBI_WORK && !(evals[0] >= GRAM_NOISE_FLOOR * evals[evals.length - 1])) {
    return jacobiSquaredSingularValues(shortSide(matrix.values, rows, cols).x, m, k);
  }
  return evals;
}

async function gramEigenvalues(matrix: SolverMatrix, engine: EngineOption<EigenEngine>): Promise<Float64Array> {
  const { rows, cols } = matrix;
  const m = Math.min(rows, cols);
  const k = Math.max(rows, cols);
  const resolved = resolveEigenEngine('squaredSingularValues', engine, m);
  if (resolved === 'js') return symmetricEigenvaluesJs(gramUpper(shortSide(matrix.values, rows, cols).x, m, k), m);
  if (resolved === 'parallel') return parallelEigenvalues(await gramForWasm(matrix), m);
  if (gramOnOnnx(m, k))
    return symmetricEigenvaluesWasm(await gramUpperOnnxWriter(matrix.float32 ?? matrix.values, rows, cols), m);
  // Gram and eigenvalues in one kernel call, without copying the Gram matrix out and back.
  return gramEigenvaluesWasm(shortSide(matrix.values, rows, cols).x, m, k);
}

/** The Gram matrix on the short side (upper triangle valid) as the wasm solvers take it: onnxruntime's blocks (a writer) for large ones, the wasm kernel's array otherwise. */
async function gramForWasm(matrix: SolverMatrix): Promise<SymmetricMatrix> {
  const { rows, cols } = matrix;
  const m = Math.min(rows, cols),
    k = Math.max(rows, cols);
  if (gramOnOnnx(m, k)) return gramUpperOnnxWriter(matrix.float32 ?? matrix.values, rows, cols);
  return gramUpperWasm(shortSide(matrix.values, rows, cols).x, m, k);
}

/** Smallest Gram order solved side by side with another matrix (below it a solve takes well under a millisecond). */
const SIDE_BY_SIDE_MIN_ORDER = 128;
/** Largest-to-smallest order ratio of two matrices solved side by side (cost grows as n³: 1.25³ ≈ 2, one thread then idles half the time). */
const SIDE_BY_SIDE_MAX_RATIO = 1.25;

/** Whether two matrices are worth solving side by side, one per thread, under `engine` and `method`. */
export function sideBySideWorthwhile(
  first: SolverMatrix,
  second: SolverMatrix,
  engine: EngineOption<EigenEngine> | undefined,
  method: SvdMethod,
): boolean {
  if ((engine !== undefined && engine !== 'auto') || method === 'jacobi') return false;
  const orders = [first, second].map((matrix) => Math.min(matrix.rows, matrix.cols));
  const [small, large] = orders[0] <= orders[1] ? orders : [orders[1], orders[0]];
  if (small < SIDE_BY_SIDE_MIN_ORDER || large > SIDE_BY_SIDE_MAX_RATIO * small) return false;
  return parallelUnavailable() === undefined && parallelWorthwhile();
}

/**
 * squaredSingularValues of two matrices solved side by side, one per thread: the same values bit
 * for bit as one after the other. Measured on the GPT-2 block of bench/htsr.js: the four 768 x 768
 * solves took 146 ms one after the other on two threads, and 90-100 ms in two pairs. Callers check
 * sideBySideWorthwhile first.
 */
export async function squaredSingularValuesSideBySide(
  first: SolverMatrix,
  second: SolverMatrix,
  method: SvdMethod = 'auto',
): Promise<[Float64Array, Float64Array]> {
  const order = (matrix: SolverMatrix) => Math.min(matrix.rows, matrix.cols);
  const grams = [await gramForWasm(first), await gramForWasm(second)];
  const [evalsFirst, evalsSecond] = await eigenvaluesSideBySide(
    { a: grams[0], n: order(first) },
    { a: grams[1], n: order(second) },
  );
  return [withJacobiFallback(first, evalsFirst, method), withJacobiFallback(second, evalsSecond, method)];
}
