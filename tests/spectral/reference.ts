// Independent reference algorithms for the spectral tests: a cyclic two-sided Jacobi eigenvalue
// method (a different algorithm from the Householder + QL under test), a naive O(n²) WWFit written
// straight from the formulas, and numpy's eigvalsh through /usr/bin/python3 when it is installed.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Eigenvalues (ascending) of a symmetric matrix (full storage) by cyclic Jacobi rotations. */
export function jacobiEigenvalues(matrix: Float64Array, n: number): Float64Array {
  const a = Float64Array.from(matrix);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0,
      total = 0;
    for (let p = 0; p < n; p++)
      for (let q = 0; q < n; q++) {
        total += a[p * n + q] ** 2;
        if (p !== q) off += a[p * n + q] ** 2;
      }
    if (off <= 1e-32 * total) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1),
          s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p],
            akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k],
            aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Float64Array.from({ length: n }, (_, i) => a[i * n + i]).sort();
}

/** WWFit from its definition, with nothing shared with the implementation: explicit sums, ratio powers. */
export function naiveWwFit(sorted: Float64Array): { alphas: number[]; Ds: number[]; best: number } {
  const N = sorted.length;
  const alphas: number[] = [],
    Ds: number[] = [];
  for (let i = 0; i < N - 1; i++) {
    const n = N - i;
    let logSum = 0;
    for (let k = i; k < N; k++) logSum += Math.log(sorted[k] / sorted[i]);
    const alpha = 1 + n / logSum;
    alphas.push(alpha);
    let D = 1;
    if (alpha > 1) {
      D = 0;
      for (let j = 0; j < n; j++) D = Math.max(D, Math.abs(1 - Math.pow(sorted[i + j] / sorted[i], 1 - alpha) - j / n));
    }
    Ds.push(D);
  }
  let best = 0;
  for (let i = 1; i < Ds.length; i++) if (Ds[i] < Ds[best]) best = i;
  return { alphas, Ds, best };
}

/** numpy.linalg.eigvalsh of each matrix via /usr/bin/python3, or undefined when numpy is not installed. */
export function numpyEigenvalues(matrices: { values: Float64Array; n: number }[]): Float64Array[] | undefined {
  const python = '/usr/bin/python3';
  if (!fs.existsSync(python) || spawnSync(python, ['-c', 'import numpy'], { stdio: 'ignore' }).status !== 0)
    return undefined;
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'weightlab-eig-'));
  try {
    matrices.forEach(({ values }, i) => fs.writeFileSync(path.join(directory, `${i}.f64`), values));
    const script = [
      'import numpy as np, sys',
      `d = sys.argv[1]; sizes = [${matrices.map((m) => m.n).join(', ')}]`,
      'for i, n in enumerate(sizes):',
      "    a = np.fromfile(f'{d}/{i}.f64', dtype='<f8').reshape(n, n)",
      "    np.linalg.eigvalsh(a, UPLO='U').astype('<f8').tofile(f'{d}/{i}.out')",
    ].join('\n');
    const run = spawnSync(python, ['-c', script, directory], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`numpy failed: ${run.stderr}`);
    return matrices.map(
      (_, i) => new Float64Array(new Uint8Array(fs.readFileSync(path.join(directory, `${i}.out`))).buffer),
    );
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}

/** max |a - b| / max |b|. */
export function maxRelativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let error = 0,
    scale = 0;
  for (let i = 0; i < b.length; i++) {
    error = Math.max(error, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return error / scale;
}
