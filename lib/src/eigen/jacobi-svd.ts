// Singular values by one-sided (Hestenes) Jacobi, in float64: slow (O(m²k) per sweep, ~6-10
// sweeps) but accurate to eps·σmax in absolute terms for every singular value, including the
// tiny ones the Gram route cannot resolve (it squares them into its ~n·eps·λmax noise floor).
// Used for small rank-deficient layers, where WeightWatcher's matrix_rank, rank_loss, sv_min,
// entropy and detX depend on the noise-level singular values of its LAPACK SVD; and, with the
// rotations kept, for the thin SVD that SVD smoothing rebuilds a layer from (jacobiSvd).

import { NumericalError } from '../errors';

const MAX_SWEEPS = 60;

/**
 * Rotates pairs of rows of X (m x k, row-major, in place) until they are orthogonal, applying each
 * rotation to the rows of `rotation` (m x m) too when given, and returns the squared row norms
 * (unsorted). Pairs with a row of squared norm <= `negligible` are left alone.
 */
function orthogonalizeRows(
  x: Float64Array,
  m: number,
  k: number,
  negligible: number,
  rotation?: Float64Array,
): Float64Array {
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
        if (a <= negligible || b <= negligible) continue;
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
        if (rotation) {
          const rp = p * m,
            rq = q * m;
          for (let t = 0; t < m; t++) {
            const u = rotation[rp + t],
              v = rotation[rq + t];
            rotation[rp + t] = c * u - s * v;
            rotation[rq + t] = s * u + c * v;
          }
        }
        // Rotated norms from the 2 x 2 update (exact in exact arithmetic); refreshed each sweep below.
        norms[p] = a - tangent * g;
        norms[q] = b + tangent * g;
      }
    }
    for (let i = 0; i < m; i++) norms[i] = rowNorm(i);
    if (!rotated) return norms;
  }
  throw new NumericalError('one-sided Jacobi SVD did not converge', { expected: `at most ${MAX_SWEEPS} sweeps` });
}

/** Squared singular values (ascending) of X (m x k, row-major, m <= k is fastest); `x` is overwritten. */
export function jacobiSquaredSingularValues(x: Float64Array, m: number, k: number): Float64Array {
  return orthogonalizeRows(x, m, k, negligibleRowNorm(x)).sort();
}

/**
 * Squared row norm below which a row is rounding of the whole matrix (eps²·‖X‖²_F): an exactly
 * rank-deficient X leaves such rows, and rotating them against each other never brings their
 * inner product below eps relative to their own norms, so Jacobi would not converge.
 */
function negligibleRowNorm(x: Float64Array): number {
  let total = 0;
  for (const value of x) total += value * value;
  return Number.EPSILON * Number.EPSILON * total;
}

/**
 * A thin SVD of X (m x k, m <= k) from one-sided Jacobi: row i of `scaledRight` is σ_i v_iᵀ and
 * row i of `left` is u_iᵀ, in descending order of σ_i, so X = Σ_i u_i (σ_i v_iᵀ).
 */
export interface JacobiSvd {
  /** Singular values, descending. */
  singularValues: Float64Array;
  /** m x m, row-major: row i is the left singular vector u_i. */
  left: Float64Array;
  /** m x k, row-major: row i is σ_i times the right singular vector v_i. */
  scaledRight: Float64Array;
}

/**
 * Thin SVD of X (m x k, row-major, m <= k) by one-sided Jacobi with the rotations accumulated, for
 * rebuilding X from a subset of its singular triplets (SVD smoothing). Accurate to eps·σmax in
 * absolute terms like jacobiSquaredSingularValues; `x` is left unchanged.
 */
export function jacobiSvd(x: Float64Array, m: number, k: number): JacobiSvd {
  const rows = x.slice(0, m * k);
  // The product of the rotations, applied to the identity: rows = rotation · X at every step.
  const rotation = new Float64Array(m * m);
  for (let i = 0; i < m; i++) rotation[i * m + i] = 1;
  const norms = orthogonalizeRows(rows, m, k, negligibleRowNorm(rows), rotation);
  // rows = R·X with R orthogonal, so X = Rᵀ·rows: u_i is row i of R (column i of Rᵀ).
  const order = Array.from({ length: m }, (_, i) => i).sort((i, j) => norms[j] - norms[i]);
  const singularValues = new Float64Array(m);
  const left = new Float64Array(m * m);
  const scaledRight = new Float64Array(m * k);
  order.forEach((from, to) => {
    singularValues[to] = Math.sqrt(norms[from]);
    left.set(rotation.subarray(from * m, from * m + m), to * m);
    scaledRight.set(rows.subarray(from * k, from * k + k), to * k);
  });
  return { singularValues, left, scaledRight };
}
