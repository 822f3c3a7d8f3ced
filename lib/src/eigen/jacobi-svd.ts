// Singular values by one-sided (Hestenes) Jacobi, in float64: slow (O(m²k) per sweep, ~6-10
// sweeps) but accurate to eps·σmax in absolute terms for every singular value, including the
// tiny ones the Gram route cannot resolve (it squares them into its ~n·eps·λmax noise floor).
// Used for small rank-deficient layers, where WeightWatcher's matrix_rank, rank_loss, sv_min,
// entropy and detX depend on the noise-level singular values of its LAPACK SVD.

import { NumericalError } from '../errors';

const MAX_SWEEPS = 60;

/** Squared singular values (ascending) of X (m x k, row-major, m <= k is fastest); `x` is overwritten. */
export function jacobiSquaredSingularValues(x: Float64Array, m: number, k: number): Float64Array {
  const norms = new Float64Array(m);
  const rowNorm = (i: number) => {
    let s = 0;
    const at = i * k;
    for (let t = 0; t < k; t++) s += x[at + t] * x[at + t];
    return s;
  };
  for (let i = 0; i < m; i++) norms[i] = rowNorm(i);
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < m - 1; p++) {
      for (let q = p + 1; q < m; q++) {
        const a = norms[p],
          b = norms[q];
        if (a === 0 || b === 0) continue;
        const ap = p * k,
          aq = q * k;
        let g = 0;
        for (let t = 0; t < k; t++) g += x[ap + t] * x[aq + t];
        if (Math.abs(g) <= Number.EPSILON * Math.sqrt(a * b)) continue;
        rotated = true;
        const zeta = (b - a) / (2 * g);
        const tangent = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + tangent * tangent),
          s = c * tangent;
        for (let t = 0; t < k; t++) {
          const u = x[ap + t],
            v = x[aq + t];
          x[ap + t] = c * u - s * v;
          x[aq + t] = s * u + c * v;
        }
        // Rotated norms from the 2 x 2 update (exact in exact arithmetic); refreshed each sweep below.
        norms[p] = a - tangent * g;
        norms[q] = b + tangent * g;
      }
    }
    for (let i = 0; i < m; i++) norms[i] = rowNorm(i);
    if (!rotated) return norms.sort();
  }
  throw new NumericalError('one-sided Jacobi SVD did not converge', { expected: `at most ${MAX_SWEEPS} sweeps` });
}
