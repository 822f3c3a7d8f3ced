// An independent dense SVD for checking the randomised PCA: one-sided Jacobi (Hestenes)
// rotates pairs of columns of the data itself until they are orthogonal, so it shares no
// code and no algorithm with the sketch + Gram-eigenproblem route in lib/src/manifold.

/** Singular values (descending) and right singular vectors (rows of `vectors`, each length d) of the n x d row-major matrix. */
export function denseSvd(
  values: Float64Array,
  n: number,
  d: number,
): { singularValues: number[]; vectors: number[][] } {
  // Work on columns of A (n x d) and accumulate V (d x d).
  const a = Array.from({ length: d }, (_, j) => Float64Array.from({ length: n }, (_, i) => values[i * d + j]));
  const v = Array.from({ length: d }, (_, j) => Float64Array.from({ length: d }, (_, i) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false;
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        let alpha = 0,
          beta = 0,
          gamma = 0;
        for (let i = 0; i < n; i++) {
          alpha += a[p][i] ** 2;
          beta += a[q][i] ** 2;
          gamma += a[p][i] * a[q][i];
        }
        if (Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta) || gamma === 0) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < n; i++) {
          const x = a[p][i],
            y = a[q][i];
          a[p][i] = c * x - s * y;
          a[q][i] = s * x + c * y;
        }
        for (let i = 0; i < d; i++) {
          const x = v[p][i],
            y = v[q][i];
          v[p][i] = c * x - s * y;
          v[q][i] = s * x + c * y;
        }
      }
    }
    if (!rotated) break;
  }
  const norms = a.map((column) => Math.sqrt(column.reduce((sum, x) => sum + x * x, 0)));
  const order = norms.map((_, j) => j).sort((i, j) => norms[j] - norms[i]);
  return { singularValues: order.map((j) => norms[j]), vectors: order.map((j) => Array.from(v[j])) };
}
