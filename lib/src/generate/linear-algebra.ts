// Vector statistics the generators and their evaluation share (means, spreads, quantiles,
// distances) in float64, because PCA of nearly collinear zoos loses digits fast. The symmetric
// eigensolver they use lives in lib/src/linalg and is re-exported here for their imports.

export { symmetricEigen, type SymmetricEigen } from '../linalg/symmetric-eigen';

export { dot } from '../linalg/dense';

/** ‖a − b‖₂. */
export function distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return Math.sqrt(s);
}

/** Mean vector of equal-length vectors. */
export function meanVector(vectors: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(vectors[0].length);
  for (const v of vectors) for (let k = 0; k < out.length; k++) out[k] += v[k];
  for (let k = 0; k < out.length; k++) out[k] /= vectors.length;
  return out;
}

/** Per-coordinate standard deviation (population, divisor n) around `mean`. */
export function coordinateStd(vectors: readonly Float64Array[], mean: Float64Array): Float64Array {
  const out = new Float64Array(mean.length);
  for (const v of vectors)
    for (let k = 0; k < out.length; k++) {
      const d = v[k] - mean[k];
      out[k] += d * d;
    }
  for (let k = 0; k < out.length; k++) out[k] = Math.sqrt(out[k] / vectors.length);
  return out;
}

/** Quantile q in [0, 1] of values (linear interpolation, numpy's default). */
export function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return NaN;
  const position = q * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.min(sorted.length - 1, low + 1);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s / values.length;
}
