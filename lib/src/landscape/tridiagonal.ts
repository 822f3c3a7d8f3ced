// Eigenvalues and first eigenvector components of a symmetric tridiagonal matrix (the
// Lanczos matrix T of stochastic Lanczos quadrature), by the implicit QL method with Wilkinson
// shifts (tql2 of EISPACK, as in Numerical Recipes' tqli). A symmetric solver is what SLQ needs:
// PyHessian's torch.linalg.eig is a general (complex) solver (its issue #17).

import { NumericalError } from '../errors';

/**
 * `diagonal` (n) and `offDiagonal` (n - 1) of T. Returns the eigenvalues ascending and, for each,
 * the first component of its unit eigenvector (the SLQ quadrature weight is its square).
 */
export function tridiagonalEigen(diagonal: Float64Array, offDiagonal: Float64Array): { values: Float64Array; firstComponents: Float64Array } {
  const n = diagonal.length;
  const d = Float64Array.from(diagonal);
  const e = new Float64Array(n);
  e.set(offDiagonal.subarray(0, Math.max(0, n - 1)));
  // Track only the first row of the eigenvector matrix Z (starts as e_1): rotations act on columns.
  const z = new Float64Array(n);
  if (n > 0) z[0] = 1;
  for (let l = 0; l < n; l++) {
    let iter = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= Number.EPSILON * dd) break;
      }
      if (m === l) break;
      if (++iter > 60) throw new NumericalError('tridiagonal QL did not converge', { field: 'iteration', found: String(iter) });
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = Math.hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      for (; i >= l; i--) {
        let f = s * e[i];
        const b = c * e[i];
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1] -= p;
          e[m] = 0;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        f = z[i + 1];
        z[i + 1] = s * z[i] + c * f;
        z[i] = c * z[i] - s * f;
      }
      if (r === 0 && i >= l) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => d[a] - d[b]);
  return { values: Float64Array.from(order, (i) => d[i]), firstComponents: Float64Array.from(order, (i) => z[i]) };
}
