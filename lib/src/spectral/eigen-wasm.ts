// The WebAssembly eigensolver (lib/assembly/eigen.ts, built into lib/wasm/eigen.wasm) behind a
// typed, synchronous interface, loaded through the backend's kernel loader. Callers check
// `eigenKernelAvailable()` and fall back to ./eigen-js otherwise.

import { NumericalError } from '../errors';
import { wasmKernel, wasmKernelAvailable, type WasmKernel } from '../backend/wasm';

interface EigenExports {
  gramUpper(x: number, n: number, rows: number, k: number, g: number): void;
  tridiagonalize(a: number, n: number, d: number, e: number, work: number): void;
  tridiagonalizeBlocked(a: number, n: number, d: number, e: number, work: number, block: number): void;
  tridiagonalEigenvalues(d: number, e: number, n: number): number;
}

/** Whether the wasm eigensolver can be used (built, SIMD present, WEIGHTLAB_ENGINE not 'js'). */
export function eigenKernelAvailable(): boolean {
  return wasmKernelAvailable('eigen');
}

function kernel(): WasmKernel<EigenExports> {
  return wasmKernel<EigenExports>('eigen');
}

/** Panel width of the blocked reduction. */
const BLOCK = 16;

/** Tridiagonalises the matrix already at byte offset `a` (n x n) and returns its eigenvalues ascending. */
function eigenvaluesInPlace(k: WasmKernel<EigenExports>, a: number, n: number, blocked = false): Float64Array {
  const d = k.allocateFloat64(n);
  const e = k.allocateFloat64(n);
  if (blocked) {
    const work = k.allocateFloat64((2 * BLOCK + 2) * n);
    k.exports.tridiagonalizeBlocked(a, n, d, e, work, BLOCK);
  } else {
    const work = k.allocateFloat64(4 * n);
    k.exports.tridiagonalize(a, n, d, e, work);
  }
  const status = k.exports.tridiagonalEigenvalues(d, e, n);
  if (status !== 0) throw new NumericalError('implicit QL did not converge', { field: `eigenvalue ${status - 1}`, expected: 'at most 60 iterations' });
  return k.readFloat64(d, n).sort();
}

/**
 * Eigenvalues (ascending) of the symmetric n x n matrix `a` (row-major; the upper triangle is read).
 * `blocked` selects the blocked (dsytrd-style) reduction. It is correct (same eigenvalues to
 * ~1e-14) but, with its rank-2·block panel update still applied one pair at a time, measured
 * 1.1-1.9x slower than the fused unblocked pass at n = 512..2048, so it is off by default; a
 * register-blocked panel update is what would make it pay off for n ≳ 1000.
 */
export function symmetricEigenvaluesWasm(a: Float64Array, n: number, blocked = false): Float64Array {
  const k = kernel();
  return k.withArena(() => eigenvaluesInPlace(k, k.writeFloat64(a.subarray(0, n * n)), n, blocked));
}

/**
 * Eigenvalues (ascending) of X Xᵀ for X (m x k, row-major): the Gram matrix is formed in wasm too,
 * so the whole ESD of a layer is one call. X is zero-padded to a multiple of 4 rows and an even
 * number of columns for the SIMD blocks; padding adds nothing to any dot product.
 */
export function gramEigenvaluesWasm(x: Float64Array, m: number, k: number): Float64Array {
  const kernelInstance = kernel();
  return kernelInstance.withArena(() => {
    const rows = Math.ceil(m / 4) * 4;
    const width = k + (k & 1);
    const xOffset = kernelInstance.allocateFloat64(rows * width);
    const g = kernelInstance.allocateFloat64(m * m);
    const padded = kernelInstance.viewFloat64(xOffset, rows * width);
    padded.fill(0);
    if (width === k) padded.set(x.subarray(0, m * k));
    else for (let i = 0; i < m; i++) padded.set(x.subarray(i * k, (i + 1) * k), i * width);
    kernelInstance.exports.gramUpper(xOffset, m, rows, width, g);
    return eigenvaluesInPlace(kernelInstance, g, m);
  });
}
