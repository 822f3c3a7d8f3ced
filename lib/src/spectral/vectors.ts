// WeightWatcher's `vectors` option (apply_analyze_eigenvectors): how localized the eigenvectors of a
// layer's correlation matrix are, separately for the bulk of the ESD and for its power-law tail. For
// each matrix W of the row, X = W·Wᵀ or Wᵀ·W (the smaller one) is diagonalised; each eigenvector gets
// a discrete entropy (of a 100-bin histogram of its centred absolute entries), a localization ratio
// ‖v‖₁/‖v‖∞ and a participation ratio ‖v‖₂/‖v‖₄; the vectors whose eigenvalue is below xmin form the
// bulk, the others the tail, and each metric's mean and (population) variance over both are columns.
// Localized (few large entries) vectors have low entropy and ratios; delocalized random ones high.

import { symmetricEigen } from '../linalg/symmetric-eigen';
import type { LayerMatrix } from './matrices';

/** WeightWatcher's EPSILON added to the histogram densities (CPU path). */
const HISTOGRAM_EPSILON = 1e-10;
/** discrete_entropy's bin count. */
const BINS = 100;

/** The twelve vector-metric columns: bulk/tail mean/var of vec_entropy, loc_ratio, part_ratio (null for an empty side). */
export interface VectorColumns {
  bulk_mean_vec_entropy: number | null;
  bulk_var_vec_entropy: number | null;
  tail_mean_vec_entropy: number | null;
  tail_var_vec_entropy: number | null;
  bulk_mean_loc_ratio: number | null;
  bulk_var_loc_ratio: number | null;
  tail_mean_loc_ratio: number | null;
  tail_var_loc_ratio: number | null;
  bulk_mean_part_ratio: number | null;
  bulk_var_part_ratio: number | null;
  tail_mean_part_ratio: number | null;
  tail_var_part_ratio: number | null;
}

/**
 * numpy.histogram(values, bins, density=True): equal-width bins from min to max (±0.5 when they
 * coincide), the last bin closed, edges as numpy.linspace rounds them, density per bin width.
 */
export function histogramDensity(values: ArrayLike<number>, bins: number): Float64Array {
  let low = Infinity,
    high = -Infinity;
  for (let i = 0; i < values.length; i++) {
    low = Math.min(low, values[i]);
    high = Math.max(high, values[i]);
  }
  if (low === high) {
    low -= 0.5;
    high += 0.5;
  }
  const step = (high - low) / bins;
  const edges = Float64Array.from({ length: bins + 1 }, (_, i) => (i === bins ? high : low + i * step));
  const counts = new Float64Array(bins);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    let index = Math.min(Math.trunc(((value - low) / (high - low)) * bins), bins - 1);
    // numpy's corrections of the scaled index against the edges themselves, in its order.
    if (value < edges[index]) index--;
    if (index !== bins - 1 && value >= edges[index + 1]) index++;
    counts[index]++;
  }
  const total = values.length;
  return counts.map((count, i) => count / (edges[i + 1] - edges[i]) / total);
}

/** WeightWatcher's discrete_entropy of one vector (100 bins). */
export function discreteEntropy(vector: ArrayLike<number>): number {
  const magnitudes = Float64Array.from(vector, Math.abs);
  let mean = 0;
  for (const value of magnitudes) mean += value;
  mean /= magnitudes.length;
  const centred = magnitudes.map((value) => value - mean);
  const p = histogramDensity(centred, BINS).map((density) => (density + HISTOGRAM_EPSILON) / Math.sqrt(2 * Math.PI));
  let sum = 0;
  for (const value of p) sum += value;
  let entropy = 0;
  for (const value of p) entropy -= (value / sum) * Math.log(value / sum);
  return entropy;
}

/** ‖v‖₁ / ‖v‖∞. */
export function localizationRatio(vector: ArrayLike<number>): number {
  let l1 = 0,
    lInf = 0;
  for (let i = 0; i < vector.length; i++) {
    l1 += Math.abs(vector[i]);
    lInf = Math.max(lInf, Math.abs(vector[i]));
  }
  return l1 / lInf;
}

/** ‖v‖₂ / ‖v‖₄. */
export function participationRatio(vector: ArrayLike<number>): number {
  let squares = 0,
    fourths = 0;
  for (let i = 0; i < vector.length; i++) {
    const square = vector[i] * vector[i];
    squares += square;
    fourths += square * square;
  }
  return Math.sqrt(squares) / Math.sqrt(Math.sqrt(fourths));
}

function meanAndVariance(values: number[]): [number | null, number | null] {
  if (values.length === 0) return [null, null];
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
  return [mean, variance];
}

/**
 * The vector-metric columns of a row, from its (normalised) matrices and the power-law fit's xmin.
 * `tailCount`: how many of the largest eigenvalues form the tail (num_pl_spikes). WeightWatcher
 * compares each eigenvalue of X, found by a second decomposition, with xmin, itself one of the ESD's
 * eigenvalues, so the vector at xmin falls on either side by rounding; the tail here is the
 * `tailCount` largest, which is where WeightWatcher's comparison means to put it.
 */
export function vectorColumns(matrices: LayerMatrix[], tailCount: number): VectorColumns {
  const found: { value: number; entropy: number; localization: number; participation: number }[] = [];
  for (const matrix of matrices) {
    const { rows, cols, values } = matrix;
    const n = Math.min(rows, cols);
    const gram = new Float64Array(n * n);
    // X = W·Wᵀ (rows <= cols) or Wᵀ·W.
    for (let i = 0; i < n; i++)
      for (let j = i; j < n; j++) {
        let sum = 0;
        if (rows <= cols) for (let k = 0; k < cols; k++) sum += values[i * cols + k] * values[j * cols + k];
        else for (let k = 0; k < rows; k++) sum += values[k * cols + i] * values[k * cols + j];
        gram[i * n + j] = sum;
        gram[j * n + i] = sum;
      }
    const { values: eigenvalues, vectors } = symmetricEigen(gram, n);
    for (let k = 0; k < n; k++) {
      const vector = vectors.subarray(k * n, k * n + n);
      found.push({
        value: eigenvalues[k],
        entropy: discreteEntropy(vector),
        localization: localizationRatio(vector),
        participation: participationRatio(vector),
      });
    }
  }
  found.sort((a, b) => a.value - b.value);
  const tailStart = Math.max(0, found.length - Math.max(0, tailCount));
  const bulk = found.slice(0, tailStart);
  const tail = found.slice(tailStart);
  const columns: Partial<VectorColumns> = {};
  const metrics = [
    ['vec_entropy', 'entropy'],
    ['loc_ratio', 'localization'],
    ['part_ratio', 'participation'],
  ] as const;
  for (const [name, field] of metrics) {
    const [bulkMean, bulkVariance] = meanAndVariance(bulk.map((entry) => entry[field]));
    const [tailMean, tailVariance] = meanAndVariance(tail.map((entry) => entry[field]));
    Object.assign(columns, {
      [`bulk_mean_${name}`]: bulkMean,
      [`bulk_var_${name}`]: bulkVariance,
      [`tail_mean_${name}`]: tailMean,
      [`tail_var_${name}`]: tailVariance,
    });
  }
  return columns as VectorColumns;
}
