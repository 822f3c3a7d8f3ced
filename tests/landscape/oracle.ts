// Independent oracles for the landscape tests: a dense Hessian by central finite differences
// of the analytic gradient, and the cyclic Jacobi eigenvalue method (Golub & Van Loan §8.5),
// a different algorithm from everything the library uses (power iteration, Lanczos, QL).
import {
  MlpWorkspace,
  digits,
  initialParameters,
  lossAndGradient,
  mlp,
  parameterCount,
  type MlpArchitecture,
} from 'weightlab/internal';

/** sqrt(sum (a - b)^2 / sum b^2). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

/** H[i][j] ~ (g_j(w + h e_i) - g_j(w - h e_i)) / 2h, symmetrised; error O(h^2) + O(eps/h). */
export function finiteDifferenceHessian(
  arch: MlpArchitecture,
  params: Float64Array,
  x: Float64Array,
  y: Int32Array,
  n: number,
  h = 1e-5,
): Float64Array {
  const ws = new MlpWorkspace(arch, n);
  return finiteDifferenceHessianOf((w, out) => lossAndGradient(ws, w, x, y, n, out), params, h);
}

/** The same central-difference Hessian for any analytic gradient function g(w, out). */
export function finiteDifferenceHessianOf(
  gradient: (w: Float64Array, out: Float64Array) => unknown,
  params: Float64Array,
  h = 1e-5,
): Float64Array {
  const P = params.length;
  const plus = new Float64Array(P);
  const minus = new Float64Array(P);
  const H = new Float64Array(P * P);
  const w = Float64Array.from(params);
  for (let i = 0; i < P; i++) {
    const keep = w[i];
    w[i] = keep + h;
    gradient(w, plus);
    w[i] = keep - h;
    gradient(w, minus);
    w[i] = keep;
    for (let j = 0; j < P; j++) H[i * P + j] = (plus[j] - minus[j]) / (2 * h);
  }
  for (let i = 0; i < P; i++)
    for (let j = i + 1; j < P; j++) {
      const s = 0.5 * (H[i * P + j] + H[j * P + i]);
      H[i * P + j] = s;
      H[j * P + i] = s;
    }
  return H;
}

/** Eigenvalues of a symmetric n x n matrix by cyclic Jacobi rotations, ascending. */
export function jacobiEigenvalues(matrix: Float64Array, n: number): number[] {
  const a = Float64Array.from(matrix);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Array.from({ length: n }, (_, i) => a[i * n + i]).sort((u, v) => u - v);
}

/** A matrix as a HessianOperator. */
export function denseOperator(matrix: Float64Array, n: number) {
  return {
    dimension: n,
    apply(v: Float64Array): Float64Array {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += matrix[i * n + j] * v[j];
        out[i] = s;
      }
      return out;
    },
  };
}

/** A tiny tanh MLP on a few digits rows, away from a minimum (so the Hessian is indefinite). */
export function tinyProblem(hidden = [5], rows = 24, seed = 3) {
  const { train } = digits();
  const arch = mlp(64, hidden, 10, 'tanh');
  const params = initialParameters(arch, seed);
  const x = train.x.slice(0, rows * 64);
  const y = train.y.slice(0, rows);
  return { arch, params, x, y, n: rows, P: parameterCount(arch) };
}
