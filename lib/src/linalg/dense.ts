// Dense row-major float64 products in plain JavaScript, for the places where the matrices are
// too small or too oddly shaped to be worth a trip to onnxruntime (lib/src/backend): the
// tall-skinny products and orthonormalisation of a randomised SVD (manifolds), the small
// products of the Gaussian-process sampler (inductive bias). Loops are ordered so the innermost
// one walks contiguous memory (a zoo matrix of 2,000 x 10,000 doubles is 160 MB; strided access
// would make every product several times slower).

/** A row-major matrix: element (r, c) is `values[r * cols + c]`. */
export interface DenseMatrix {
  rows: number;
  cols: number;
  values: Float64Array;
}

export function denseMatrix(rows: number, cols: number, values = new Float64Array(rows * cols)): DenseMatrix {
  return { rows, cols, values };
}

/**
 * A (n x d) times B (d x l), for a narrow B. Four rows of A are processed together so each
 * row of B, once loaded, feeds four multiply-adds (the loop is bound by loads of B, not by
 * arithmetic: this is about 2x faster than one row at a time).
 */
export function multiply(a: DenseMatrix, b: DenseMatrix): DenseMatrix {
  const { rows: n, cols: d } = a;
  const l = b.cols;
  const out = new Float64Array(n * l);
  const av = a.values;
  const bv = b.values;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o0 = i * l,
      o1 = o0 + l,
      o2 = o1 + l,
      o3 = o2 + l;
    const a0 = i * d,
      a1 = a0 + d,
      a2 = a1 + d,
      a3 = a2 + d;
    for (let j = 0; j < d; j++) {
      const x0 = av[a0 + j],
        x1 = av[a1 + j],
        x2 = av[a2 + j],
        x3 = av[a3 + j];
      const bRow = j * l;
      for (let k = 0; k < l; k++) {
        const y = bv[bRow + k];
        out[o0 + k] += x0 * y;
        out[o1 + k] += x1 * y;
        out[o2 + k] += x2 * y;
        out[o3 + k] += x3 * y;
      }
    }
  }
  for (; i < n; i++) {
    const outRow = i * l;
    const aRow = i * d;
    for (let j = 0; j < d; j++) {
      const x = av[aRow + j];
      const bRow = j * l;
      for (let k = 0; k < l; k++) out[outRow + k] += x * bv[bRow + k];
    }
  }
  return denseMatrix(n, l, out);
}

/** Aᵀ (d x n) times Q (n x l) without forming Aᵀ: four rows of A scatter into each output row at once. */
export function multiplyTransposed(a: DenseMatrix, q: DenseMatrix): DenseMatrix {
  const { rows: n, cols: d } = a;
  const l = q.cols;
  const out = new Float64Array(d * l);
  const av = a.values;
  const qv = q.values;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const a0 = i * d,
      a1 = a0 + d,
      a2 = a1 + d,
      a3 = a2 + d;
    const q0 = i * l,
      q1 = q0 + l,
      q2 = q1 + l,
      q3 = q2 + l;
    for (let j = 0; j < d; j++) {
      const x0 = av[a0 + j],
        x1 = av[a1 + j],
        x2 = av[a2 + j],
        x3 = av[a3 + j];
      const outRow = j * l;
      for (let k = 0; k < l; k++)
        out[outRow + k] += x0 * qv[q0 + k] + x1 * qv[q1 + k] + x2 * qv[q2 + k] + x3 * qv[q3 + k];
    }
  }
  for (; i < n; i++) {
    const aRow = i * d;
    const qRow = i * l;
    for (let j = 0; j < d; j++) {
      const x = av[aRow + j];
      const outRow = j * l;
      for (let k = 0; k < l; k++) out[outRow + k] += x * qv[qRow + k];
    }
  }
  return denseMatrix(d, l, out);
}

/** Yᵀ Y for a tall Y (n x l): the l x l Gram matrix. */
export function gram(y: DenseMatrix): Float64Array {
  const { rows: n, cols: l } = y;
  const out = new Float64Array(l * l);
  const v = y.values;
  for (let i = 0; i < n; i++) {
    const row = i * l;
    for (let a = 0; a < l; a++) {
      const x = v[row + a];
      if (x === 0) continue;
      const outRow = a * l;
      for (let b = a; b < l; b++) out[outRow + b] += x * v[row + b];
    }
  }
  for (let a = 0; a < l; a++) for (let b = 0; b < a; b++) out[a * l + b] = out[b * l + a];
  return out;
}

/**
 * Orthonormal columns spanning Y's columns (n x l, l small), by modified Gram-Schmidt run
 * twice on a column-major copy (the second pass restores orthogonality lost to
 * cancellation). Columns that are numerically dependent on earlier ones become zero: a
 * low-rank zoo gives fewer than l directions, and zero columns keep the shapes fixed.
 */
export function orthonormalColumns(y: DenseMatrix): DenseMatrix {
  const { rows: n, cols: l } = y;
  const columns = Array.from({ length: l }, (_, c) => {
    const column = new Float64Array(n);
    for (let r = 0; r < n; r++) column[r] = y.values[r * l + c];
    return column;
  });
  const originalNorms = columns.map((column) => Math.sqrt(dot(column, column)));
  const scale = Math.max(...originalNorms, 0);
  for (let c = 0; c < l; c++) {
    const column = columns[c];
    for (let pass = 0; pass < 2; pass++) {
      for (let p = 0; p < c; p++) {
        const projection = dot(columns[p], column);
        if (projection !== 0) axpy(-projection, columns[p], column);
      }
    }
    const norm = Math.sqrt(dot(column, column));
    // Relative to the largest input column: what is left below 1e-10 of it is rounding noise.
    if (norm <= 1e-10 * scale || norm === 0) column.fill(0);
    else for (let r = 0; r < n; r++) column[r] /= norm;
  }
  const out = new Float64Array(n * l);
  for (let c = 0; c < l; c++) for (let r = 0; r < n; r++) out[r * l + c] = columns[c][r];
  return denseMatrix(n, l, out);
}

/** aᵀb, summed in index order (so every caller gets the same bits for the same vectors). */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

function axpy(alpha: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] += alpha * x[i];
}

/** A^T B for A (rows x p) and B (rows x q), both row-major: a p x q result. */
export function transposeTimes(a: Float64Array, b: Float64Array, rows: number, p: number, q: number): Float64Array {
  const out = new Float64Array(p * q);
  for (let r = 0; r < rows; r++) {
    const rowA = r * p;
    const rowB = r * q;
    for (let i = 0; i < p; i++) {
      const v = a[rowA + i];
      if (v === 0) continue;
      const rowOut = i * q;
      for (let j = 0; j < q; j++) out[rowOut + j] += v * b[rowB + j];
    }
  }
  return out;
}

/** A B for A (p x inner) and B (inner x q), row-major. */
export function times(a: Float64Array, b: Float64Array, p: number, inner: number, q: number): Float64Array {
  const out = new Float64Array(p * q);
  for (let i = 0; i < p; i++) {
    const rowOut = i * q;
    for (let k = 0; k < inner; k++) {
      const v = a[i * inner + k];
      if (v === 0) continue;
      const rowB = k * q;
      for (let j = 0; j < q; j++) out[rowOut + j] += v * b[rowB + j];
    }
  }
  return out;
}
