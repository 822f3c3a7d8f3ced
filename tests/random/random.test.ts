// The generator against published Threefry-2x32-20 answers (the Random123 known-answer
// vectors that JAX's tests also use) and against jax-js, an independent implementation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBits32, rng, splitKey, threefry2x32, keyFromSeed } from 'weightlab/internal';

function block(key: [number, number], c0: number, c1: number): string[] {
  const out = new Uint32Array(2);
  threefry2x32(key, c0, c1, out, 0);
  return Array.from(out, (x) => x.toString(16).padStart(8, '0'));
}

test('Threefry-2x32-20 known-answer vectors', () => {
  assert.deepEqual(block([0, 0], 0, 0), ['6b200159', '99ba4efe']);
  assert.deepEqual(block([0xffffffff, 0xffffffff], 0xffffffff, 0xffffffff), ['1cb996fc', 'bb002be7']);
  assert.deepEqual(block([0x13198a2e, 0x03707344], 0x243f6a88, 0x85a308d3), ['c4923a9c', '483df7a0']);
});

test('keys, split and bits agree with jax-js', async () => {
  (globalThis as Record<string, unknown>).Float16Array ??= class Float16Array {};
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const jax = require('@jax-js/jax');
  await jax.init('wasm', 'cpu');
  const theirs = await jax.random.split(jax.random.key(123), 3).data();
  assert.deepEqual(splitKey(keyFromSeed(123), 3).flat(), Array.from(theirs));
  const bits = await jax.random.bits(jax.random.key(4_000_000_007), [64]).data();
  assert.deepEqual(Array.from(randomBits32(keyFromSeed(4_000_000_007), 64)), Array.from(bits));
  // jax-js keeps 32-bit seeds; JAX with x64 puts the high word first, as we do.
  assert.deepEqual(keyFromSeed(2 ** 40 + 7), [256, 7]);
});

test('same seed, same bytes; different seeds or draws differ', () => {
  const a = rng(7),
    b = rng(7);
  assert.deepEqual(Buffer.from(a.normal(100).buffer), Buffer.from(b.normal(100).buffer));
  assert.notDeepEqual(Array.from(a.uniform(4)), Array.from(rng(8).uniform(4)));
  const r = rng(1);
  assert.notDeepEqual(Array.from(r.bits(4)), Array.from(r.bits(4)));
  const [c1, c2] = rng(3).split(2);
  assert.notDeepEqual(Array.from(c1.bits(4)), Array.from(c2.bits(4)));
  assert.deepEqual(Array.from(rng(3).fold('layer1').bits(3)), Array.from(rng(3).fold('layer1').bits(3)));
});

test('uniform, normal and integers have the right moments', () => {
  const n = 200_000;
  const u = rng(11).uniform(n);
  const mean = u.reduce((s, x) => s + x, 0) / n;
  assert.ok(u.every((x) => x >= 0 && x < 1));
  // Standard error of the mean of U(0,1) is sqrt(1/12/n) ~ 6.5e-4; allow 5 of them.
  assert.ok(Math.abs(mean - 0.5) < 5 * Math.sqrt(1 / 12 / n), `mean ${mean}`);
  const z = rng(12).normal(n);
  const zMean = z.reduce((s, x) => s + x, 0) / n;
  const zVar = z.reduce((s, x) => s + (x - zMean) ** 2, 0) / n;
  assert.ok(Math.abs(zMean) < 5 / Math.sqrt(n));
  // Var of the sample variance of N(0,1) is 2/n; 5 standard errors.
  assert.ok(Math.abs(zVar - 1) < 5 * Math.sqrt(2 / n), `var ${zVar}`);
  // integers: chi-square over 10 bins, 9 dof; P(chi2 > 33.7) ~ 1e-4.
  const ints = rng(13).integers(100_000, 0, 10);
  const counts = new Array(10).fill(0);
  ints.forEach((i) => counts[i]++);
  const chi2 = counts.reduce((s, c) => s + (c - 10_000) ** 2 / 10_000, 0);
  assert.ok(chi2 < 33.7, `chi2 ${chi2}`);
  const p = rng(14).permutation(50);
  assert.deepEqual(
    [...p].sort((a, b) => a - b),
    Array.from({ length: 50 }, (_, i) => i),
  );
});
