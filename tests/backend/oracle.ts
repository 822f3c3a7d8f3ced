// Independent references for the backend tests: textbook triple-loop float64 products and the
// componentwise rounding-error bound that tolerances are stated in.

import { rng, Tensor } from 'weightlab/internal';

/** C = A B by the definition, float64, row-major (A m x k, B k x n). */
export function naiveMatmul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let t = 0; t < k; t++) sum += a[i * k + t] * b[t * n + j];
      c[i * n + j] = sum;
    }
  }
  return c;
}

/** (|A| |B|)_ij: the scale of the standard error bound |fl(AB) - AB| <= k u |A||B| (Higham, Thm 3.5 / eq. 3.13). */
export function absoluteProduct(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  m: number,
  k: number,
  n: number,
): Float64Array {
  return naiveMatmul(Array.from(a, Math.abs), Array.from(b, Math.abs), m, k, n);
}

/** Row-major transpose of a rows x cols array. */
export function transposed(values: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = values[i * cols + j];
  return out;
}

/** Seeded normal values, float64 or rounded to float32. */
export function randomValues(
  seed: number,
  count: number,
  dtype: 'float64' | 'float32' = 'float64',
): Float64Array | Float32Array {
  const values = rng(seed).normal(count);
  return dtype === 'float64' ? values : Float32Array.from(values);
}

/** Seeded random matrix tensor. */
export function randomMatrix(
  seed: number,
  rows: number,
  cols: number,
  dtype: 'float64' | 'float32' = 'float64',
): Tensor<'float64' | 'float32'> {
  return new Tensor(dtype, randomValues(seed, rows * cols, dtype), [rows, cols]);
}

/**
 * Largest |got - want| / scale over entries (scale: the error-bound scale per entry). A value
 * <= tolerance means every entry is within tolerance * scale.
 */
export function worstScaledError(got: ArrayLike<number>, want: ArrayLike<number>, scale: ArrayLike<number>): number {
  if (got.length !== want.length) throw new Error(`length ${got.length} != ${want.length}`);
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const error = Math.abs(got[i] - want[i]) / Math.max(scale[i], Number.MIN_VALUE);
    if (Number.isNaN(error)) return Infinity; // a NaN anywhere fails any tolerance
    if (error > worst) worst = error;
  }
  return worst;
}

/** Runs `fn` with WEIGHTLAB_ENGINE set to `engine`, restoring the previous value. */
export async function withEngine<T>(engine: string, fn: () => Promise<T> | T): Promise<T> {
  const previous = process.env.WEIGHTLAB_ENGINE;
  process.env.WEIGHTLAB_ENGINE = engine;
  try {
    return await fn();
  } finally {
    if (previous === undefined) delete process.env.WEIGHTLAB_ENGINE;
    else process.env.WEIGHTLAB_ENGINE = previous;
  }
}

export const ENGINES = ['auto', 'wasm', 'js'] as const;
