// Eigenvalues of a symmetric tridiagonal matrix by implicit QL with Wilkinson shifts (EISPACK's
// tql1/tql2), optionally tracking the first row of the eigenvector matrix: the plain-JS end of
// the HTSR eigensolver (lib/src/eigen/eigen-js.ts, the fallback and oracle of the wasm
// kernels) and the Lanczos matrices of stochastic Lanczos quadrature (lib/src/landscape), whose
// quadrature weights are the squared first components. PyHessian uses a general complex solver
// here (its issue #17); a symmetric one is both cheaper and exact to rounding.

import { NumericalError } from '../errors';

/**
 * In place: on return `d` (n) holds the eigenvalues, unsorted, and `e` (length >= n, e[0..n-2] the
 * off-diagonal) is destroyed. With `z` (n, normally e_1), the rotations are applied to it as to the
 * first row of the eigenvector matrix, so z[k] ends as the first component of eigenvector k.
 */
export function tridiagonalQl(d: Float64Array, e: Float64Array, z?: Float64Array): void {
  const n = d.length;
  if (n > 0) e[n - 1] = 0;
  // Deflate when |e_m| is below eps times its neighbours or eps ‖T‖∞: the second test lets clusters
  // of noise-level eigenvalues (Gram matrices of rank-deficient layers) converge; see the wasm
  // kernel's lib/assembly/_root-free-ql.ts for the failure it prevents.
  let norm = 0;
  for (let i = 0; i < n; i++) norm = Math.max(norm, Math.abs(d[i]) + Math.abs(e[i]) + (i > 0 ? Math.abs(e[i - 1]) : 0));
  const floor = Number.EPSILON * norm;
  for (let l = 0; l < n; l++) {
    let iterations = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= Number.EPSILON * dd || Math.abs(e[m]) <= floor) break;
      }
      if (m === l) break;
      if (++iterations > 60)
        throw new NumericalError('implicit QL did not converge', {
          field: `eigenvalue ${l}`,
          expected: 'at most 60 iterations',
        });
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = Math.hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r));
      let s = 1,
        c = 1,
        p = 0;
      let i = m - 1;
      for (; i >= l; i--) {
        const f = s * e[i];
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
        if (z) {
          const zi1 = z[i + 1];
          z[i + 1] = s * z[i] + c * zi1;
          z[i] = c * z[i] - s * zi1;
        }
      }
      if (r === 0 && i >= l) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
}

/**
 * `diagonal` (n) and `offDiagonal` (n - 1) of T, not modified. Returns the eigenvalues ascending
 * and, for each, the first component of its unit eigenvector.
 */
export function tridiagonalEigen(
  diagonal: Float64Array,
  offDiagonal: Float64Array,
): { values: Float64Array; firstComponents: Float64Array } {
  const n = diagonal.length;
  const d = Float64Array.from(diagonal);
  const e = new Float64Array(n);
  e.set(offDiagonal.subarray(0, Math.max(0, n - 1)));
  const z = new Float64Array(n);
  if (n > 0) z[0] = 1;
  tridiagonalQl(d, e, z);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => d[a] - d[b]);
  return { values: Float64Array.from(order, (i) => d[i]), firstComponents: Float64Array.from(order, (i) => z[i]) };
}
