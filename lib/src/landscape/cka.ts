// Centered kernel alignment (Kornblith et al. 2019) between two representations of the same
// n inputs (rows): linear CKA in feature space and from Gram matrices, the debiased variant
// (unbiased HSIC, Song et al. 2012; Nguyen et al. 2021), and RBF kernels. Everything in float64
// (libraries that accumulate in float32 report values outside [0, 1]; see the reference notes §7).
// Invariant checked by the tests: cka(X, X) = 1 for every variant.

import { ArgumentError, ShapeError } from '../errors';
import { resolveOptions, type OptionDefaults } from '../options/resolve';

/** A row-major n x d representation. */
export interface Representation {
  values: Float64Array | Float32Array;
  rows: number;
  columns: number;
}

export function representation(values: Float64Array | Float32Array, rows: number, columns: number): Representation {
  if (values.length !== rows * columns)
    throw new ShapeError('values do not fill rows x columns', {
      expected: `${rows} x ${columns}`,
      found: `${values.length} values`,
    });
  return { values, rows, columns };
}

function centeredColumns(x: Representation): Float64Array {
  const { rows: n, columns: d, values } = x;
  const out = Float64Array.from(values);
  for (let j = 0; j < d; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += out[i * d + j];
    mean /= n;
    for (let i = 0; i < n; i++) out[i * d + j] -= mean;
  }
  return out;
}

/** |A^T B|_F^2 for row-major n x p A and n x q B. */
function crossFrobeniusSquared(a: Float64Array, p: number, b: Float64Array, q: number, n: number): number {
  const c = new Float64Array(p * q);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) {
      const aij = a[i * p + j];
      if (aij === 0) continue;
      for (let k = 0; k < q; k++) c[j * q + k] += aij * b[i * q + k];
    }
  }
  let s = 0;
  for (let k = 0; k < c.length; k++) s += c[k] * c[k];
  return s;
}

function checkPair(x: Representation, y: Representation): void {
  if (x.rows !== y.rows)
    throw new ShapeError('representations must have the same rows (inputs)', {
      expected: String(x.rows),
      found: String(y.rows),
    });
  if (x.rows < 2) throw new ArgumentError('CKA needs at least 2 rows');
}

/**
 * Linear CKA in feature space (Kornblith's feature_space_linear_cka, biased):
 * |Yc^T Xc|_F^2 / (|Xc^T Xc|_F |Yc^T Yc|_F) with column-centred Xc, Yc. Cost O(n d^2).
 */
export function linearCKA(x: Representation, y: Representation): number {
  checkPair(x, y);
  const xc = centeredColumns(x);
  const yc = centeredColumns(y);
  const n = x.rows;
  const cross = crossFrobeniusSquared(xc, x.columns, yc, y.columns, n);
  const nx = Math.sqrt(crossFrobeniusSquared(xc, x.columns, xc, x.columns, n));
  const ny = Math.sqrt(crossFrobeniusSquared(yc, y.columns, yc, y.columns, n));
  return cross / (nx * ny);
}

/** The linear Gram matrix X X^T (n x n). */
export function linearGram(x: Representation): Float64Array {
  const { rows: n, columns: d, values } = x;
  const k = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += values[i * d + c] * values[j * d + c];
      k[i * n + j] = s;
      k[j * n + i] = s;
    }
  }
  return k;
}

/**
 * The RBF Gram matrix exp(-|xi - xj|^2 / (2 threshold^2 median)), where median is the median
 * squared distance between rows (Kornblith's gram_rbf, threshold 1.0 by default).
 */
export function rbfGram(x: Representation, threshold = 1): Float64Array {
  const { rows: n, columns: d, values } = x;
  const sq = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += (values[i * d + c] - values[j * d + c]) ** 2;
      sq[i * n + j] = s;
      sq[j * n + i] = s;
    }
  }
  // np.median over all n^2 entries, zeros of the diagonal included, as the reference does.
  const sorted = Float64Array.from(sq).sort();
  const m = sorted.length;
  const median = m % 2 ? sorted[(m - 1) / 2] : 0.5 * (sorted[m / 2 - 1] + sorted[m / 2]);
  const k = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) k[i] = Math.exp(-sq[i] / (2 * threshold * threshold * median));
  return k;
}

/** Kornblith's center_gram: H K H (biased), or the U-statistic centring of the unbiased HSIC. */
export function centerGram(gram: Float64Array, n: number, unbiased = false): Float64Array {
  const k = Float64Array.from(gram);
  const means = new Float64Array(n);
  if (unbiased) {
    for (let i = 0; i < n; i++) k[i * n + i] = 0;
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += k[i * n + j];
      means[j] = s / (n - 2);
    }
    let total = 0;
    for (let j = 0; j < n; j++) total += means[j];
    for (let j = 0; j < n; j++) means[j] -= total / (2 * (n - 1));
  } else {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += k[i * n + j];
      means[j] = s / n;
    }
    let total = 0;
    for (let j = 0; j < n; j++) total += means[j];
    for (let j = 0; j < n; j++) means[j] -= total / (2 * n);
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) k[i * n + j] -= means[i] + means[j];
  if (unbiased) for (let i = 0; i < n; i++) k[i * n + i] = 0;
  return k;
}

/** CKA from two n x n Gram matrices (Kornblith's cka): <Kc, Lc> / (|Kc| |Lc|), debiased on request. */
export function ckaFromGrams(
  gramX: Float64Array,
  gramY: Float64Array,
  n: number,
  options: { debiased?: boolean } = {},
): number {
  if (gramX.length !== n * n || gramY.length !== n * n)
    throw new ShapeError('Gram matrices must be n x n', {
      expected: String(n * n),
      found: `${gramX.length}, ${gramY.length}`,
    });
  if (options.debiased && n < 4) throw new ArgumentError('debiased CKA needs at least 4 rows');
  const kx = centerGram(gramX, n, options.debiased);
  const ky = centerGram(gramY, n, options.debiased);
  let xy = 0;
  let xx = 0;
  let yy = 0;
  for (let i = 0; i < n * n; i++) {
    xy += kx[i] * ky[i];
    xx += kx[i] * kx[i];
    yy += ky[i] * ky[i];
  }
  return xy / (Math.sqrt(xx) * Math.sqrt(yy));
}

export type CkaKind = 'linear' | 'linear-gram' | 'debiased' | 'rbf';

export interface CkaOptions {
  /**
   * 'linear' (feature space), 'linear-gram' (the same from Gram matrices), 'debiased' (linear,
   * unbiased HSIC) or 'rbf'.
   * @default 'linear'
   */
  kind?: CkaKind;
  /**
   * The RBF kernel's width as a fraction of the median distance (Kornblith's threshold); 'rbf' only.
   * @default 1
   */
  threshold?: number;
}

/** The defaults of cka (see CkaOptions). */
export const CKA_DEFAULTS = { kind: 'linear', threshold: 1 } as const satisfies OptionDefaults<CkaOptions>;

/** CKA of two representations: `cka(x, y)` (linear) or `cka(x, y, { kind: 'rbf', threshold: 0.5 })`. */
export function cka(x: Representation, y: Representation, options: CkaOptions = {}): number {
  const { kind, threshold } = resolveOptions('cka', CKA_DEFAULTS, options);
  if (kind === 'rbf' && !(threshold > 0 && Number.isFinite(threshold)))
    throw new ArgumentError('threshold must be a finite positive number', {
      field: 'threshold',
      found: String(threshold),
    });
  checkPair(x, y);
  switch (kind) {
    case 'linear':
      return linearCKA(x, y);
    case 'linear-gram':
      return ckaFromGrams(linearGram(x), linearGram(y), x.rows);
    case 'debiased':
      return ckaFromGrams(linearGram(x), linearGram(y), x.rows, { debiased: true });
    case 'rbf':
      return ckaFromGrams(rbfGram(x, threshold), rbfGram(y, threshold), x.rows);
    default:
      throw new ArgumentError('unknown CKA kind', {
        field: 'kind',
        expected: 'linear | linear-gram | debiased | rbf',
        found: String(kind),
      });
  }
}
