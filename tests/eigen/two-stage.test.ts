// The two-stage reduction (dense -> band -> tridiagonal) and the root-free QL against oracles that
// share no code with them: closed-form spectra hidden by a seeded orthogonal similarity, an
// independent Jacobi eigenvalue method, the one-stage reduction, and the closed-form spectrum of
// tridiagonal Toeplitz matrices. Shapes cover the panel and band edge cases: n smaller than the
// band, n = b + 1 and b + 2 (one panel, nothing or one row below it), n not a multiple of b or of
// the 4-row tiles, several band widths, and the two-thread split.
// Tolerance: 1e-13 of the largest |eigenvalue| unless stated. Householder reductions and QL are
// backward stable, so each eigenvalue is off by O(n·eps·‖A‖): for n <= 300 that is ~1e-14 with
// room to spare; the similarity Q diag(λ) Qᵀ itself is formed with an error of the same order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng, symmetricEigenvalues, ArgumentError, NumericalError, Tensor } from 'weightlab/internal';
import { symmetricEigenvaluesWasm } from 'weightlab/dist/eigen/eigen-wasm';
import { eigenvaluesSideBySide, parallelEigenvalues, parallelAvailable } from 'weightlab/dist/eigen/eigen-parallel';
import { layerSpectra, layerSpectrum } from 'weightlab/dist/spectral/esd';
import { layerMatrices } from 'weightlab/dist/spectral/matrices';
import { resolveReduction } from 'weightlab/dist/eigen/reduction';
import { wasmKernel } from 'weightlab/dist/backend/wasm';
import { jacobiEigenvalues, maxRelativeError } from '../spectral/reference';

/** Q diag(d) Qᵀ with Q = H_1 ... H_r, r seeded Householder reflections of random directions. */
function hiddenSpectrum(d: number[], seed: number, reflections = 6): Float64Array {
  const n = d.length;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) a[i * n + i] = d[i];
  const random = rng(seed);
  for (let r = 0; r < reflections; r++) {
    const v = random.normal(n);
    let norm = 0;
    for (const x of v) norm += x * x;
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) v[i] /= norm;
    // A <- H A H with H = I - 2 v vᵀ: A - 2 v (Av)ᵀ - 2 (Av) vᵀ + 4 (vᵀAv) v vᵀ.
    const av = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i * n + j] * v[j];
      av[i] = s;
    }
    let vav = 0;
    for (let i = 0; i < n; i++) vav += v[i] * av[i];
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) a[i * n + j] += -2 * v[i] * av[j] - 2 * av[i] * v[j] + 4 * vav * v[i] * v[j];
  }
  return a;
}

function randomSymmetric(n: number, seed: number): Float64Array {
  const values = rng(seed).normal(n * n);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = values[i * n + j] + values[j * n + i];
  return a;
}

const ascending = (d: number[]) => Float64Array.from(d).sort();

test('two-stage: random matrices of every edge-case order agree with Jacobi, for several band widths', () => {
  // With b = 8: n < b, n = b, b + 1, b + 2 (one panel, nothing / one row to reduce), odd n, n not a
  // multiple of 4 or of b, several panels. Wider bands check the tile loops over 2, 3, 4 chunks.
  const orders = [1, 2, 3, 5, 8, 9, 10, 11, 17, 31, 37, 64, 101];
  for (const b of [8, 16, 24, 32]) {
    for (const n of orders) {
      const a = randomSymmetric(n, 100 + n);
      const expected = jacobiEigenvalues(a, n);
      const got = symmetricEigenvaluesWasm(a, n, 'two-stage', b);
      assert.ok(maxRelativeError(got, expected) < 1e-13, `b=${b} n=${n}: ${maxRelativeError(got, expected)}`);
    }
  }
});

test('two-stage: closed-form spectra (repeated, zero, clustered, negative) hidden by an orthogonal similarity', () => {
  const spectra: Record<string, number[]> = {
    // rank-deficient: 60 of 130 eigenvalues exactly 0, as in a Gram matrix of a short-fat layer
    'rank 70 of 130': [...Array.from({ length: 70 }, (_, i) => 1 + i / 3), ...Array(60).fill(0)],
    repeated: [...Array(40).fill(2), ...Array(40).fill(-1), ...Array(21).fill(5)],
    // a cluster 1e-9 wide next to isolated eigenvalues: QL must still resolve each to 1e-13·‖A‖
    clustered: [...Array.from({ length: 50 }, (_, i) => 1 + 1e-9 * i), 10, 100, -3],
    graded: Array.from({ length: 77 }, (_, i) => 2 ** (-i / 3)),
  };
  for (const [name, d] of Object.entries(spectra)) {
    const a = hiddenSpectrum(d, d.length);
    for (const b of [8, 16]) {
      const got = symmetricEigenvaluesWasm(a, d.length, 'two-stage', b);
      assert.ok(maxRelativeError(got, ascending(d)) < 1e-13, `${name} b=${b}: ${maxRelativeError(got, ascending(d))}`);
    }
  }
});

test('two-stage and one-stage reductions give the same eigenvalues on larger orders', () => {
  for (const n of [257, 300]) {
    const a = randomSymmetric(n, n);
    const one = symmetricEigenvaluesWasm(a, n, 'one-stage');
    for (const b of [8, 16, 32]) {
      assert.ok(maxRelativeError(symmetricEigenvaluesWasm(a, n, 'two-stage', b), one) < 1e-13, `n=${n} b=${b}`);
    }
  }
});

test('two-stage on two threads: the split products give the same eigenvalues (skipped without workers)', async (t) => {
  if (!parallelAvailable()) {
    t.skip('needs SharedArrayBuffer, worker threads and 2 CPUs');
    return;
  }
  // 200 and 301 rows: several panels with >= 64 trailing rows, so both products and updates are split,
  // including shares that end in a partial 4-row tile; 301 rows also give five chunks of shared sweeps.
  // The two threads do exactly the one-thread operations (split by rows, the next panel factored
  // ahead, sweeps interleaved only where their rows do not overlap), so any race would show as
  // different bits: the result must equal the one-thread two-stage result exactly, every time.
  for (const n of [200, 301]) {
    const d = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 0 : Math.sin(i) * 10));
    const a = hiddenSpectrum(d, 3 * n);
    for (const b of [8, 16]) {
      const got = await parallelEigenvalues(a, n, 'two-stage', b);
      assert.ok(maxRelativeError(got, ascending(d)) < 1e-13, `n=${n} b=${b}: ${maxRelativeError(got, ascending(d))}`);
      const oneThread = symmetricEigenvaluesWasm(a, n, 'two-stage', b);
      for (let repeat = 0; repeat < 5; repeat++)
        assert.deepEqual(await parallelEigenvalues(a, n, 'two-stage', b), oneThread, `n=${n} b=${b} repeat ${repeat}`);
    }
    const one = await parallelEigenvalues(a, n, 'one-stage');
    assert.ok(maxRelativeError(one, ascending(d)) < 1e-13, `one-stage n=${n}`);
  }
});

test('side by side: two matrices solved at once, one per thread, give each one-thread result bit for bit (skipped without workers)', async (t) => {
  if (!parallelAvailable()) {
    t.skip('needs SharedArrayBuffer, worker threads and 2 CPUs');
    return;
  }
  // 600 and 530 take the two-stage reduction, 300 and 280 the one-stage one (reduction.ts), on
  // either side; the worker's solve and this thread's must equal symmetricEigenvaluesWasm exactly.
  for (const [n1, n2] of [
    [600, 530],
    [300, 280],
    [280, 600],
  ]) {
    const a1 = randomSymmetric(n1, n1),
      a2 = randomSymmetric(n2, n2);
    const [e1, e2] = await eigenvaluesSideBySide({ a: a1, n: n1 }, { a: a2, n: n2 });
    assert.deepEqual(e1, symmetricEigenvaluesWasm(a1, n1), `worker n=${n1}`);
    assert.deepEqual(e2, symmetricEigenvaluesWasm(a2, n2), `main n=${n2}`);
  }
  // A NaN on the worker's side is the same typed error as on one thread, and the pool still works.
  const bad = randomSymmetric(200, 3);
  bad[5 * 200 + 7] = Number.NaN;
  await assert.rejects(
    eigenvaluesSideBySide({ a: bad, n: 200 }, { a: randomSymmetric(200, 4), n: 200 }),
    NumericalError,
  );
  const good = randomSymmetric(210, 5);
  assert.deepEqual(
    (await eigenvaluesSideBySide({ a: good, n: 210 }, { a: good, n: 210 }))[0],
    symmetricEigenvaluesWasm(good, 210),
  );
});

test('layerSpectra (pairs, side by side when a core is spare) equals layerSpectrum layer by layer, bit for bit', async () => {
  const layer = (rows: number, cols: number, seed: number) =>
    layerMatrices('dense', new Tensor('float64', rng(seed).normal(rows * cols), [rows, cols]));
  for (const pair of [
    [layer(300, 500, 1), layer(520, 280, 2)],
    [layer(600, 700, 3), layer(560, 900, 4)],
    [layer(150, 160, 5), layer(600, 600, 6)],
  ]) {
    const together = await layerSpectra(pair);
    for (let i = 0; i < 2; i++) assert.deepEqual(together[i], await layerSpectrum(pair[i]));
  }
});

test('the input matrix is not modified and only its upper triangle is read, as an array or through a writer, by every solver and reduction', async () => {
  // Garbage (NaN) below the diagonal must not reach any eigenvalue: the Gram routes hand the solvers
  // an upper triangle only (gramUpperOnnxWriter writes the blocks on and above the block diagonal
  // into the solver's memory, whose lower part holds whatever the last solve left there).
  const n = 150;
  const a = randomSymmetric(n, 7);
  const upper = Float64Array.from(a);
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) upper[i * n + j] = Number.NaN;
  const copy = Float64Array.from(upper);
  const writer = (target: Float64Array) => {
    target.fill(Number.NaN);
    for (let i = 0; i < n; i++) target.set(a.subarray(i * n + i, (i + 1) * n), i * n + i);
  };
  for (const reduction of ['one-stage', 'two-stage'] as const) {
    const expected = symmetricEigenvaluesWasm(a, n, reduction);
    assert.ok(expected.every(Number.isFinite));
    for (const [name, got] of [
      ['array, one thread', symmetricEigenvaluesWasm(upper, n, reduction)],
      ['writer, one thread', symmetricEigenvaluesWasm(writer, n, reduction)],
      ['array, two threads', await parallelEigenvalues(upper, n, reduction)],
      ['writer, two threads', await parallelEigenvalues(writer, n, reduction)],
    ] as const) {
      // Same bits for two-stage on any thread count; one-stage on two threads sums partial products in another order.
      const tolerance = reduction === 'one-stage' && name.includes('two') ? 1e-13 : 0;
      assert.ok(
        maxRelativeError(got, expected) <= tolerance,
        `${reduction}, ${name}: ${maxRelativeError(got, expected)}`,
      );
    }
  }
  const [first, second] = await eigenvaluesSideBySide({ a: writer, n }, { a: upper, n });
  assert.equal(maxRelativeError(first, symmetricEigenvaluesWasm(a, n)), 0);
  assert.equal(maxRelativeError(second, symmetricEigenvaluesWasm(a, n)), 0);
  assert.deepEqual(upper, copy);
});

test('root-free QL: tridiagonal Toeplitz matrices have eigenvalues a + 2c cos(kπ/(n+1))', () => {
  const k = wasmKernel<{ tridiagonalEigenvaluesRootFree(d: number, e: number, n: number): number }>('eigen');
  for (const [n, diagonal, off] of [
    [1, 3, 0],
    [2, 1, 1],
    [7, -2, 0.5],
    [100, 4, -1],
    [501, 0, 1e-3],
  ] as const) {
    const got = k.withArena(() => {
      const d = k.writeFloat64(new Float64Array(n).fill(diagonal));
      const e = k.writeFloat64(new Float64Array(n).fill(off));
      assert.equal(k.exports.tridiagonalEigenvaluesRootFree(d, e, n), 0);
      return k.readFloat64(d, n).sort();
    });
    const expected = Float64Array.from(
      { length: n },
      (_, i) => diagonal + 2 * off * Math.cos(((i + 1) * Math.PI) / (n + 1)),
    ).sort();
    // 1e-14 of the norm: QL's error is O(eps·‖T‖), the closed form's cos() is exact to 1 ulp.
    const scale = Math.abs(diagonal) + 2 * Math.abs(off);
    for (let i = 0; i < n; i++)
      assert.ok(
        Math.abs(got[i] - expected[i]) <= 1e-14 * scale * Math.max(1, Math.log2(n)),
        `n=${n} i=${i}: ${got[i]} vs ${expected[i]}`,
      );
  }
});

test('auto picks the reduction by order and thread count; bad band widths and non-finite input are typed errors', () => {
  assert.equal(resolveReduction('auto', 300), 'one-stage');
  assert.equal(resolveReduction('auto', 511), 'one-stage');
  assert.equal(resolveReduction('auto', 512), 'two-stage');
  assert.equal(resolveReduction('one-stage', 4096), 'one-stage');
  assert.throws(() => symmetricEigenvaluesWasm(new Float64Array(4), 2, 'two-stage', 12), ArgumentError);
  assert.throws(() => symmetricEigenvaluesWasm(new Float64Array(4), 2, 'sideways' as never), ArgumentError);
  const a = randomSymmetric(20, 1);
  a[3 * 20 + 5] = Number.NaN;
  assert.throws(() => symmetricEigenvaluesWasm(a, 20, 'two-stage'), NumericalError);
});

test('QL converges on Gram matrices of rank-deficient layers, and their nonzero eigenvalues are those of the small side', async () => {
  // G = X Xᵀ (400 x 400) of X (400 x 200): 200 eigenvalues at the noise floor. With only a local
  // deflation test, QL did not converge on this matrix (eigenvalue 178 after 60 iterations). The
  // nonzero eigenvalues of X Xᵀ are the eigenvalues of Xᵀ X (200 x 200, full rank), found here by
  // the independent Jacobi method. Zeros: below 1e-12 λmax (the Gram noise is ~n·eps·λmax ≈ 1e-13).
  const n = 400,
    rank = 200;
  const x = rng(2).normal(n * rank);
  const g = new Float64Array(n * n),
    small = new Float64Array(rank * rank);
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      let s = 0;
      for (let t = 0; t < rank; t++) s += x[i * rank + t] * x[j * rank + t];
      g[i * n + j] = s;
      g[j * n + i] = s;
    }
  for (let p = 0; p < rank; p++)
    for (let q = 0; q < rank; q++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += x[i * rank + p] * x[i * rank + q];
      small[p * rank + q] = s;
    }
  const nonzero = jacobiEigenvalues(small, rank);
  const top = nonzero[rank - 1];
  const solvers: [string, () => Promise<Float64Array> | Float64Array][] = [
    ['plain JS', () => symmetricEigenvalues(g, n, 'js')],
    ['wasm one-stage', () => symmetricEigenvaluesWasm(g, n, 'one-stage')],
    ['wasm two-stage', () => symmetricEigenvaluesWasm(g, n, 'two-stage')],
  ];
  for (const [name, solve] of solvers) {
    const got = await solve();
    for (let i = 0; i < n - rank; i++) assert.ok(Math.abs(got[i]) < 1e-12 * top, `${name}: zero ${i} = ${got[i]}`);
    assert.ok(
      maxRelativeError(got.slice(n - rank), nonzero) < 1e-13,
      `${name}: ${maxRelativeError(got.slice(n - rank), nonzero)}`,
    );
  }
});
