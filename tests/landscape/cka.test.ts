// CKA against closed forms and formulas computed another way: for one-dimensional features
// linear CKA is the squared Pearson correlation; the debiased estimator against Song et al.'s
// unbiased HSIC written term by term; RBF CKA against tr(K H L H) with an explicit centring
// matrix; and the invariants (CKA(X, X) = 1, orthogonal and isotropic-scale invariance).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cka, linearGram, rbfGram, representation, rng } from 'weightlab/internal';

function randomRep(seed: number, n: number, d: number) {
  return representation(rng(seed).normal(n * d), n, d);
}

test('CKA(X, X) = 1 for every variant', () => {
  const x = randomRep(1, 40, 7);
  for (const kind of ['linear', 'linear-gram', 'debiased', 'rbf'] as const) {
    assert.ok(Math.abs(cka(x, x, { kind }) - 1) < 1e-12, `${kind}: ${cka(x, x, { kind })}`);
  }
});

test('linear CKA of 1-D features is the squared Pearson correlation', () => {
  const n = 50;
  const a = rng(2).normal(n);
  const noise = rng(3).normal(n);
  const b = a.map((v, i) => 0.7 * v + noise[i]);
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  const r2 = (sab * sab) / (saa * sbb);
  const value = cka(representation(a, n, 1), representation(b, n, 1));
  assert.ok(Math.abs(value - r2) < 1e-12, `${value} vs ${r2}`);
  assert.ok(Math.abs(cka(representation(a, n, 1), representation(b, n, 1), { kind: 'linear-gram' }) - r2) < 1e-12);
});

test('feature and Gram forms agree; invariant to rotations and isotropic scaling', () => {
  const x = randomRep(4, 60, 5);
  const y = randomRep(5, 60, 3);
  const feature = cka(x, y, { kind: 'linear' });
  assert.ok(Math.abs(feature - cka(x, y, { kind: 'linear-gram' })) < 1e-12);
  assert.ok(feature >= 0 && feature <= 1);
  // Y Q with a 2-D rotation on the first two columns, times 3.5.
  const angle = 0.83;
  const rotated = new Float64Array(y.values.length);
  for (let i = 0; i < 60; i++) {
    const [u, v, w] = [y.values[i * 3], y.values[i * 3 + 1], y.values[i * 3 + 2]];
    rotated[i * 3] = 3.5 * (Math.cos(angle) * u - Math.sin(angle) * v);
    rotated[i * 3 + 1] = 3.5 * (Math.sin(angle) * u + Math.cos(angle) * v);
    rotated[i * 3 + 2] = 3.5 * w;
  }
  assert.ok(Math.abs(cka(x, representation(rotated, 60, 3)) - feature) < 1e-12);
});

function hsicUnbiased(K: Float64Array, L: Float64Array, n: number): number {
  // Song et al. (2012), eq. 5: K~, L~ with zero diagonals.
  const k = Float64Array.from(K);
  const l = Float64Array.from(L);
  for (let i = 0; i < n; i++) {
    k[i * n + i] = 0;
    l[i * n + i] = 0;
  }
  let trKL = 0;
  let sumK = 0;
  let sumL = 0;
  let oneKLone = 0;
  const kRow = new Float64Array(n);
  const lCol = new Float64Array(n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      trKL += k[i * n + j] * l[j * n + i];
      sumK += k[i * n + j];
      sumL += l[i * n + j];
      kRow[j] += k[i * n + j];
      lCol[i] += l[i * n + j];
    }
  for (let j = 0; j < n; j++) oneKLone += kRow[j] * lCol[j];
  return (trKL + (sumK * sumL) / ((n - 1) * (n - 2)) - (2 / (n - 2)) * oneKLone) / (n * (n - 3));
}

test('debiased CKA equals the ratio of Song et al. unbiased HSIC estimates', () => {
  const n = 30;
  const x = randomRep(6, n, 4);
  const y = randomRep(7, n, 6);
  const K = linearGram(x);
  const L = linearGram(y);
  const oracle = hsicUnbiased(K, L, n) / Math.sqrt(hsicUnbiased(K, K, n) * hsicUnbiased(L, L, n));
  assert.ok(
    Math.abs(cka(x, y, { kind: 'debiased' }) - oracle) < 1e-12,
    `${cka(x, y, { kind: 'debiased' })} vs ${oracle}`,
  );
});

test('RBF CKA equals tr(KHLH) / sqrt(tr(KHKH) tr(LHLH)) with an explicit centring matrix', () => {
  const n = 25;
  const x = randomRep(8, n, 3);
  const y = randomRep(9, n, 2);
  const K = rbfGram(x);
  const L = rbfGram(y);
  const H = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) H[i * n + j] = (i === j ? 1 : 0) - 1 / n;
  const mul = (A: Float64Array, B: Float64Array) => {
    const C = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) C[i * n + j] += A[i * n + k] * B[k * n + j];
    return C;
  };
  const trace = (A: Float64Array) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += A[i * n + i];
    return s;
  };
  const KH = mul(K, H);
  const LH = mul(L, H);
  const oracle = trace(mul(KH, LH)) / Math.sqrt(trace(mul(KH, KH)) * trace(mul(LH, LH)));
  assert.ok(Math.abs(cka(x, y, { kind: 'rbf' }) - oracle) < 1e-12, `${cka(x, y, { kind: 'rbf' })} vs ${oracle}`);
});
