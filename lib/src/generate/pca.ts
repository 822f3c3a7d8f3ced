// PCA of a zoo in weight space ("dual" PCA through the N×N Gram matrix, since a zoo has far fewer
// models than parameters). DeepWeightFlow generates in this space; the Gaussian baseline samples
// in it. A zoo of N models spans at most N−1 centred directions, so asking for more is an error.

import { ArgumentError } from '../errors';
import { dot, meanVector, symmetricEigen } from './linear-algebra';

export interface Pca {
  mean: Float64Array;
  /** Unit-norm principal directions, rank × P row-major. */
  components: Float64Array;
  /** Standard deviation of the zoo along each component (divisor N−1). */
  scales: Float64Array;
  rank: number;
  dimension: number;
  /** Fraction of the zoo's variance the kept components explain. */
  explainedVariance: number;
}

/**
 * Fits `rank` principal components to the vectors. Throws, naming the count, if the zoo has too
 * few models for the rank (rank must be <= N−1) or if a requested direction has no variance.
 */
export function fitPca(vectors: readonly Float64Array[], rank: number): Pca {
  const n = vectors.length;
  if (!Number.isInteger(rank) || rank < 1)
    throw new ArgumentError('PCA rank must be a positive integer', { field: 'rank', found: String(rank) });
  if (rank > n - 1) {
    throw new ArgumentError(
      `too few models for PCA rank ${rank}: ${n} models span at most ${n - 1} centred directions`,
      {
        field: 'rank',
        expected: `at least ${rank + 1} models, or rank <= ${Math.max(n - 1, 0)}`,
        found: `${n} models`,
      },
    );
  }
  const dimension = vectors[0].length;
  const mean = meanVector(vectors);
  const centred = vectors.map((v) => v.map((x, k) => x - mean[k]));
  const gram = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      const g = dot(centred[i], centred[j]);
      gram[i * n + j] = g;
      gram[j * n + i] = g;
    }
  const { values, vectors: u } = symmetricEigen(gram, n);
  let total = 0;
  for (let i = 0; i < n; i++) total += Math.max(0, values[i]);
  const components = new Float64Array(rank * dimension);
  const scales = new Float64Array(rank);
  let kept = 0;
  for (let k = 0; k < rank; k++) {
    const lambda = values[k];
    // Directions with eigenvalue below 1e-12 of the total are rounding noise, not zoo variance.
    if (!(lambda > 1e-12 * total)) {
      throw new ArgumentError(`too few distinct models for PCA rank ${rank}: only ${k} directions have variance`, {
        field: 'rank',
        expected: `rank <= ${k}`,
        found: String(rank),
      });
    }
    const norm = 1 / Math.sqrt(lambda);
    for (let i = 0; i < n; i++) {
      const weight = u[k * n + i] * norm;
      if (weight === 0) continue;
      const row = centred[i];
      for (let p = 0; p < dimension; p++) components[k * dimension + p] += weight * row[p];
    }
    scales[k] = Math.sqrt(lambda / (n - 1));
    kept += lambda;
  }
  return { mean, components, scales, rank, dimension, explainedVariance: total > 0 ? kept / total : 1 };
}

/** Coordinates of a vector in the PCA basis. */
export function pcaEncode(pca: Pca, vector: ArrayLike<number>): Float64Array {
  const out = new Float64Array(pca.rank);
  for (let k = 0; k < pca.rank; k++) {
    let s = 0;
    const base = k * pca.dimension;
    for (let p = 0; p < pca.dimension; p++) s += pca.components[base + p] * (vector[p] - pca.mean[p]);
    out[k] = s;
  }
  return out;
}

/** The weight vector with PCA coordinates `codes` (mean + Σ code_k · component_k). */
export function pcaDecode(pca: Pca, codes: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(pca.mean);
  for (let k = 0; k < pca.rank; k++) {
    const c = codes[k];
    const base = k * pca.dimension;
    for (let p = 0; p < pca.dimension; p++) out[p] += c * pca.components[base + p];
  }
  return out;
}
