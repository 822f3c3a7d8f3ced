// Kernel functions for the Gaussian-process hypothesis space h(x) = phi(x)^T theta, theta ~ N(0, I),
// i.e. a GP with covariance k. The stationary kernels take a bandwidth sigma (length scale);
// the arc-cosine kernel is the covariance of an infinitely wide one-hidden-layer ReLU network
// (Cho & Saul 2009), the "network-like" broad space, with sigma scaling the inputs.

import { ArgumentError } from '../errors';

export type KernelName = 'rbf' | 'laplace' | 'matern32' | 'matern52' | 'arccos';
export const KERNEL_NAMES: readonly KernelName[] = ['rbf', 'laplace', 'matern32', 'matern52', 'arccos'];

/** Rows of a row-major matrix: values has rows * cols entries. */
export interface Rows {
  values: Float64Array;
  rows: number;
  cols: number;
}

function stationary(name: KernelName, distanceSquared: number, bandwidth: number): number {
  switch (name) {
    case 'rbf':
      return Math.exp(-distanceSquared / (2 * bandwidth * bandwidth));
    case 'laplace':
      return Math.exp(-Math.sqrt(distanceSquared) / bandwidth);
    case 'matern32': {
      const r = (Math.sqrt(3) * Math.sqrt(distanceSquared)) / bandwidth;
      return (1 + r) * Math.exp(-r);
    }
    case 'matern52': {
      const r = (Math.sqrt(5) * Math.sqrt(distanceSquared)) / bandwidth;
      return (1 + r + (r * r) / 3) * Math.exp(-r);
    }
    default:
      throw new ArgumentError('not a stationary kernel', { field: 'kernel', found: name });
  }
}

/** Arc-cosine kernel of order 1 on inputs augmented with a bias coordinate: u = (a / sigma, 1). */
function arccos(
  a: Float64Array,
  aOffset: number,
  b: Float64Array,
  bOffset: number,
  d: number,
  bandwidth: number,
): number {
  let dot = 1;
  let normA = 1;
  let normB = 1;
  const inverseSquared = 1 / (bandwidth * bandwidth);
  for (let t = 0; t < d; t++) {
    const x = a[aOffset + t];
    const y = b[bOffset + t];
    dot += x * y * inverseSquared;
    normA += x * x * inverseSquared;
    normB += y * y * inverseSquared;
  }
  const norms = Math.sqrt(normA * normB);
  const cosine = Math.max(-1, Math.min(1, dot / norms));
  const theta = Math.acos(cosine);
  return (norms / Math.PI) * (Math.sin(theta) + (Math.PI - theta) * cosine);
}

/** k(A_i, B_j) for all rows i of A and j of B: an A.rows x B.rows row-major matrix. */
export function kernelMatrix(name: KernelName, bandwidth: number, a: Rows, b: Rows): Float64Array {
  if (!KERNEL_NAMES.includes(name))
    throw new ArgumentError('unknown kernel', {
      field: 'kernel',
      expected: KERNEL_NAMES.join(', '),
      found: String(name),
    });
  if (!(bandwidth > 0) || !Number.isFinite(bandwidth))
    throw new ArgumentError('kernel bandwidth must be finite and > 0', {
      field: 'bandwidth',
      found: String(bandwidth),
    });
  if (a.cols !== b.cols)
    throw new ArgumentError('inputs of different dimension', {
      field: 'kernel inputs',
      found: `${a.cols} vs ${b.cols}`,
    });
  const d = a.cols;
  const out = new Float64Array(a.rows * b.rows);
  for (let i = 0; i < a.rows; i++) {
    const offsetA = i * d;
    for (let j = 0; j < b.rows; j++) {
      const offsetB = j * d;
      if (name === 'arccos') {
        out[i * b.rows + j] = arccos(a.values, offsetA, b.values, offsetB, d, bandwidth);
        continue;
      }
      // Direct differences, not |a|^2 + |b|^2 - 2ab: no cancellation for nearby points,
      // which is exactly where the Gram matrix's conditioning is decided.
      let distanceSquared = 0;
      for (let t = 0; t < d; t++) {
        const diff = a.values[offsetA + t] - b.values[offsetB + t];
        distanceSquared += diff * diff;
      }
      out[i * b.rows + j] = stationary(name, distanceSquared, bandwidth);
    }
  }
  return out;
}

/** Median Euclidean distance between distinct rows (the "median heuristic" bandwidth); at most 500 rows are used. */
export function medianDistance(x: Rows): number {
  const rows = Math.min(x.rows, 500);
  const distances: number[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = i + 1; j < rows; j++) {
      let sum = 0;
      for (let t = 0; t < x.cols; t++) {
        const diff = x.values[i * x.cols + t] - x.values[j * x.cols + t];
        sum += diff * diff;
      }
      distances.push(Math.sqrt(sum));
    }
  }
  if (distances.length === 0)
    throw new ArgumentError('the median heuristic needs at least two training inputs', { field: 'bandwidth' });
  distances.sort((p, q) => p - q);
  const middle = distances.length >> 1;
  return distances.length % 2 ? distances[middle] : 0.5 * (distances[middle - 1] + distances[middle]);
}
