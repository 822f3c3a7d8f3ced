// The eigensolvers (plain JS, wasm one-thread, wasm two-thread) against closed forms, an
// independent Jacobi eigenvalue method, and numpy's eigvalsh when /usr/bin/python3 has numpy.
// The two-stage reduction's own edge cases are in ./two-stage.test.ts.
// Tolerance: 1e-13 of the largest |eigenvalue| (Householder + QL is backward stable: errors are
// O(n·eps·‖A‖); n ≤ 160 here gives ≤ ~5e-14, Jacobi's own error is smaller still).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng, symmetricEigenvalues, squaredSingularValues, type EigenEngine } from 'weightlab/internal';
import { symmetricEigenvaluesWasm } from 'weightlab/dist/eigen/eigen-wasm';
import { jacobiEigenvalues, maxRelativeError, numpyEigenvalues } from '../spectral/reference';

const ENGINES: EigenEngine[] = ['js', 'wasm', 'parallel'];
const SIZES = [
  [2, 1],
  [3, 2],
  [17, 3],
  [64, 4],
  [160, 5],
] as const;

// The Jacobi reference is O(n³) per sweep: compute it once for all three engines.
const references = new Map<number, { matrix: Float64Array; eigenvalues: Float64Array }>();
function reference(n: number, seed: number): { matrix: Float64Array; eigenvalues: Float64Array } {
  if (!references.has(n)) {
    const matrix = randomSymmetric(n, seed);
    references.set(n, { matrix, eigenvalues: jacobiEigenvalues(matrix, n) });
  }
  return references.get(n)!;
}

function randomSymmetric(n: number, seed: number): Float64Array {
  const values = rng(seed).normal(n * n);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = values[i * n + j] + values[j * n + i];
  return a;
}

/** Q diag(d) Qᵀ with Q a product of random Householder reflections: eigenvalues exactly d (up to rounding of the product). */
function knownSpectrum(d: number[], seed: number): Float64Array {
  const n = d.length;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) a[i * n + i] = d[i];
  const random = rng(seed);
  for (let r = 0; r < 3; r++) {
    const v = random.normal(n);
    const norm = Math.hypot(...v);
    for (let i = 0; i < n; i++) v[i] /= norm;
    // A ← H A H with H = I - 2vvᵀ.
    const av = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) av[i] += a[i * n + j] * v[j];
    let vav = 0;
    for (let i = 0; i < n; i++) vav += v[i] * av[i];
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) a[i * n + j] += -2 * v[i] * av[j] - 2 * av[i] * v[j] + 4 * vav * v[i] * v[j];
  }
  return a;
}

for (const engine of ENGINES) {
  test(`${engine}: diagonal and tiny matrices`, async () => {
    assert.deepEqual([...(await symmetricEigenvalues(Float64Array.of(3), 1, engine))], [3]);
    assert.deepEqual([...(await symmetricEigenvalues(Float64Array.of(2, 0, 0, -1), 2, engine))], [-1, 2]);
    const d = [5, -2, 0, 7, 1e-3, 3];
    const diagonal = new Float64Array(36);
    d.forEach((x, i) => {
      diagonal[i * 6 + i] = x;
    });
    assert.deepEqual(
      [...(await symmetricEigenvalues(diagonal, 6, engine))],
      [...d].sort((a, b) => a - b),
    );
  });

  test(`${engine}: a known spectrum hidden by orthogonal similarity, with repeated and zero eigenvalues`, async () => {
    const d = [0, 0, 0, 1, 1, 2, 3.5, 10, 10, 10, 100, ...Array.from({ length: 89 }, (_, i) => i / 7)];
    const a = knownSpectrum(d, 5);
    const got = await symmetricEigenvalues(a, d.length, engine);
    assert.ok(
      maxRelativeError(
        got,
        [...d].sort((x, y) => x - y),
      ) < 1e-13,
    );
  });

  test(`${engine}: random symmetric matrices agree with an independent Jacobi method`, async () => {
    for (const [n, seed] of SIZES) {
      const { matrix, eigenvalues } = reference(n, seed);
      const got = await symmetricEigenvalues(Float64Array.from(matrix), n, engine);
      assert.ok(maxRelativeError(got, eigenvalues) < 1e-13, `n=${n}: ${maxRelativeError(got, eigenvalues)}`);
    }
  });

  test(`${engine}: extreme scales: the spectrum of 2^k A is 2^k times that of A`, async () => {
    // Scaling by a power of two is exact in every operation of the reduction and QL unless a
    // square overflows or underflows, so k = ±600 (entries near 1e±180, squares far outside the
    // float64 range) must give the same bits; k = ±1000 puts entries near the subnormal range,
    // where rounding of subnormal products is allowed (tolerance as above). n = 600 runs the
    // two-stage reduction (from 512), n = 40 the one-stage one.
    for (const n of [40, 600]) {
      const matrix = randomSymmetric(n, 13);
      const base = await symmetricEigenvalues(matrix, n, engine);
      for (const k of [600, -600, 1000, -1000]) {
        const factor = 2 ** k;
        const got = await symmetricEigenvalues(
          matrix.map((x) => x * factor),
          n,
          engine,
        );
        const unscaled = got.map((x) => x / factor);
        if (Math.abs(k) === 600) assert.deepEqual([...unscaled], [...base], `n=${n}, k=${k}`);
        else assert.ok(maxRelativeError(unscaled, base) < 1e-13, `n=${n}, k=${k}: ${maxRelativeError(unscaled, base)}`);
      }
    }
  });

  test(`${engine}: rank-deficient layers: exact zeros stay at the noise floor, the rest are exact`, async () => {
    // W = A B with inner dimension 5: WᵀW (40 x 40) has rank 5.
    const random = rng(11);
    const a = random.normal(60 * 5),
      b = random.normal(5 * 40);
    const w = new Float64Array(60 * 40);
    for (let i = 0; i < 60; i++)
      for (let t = 0; t < 5; t++) for (let j = 0; j < 40; j++) w[i * 40 + j] += a[i * 5 + t] * b[t * 40 + j];
    const gram = new Float64Array(40 * 40);
    for (let i = 0; i < 40; i++)
      for (let j = 0; j < 40; j++) {
        let s = 0;
        for (let r = 0; r < 60; r++) s += w[r * 40 + i] * w[r * 40 + j];
        gram[i * 40 + j] = s;
      }
    const reference = jacobiEigenvalues(gram, 40);
    const got = await squaredSingularValues({ rows: 60, cols: 40, values: w }, engine, 'gram');
    const top = reference[39];
    for (let i = 0; i < 35; i++) assert.ok(Math.abs(got[i]) <= 1e-12 * top, `zero eigenvalue ${i}: ${got[i]}`);
    assert.ok(maxRelativeError(got.slice(35), reference.slice(35)) < 1e-13);
    // The Jacobi SVD route resolves them as (numerically) zero singular values too, at eps·σmax.
    const accurate = await squaredSingularValues({ rows: 60, cols: 40, values: w }, engine, 'jacobi');
    for (let i = 0; i < 35; i++) assert.ok(Math.sqrt(accurate[i]) <= 1e-14 * Math.sqrt(top));
    assert.ok(maxRelativeError(accurate.slice(35), reference.slice(35)) < 1e-13);
  });
}

test('the two-stage wasm reduction (dense -> band -> tridiagonal) gives the same eigenvalues, across panel boundaries', () => {
  for (const [n, seed] of SIZES) {
    const { matrix, eigenvalues } = reference(n, seed);
    const got = symmetricEigenvaluesWasm(matrix, n, 'two-stage');
    assert.ok(maxRelativeError(got, eigenvalues) < 1e-13, `n=${n}: ${maxRelativeError(got, eigenvalues)}`);
  }
  const d = [0, 0, 1, 1, 2, 3.5, 10, 10, 100, ...Array.from({ length: 40 }, (_, i) => i / 7)];
  assert.ok(
    maxRelativeError(
      symmetricEigenvaluesWasm(knownSpectrum(d, 9), d.length, 'two-stage'),
      [...d].sort((x, y) => x - y),
    ) < 1e-13,
  );
});

test('eigenvalues agree with numpy eigvalsh (skipped without /usr/bin/python3 + numpy)', async (t) => {
  const cases = [
    { n: 50, seed: 21 },
    { n: 300, seed: 22 },
  ].map(({ n, seed }) => ({ n, values: randomSymmetric(n, seed) }));
  const reference = numpyEigenvalues(cases);
  if (!reference) {
    t.skip('numpy not installed (apt-get install python3-numpy)');
    return;
  }
  for (const [i, { n, values }] of cases.entries()) {
    for (const engine of ENGINES) {
      const got = await symmetricEigenvalues(Float64Array.from(values), n, engine);
      assert.ok(maxRelativeError(got, reference[i]) < 1e-13, `${engine} n=${n}`);
    }
    assert.ok(
      maxRelativeError(symmetricEigenvaluesWasm(values, n, 'two-stage'), reference[i]) < 1e-13,
      `two-stage n=${n}`,
    );
  }
});

test('two-stage on a rank-deficient Gram matrix (rank 150 of 520) agrees with numpy eigvalsh (skipped without numpy)', async (t) => {
  // G = X Xᵀ for X of 520 x 150: 370 eigenvalues are 0 up to rounding (~n·eps·λmax), the rest exact.
  // Both solvers are backward stable, so they agree to ~1e-13 of λmax on every eigenvalue.
  const n = 520,
    rank = 150;
  const x = rng(31).normal(n * rank);
  const g = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let t = 0; t < rank; t++) s += x[i * rank + t] * x[j * rank + t];
      g[i * n + j] = s;
      g[j * n + i] = s;
    }
  const reference = numpyEigenvalues([{ n, values: g }]);
  if (!reference) {
    t.skip('numpy not installed (apt-get install python3-numpy)');
    return;
  }
  const top = reference[0][n - 1];
  for (const [name, got] of [
    ['one thread', symmetricEigenvaluesWasm(g, n, 'two-stage')],
    ['two threads', await symmetricEigenvalues(g, n, 'parallel')],
  ] as const) {
    assert.ok(maxRelativeError(got, reference[0]) < 1e-13, `${name}: ${maxRelativeError(got, reference[0])}`);
    for (let i = 0; i < n - rank; i++)
      assert.ok(Math.abs(got[i]) < 1e-12 * top, `${name}: zero eigenvalue ${i} = ${got[i]}`);
  }
});
