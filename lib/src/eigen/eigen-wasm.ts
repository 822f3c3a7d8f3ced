// The WebAssembly eigensolver (lib/assembly/eigen.ts, built into lib/wasm/eigen.wasm) behind a
// typed, synchronous interface, loaded through the backend's kernel loader. Callers check
// `eigenKernelAvailable()` and fall back to ./eigen-js otherwise.

import { NumericalError } from '../errors';
import { wasmKernel, wasmKernelAvailable, type WasmKernel } from '../backend/wasm';
import { bandwidthFor, checkedBandwidth, resolveReduction, type Reduction } from './reduction';
import { twoStageTridiagonal, type TwoStageExports } from './two-stage';

/** The kernel's exports used by the one-thread and two-thread solvers. */
export interface EigenExports extends TwoStageExports {
  gramUpper(x: number, n: number, rows: number, k: number, g: number, pack: number): void;
  gramPackSize(rows: number): number;
  tridiagonalize(a: number, n: number, d: number, e: number, work: number): void;
  tridiagonalEigenvaluesRootFree(d: number, e: number, n: number): number;
}

/**
 * A symmetric n x n matrix for the solvers, which read its upper triangle: a row-major array, or a
 * function that writes it (upper triangle at least) into the n x n row-major view it is given, the
 * solver's own memory, so a matrix assembled from pieces (gramUpperOnnxWriter) is copied once
 * instead of into a fresh array first (measured at n = 768: a fresh array plus the pieces' copy
 * 3.1 ms, the copy into memory already in use 0.4).
 */
export type SymmetricMatrix = Float64Array | ((target: Float64Array) => void);

/** Writes `a` (n x n) into `target`, a view of a solver's memory. */
export function writeSymmetric(a: SymmetricMatrix, n: number, target: Float64Array): void {
  if (typeof a === 'function') a(target);
  else target.set(a.subarray(0, n * n));
}

/** Whether the wasm eigensolver can be used (built, SIMD present, WEIGHTLAB_ENGINE not 'js'). */
export function eigenKernelAvailable(): boolean {
  return wasmKernelAvailable('eigen');
}

function kernel(): WasmKernel<EigenExports> {
  return wasmKernel<EigenExports>('eigen');
}

/** Doubles of work either reduction needs at order n, band half-width b (the two-stage work also holds stage two's vectors). */
export function reductionWorkSize(
  k: Pick<EigenExports, 'bandWorkSize'>,
  n: number,
  reduction: 'one-stage' | 'two-stage',
  b: number,
): number {
  return reduction === 'two-stage' ? k.bandWorkSize(n, b) : 4 * n;
}

/** Eigenvalues of the tridiagonal (d, e) at byte offsets, ascending; e is destroyed. */
export function tridiagonalSpectrum(
  k: Pick<EigenExports, 'tridiagonalEigenvaluesRootFree'>,
  values: () => Float64Array,
  d: number,
  e: number,
  n: number,
): Float64Array {
  checkQlStatus(k.tridiagonalEigenvaluesRootFree(d, e, n));
  return values().sort();
}

/** Throws NumericalError for a nonzero status of tridiagonalEigenvaluesRootFree (1 + the eigenvalue that did not converge). */
export function checkQlStatus(status: number): void {
  if (status !== 0)
    throw new NumericalError('tridiagonal QL did not converge', {
      field: `eigenvalue ${status - 1}`,
      expected: 'at most 60 iterations',
    });
}

/** Tridiagonalises the matrix already at byte offset `a` (n x n, upper triangle valid) and returns its eigenvalues ascending. */
function eigenvaluesInPlace(
  k: WasmKernel<EigenExports>,
  a: number,
  n: number,
  reduction: Reduction,
  b: number,
): Float64Array {
  const resolved = resolveReduction(reduction, n);
  const d = k.allocateFloat64(n);
  const e = k.allocateFloat64(n);
  const work = k.allocateFloat64(reductionWorkSize(k.exports, n, resolved, b));
  if (resolved === 'two-stage') {
    twoStageTridiagonal(k.exports, a, n, b, d, e, work);
  } else {
    k.exports.tridiagonalize(a, n, d, e, work);
  }
  return tridiagonalSpectrum(k.exports, () => k.readFloat64(d, n), d, e, n);
}

/**
 * Eigenvalues (ascending) of the symmetric n x n matrix `a` (row-major array or writer; the upper
 * triangle is read) on one thread. `reduction` picks the tridiagonalisation ('auto': two-stage from
 * TWO_STAGE_MIN_ORDER on, see ./reduction); both give the same eigenvalues to rounding.
 * `bandwidth` overrides the two-stage band's half-width (a multiple of 8; tests and benchmarks).
 */
export function symmetricEigenvaluesWasm(
  a: SymmetricMatrix,
  n: number,
  reduction: Reduction = 'auto',
  bandwidth?: number,
): Float64Array {
  const b = checkedBandwidth(n, bandwidth);
  const k = kernel();
  return k.withArena(() => {
    const at = k.allocateFloat64(n * n);
    writeSymmetric(a, n, k.viewFloat64(at, n * n));
    return eigenvaluesInPlace(k, at, n, reduction, b);
  });
}

/** Writes X (m x k, row-major) into the arena zero-padded to a multiple of 4 rows, and forms the upper triangle of X Xᵀ there. */
function gramInPlace(k: WasmKernel<EigenExports>, x: Float64Array, m: number, width: number): number {
  const rows = Math.ceil(m / 4) * 4;
  const xOffset = k.allocateFloat64(rows * width);
  const g = k.allocateFloat64(m * m);
  const pack = k.allocateFloat64(k.exports.gramPackSize(rows));
  const padded = k.viewFloat64(xOffset, rows * width);
  padded.set(x.subarray(0, m * width));
  padded.fill(0, m * width);
  k.exports.gramUpper(xOffset, m, rows, width, g, pack);
  return g;
}

/**
 * Eigenvalues (ascending) of X Xᵀ for X (m x k, row-major): the Gram matrix is formed in wasm too,
 * so the whole ESD of a layer is one call. X is zero-padded to a multiple of 4 rows for the
 * kernel's 4-row tiles; padding adds nothing to any dot product.
 */
export function gramEigenvaluesWasm(x: Float64Array, m: number, k: number): Float64Array {
  const kernelInstance = kernel();
  return kernelInstance.withArena(() =>
    eigenvaluesInPlace(kernelInstance, gramInPlace(kernelInstance, x, m, k), m, 'auto', bandwidthFor(m)),
  );
}

/** The upper triangle (row-major m x m, lower triangle unspecified) of X Xᵀ, formed by the wasm kernel: for the two-thread solver, which has its own memory. */
export function gramUpperWasm(x: Float64Array, m: number, k: number): Float64Array {
  const kernelInstance = kernel();
  return kernelInstance.withArena(() => kernelInstance.readFloat64(gramInPlace(kernelInstance, x, m, k), m * m));
}
