// The AssemblyScript row-dots kernel and the plain-JS one against the triple-loop oracle, on
// every edge of the register blocking (odd rows, odd columns, sizes below one block), and the
// generic wasm loader (arena, growth, missing kernels, WEIGHTLAB_ENGINE=js).
// Tolerance: float64, 1e-12 of (|A||B|)_ij per entry (see products.test.ts for the bound).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FormatError, wasmKernel, wasmKernelAvailable } from 'weightlab/internal';
import { rowDots, rowDotsEngine, rowDotsJs, rowDotsWasm } from 'weightlab/dist/backend/row-dots';
import { absoluteProduct, naiveMatmul, randomValues, transposed, withEngine, worstScaledError } from './oracle';

const SIZES: [number, number, number][] = [
  [1, 1, 1],
  [2, 3, 1],
  [3, 5, 2],
  [5, 4, 3],
  [7, 9, 11],
  [8, 8, 8],
  [13, 6, 65],
  [66, 70, 257],
  [3, 130, 600],
];

for (const [name, kernel] of [
  ['wasm', rowDotsWasm],
  ['js', rowDotsJs],
] as const) {
  test(`${name} row dots: C = A Bᵀ matches the oracle for every block edge`, () => {
    let seed = 100;
    for (const [m, n, k] of SIZES) {
      const a = randomValues(seed++, m * k) as Float64Array;
      const b = randomValues(seed++, n * k) as Float64Array;
      const bt = transposed(b, n, k);
      const error = worstScaledError(
        kernel(a, m, b, n, k),
        naiveMatmul(a, bt, m, k, n),
        absoluteProduct(a, bt, m, k, n),
      );
      assert.ok(error <= 1e-12, `${m}x${n}x${k}: scaled error ${error}`);
    }
  });

  test(`${name} row dots: symmetric mode gives the exactly symmetric Gram A Aᵀ`, () => {
    let seed = 200;
    for (const [m, , k] of SIZES) {
      const a = randomValues(seed++, m * k) as Float64Array;
      const at = transposed(a, m, k);
      const g = kernel(a, m, a, m, k, true);
      const error = worstScaledError(g, naiveMatmul(a, at, m, k, m), absoluteProduct(a, at, m, k, m));
      assert.ok(error <= 1e-12, `${m}x${k}: scaled error ${error}`);
      for (let i = 0; i < m; i++) for (let j = 0; j < i; j++) assert.equal(g[i * m + j], g[j * m + i]);
    }
  });
}

test('rowDots dispatches to wasm by default and to plain JS under WEIGHTLAB_ENGINE=js', async () => {
  assert.equal(rowDotsEngine(), 'wasm');
  assert.equal(wasmKernelAvailable('gram'), true);
  await withEngine('js', () => {
    assert.equal(rowDotsEngine(), 'js');
    assert.equal(wasmKernelAvailable('gram'), false);
    const a = Float64Array.of(1, 2, 3, 4);
    assert.deepEqual(Array.from(rowDots(a, 2, a, 2, 2, true)), [5, 11, 11, 25]);
  });
});

test('loader: arena allocations are aligned, grow memory, and are released by withArena', () => {
  const kernel = wasmKernel('gram');
  const before = kernel.arenaBytes;
  const pages = kernel.memory.buffer.byteLength;
  kernel.withArena(() => {
    const first = kernel.allocate(3);
    const second = kernel.allocateFloat64(1 << 18); // 2 MiB: forces growth past any prior size
    assert.equal(first % 16, 0);
    assert.equal(second % 16, 0);
    assert.ok(second >= first + 3);
    const values = Float64Array.from({ length: 1000 }, (_, i) => i / 7);
    const at = kernel.writeFloat64(values);
    assert.deepEqual(kernel.readFloat64(at, 1000), values);
    assert.ok(kernel.memory.buffer.byteLength >= pages);
  });
  assert.equal(kernel.arenaBytes, before);
  assert.throws(() => kernel.allocate(-1));
});

test('loader: a missing kernel is a FormatError naming the file; unavailable is false, not a throw', () => {
  assert.throws(
    () => wasmKernel('no-such-kernel'),
    (e: unknown) => e instanceof FormatError && /no-such-kernel\.wasm$/.test(String(e.details.file)),
  );
  assert.equal(wasmKernelAvailable('no-such-kernel'), false);
});

test('both kernel builds: relaxed SIMD (fused multiply-add) where the runtime has it, plain SIMD under WEIGHTLAB_RELAXED_SIMD=0, same results to rounding', async () => {
  // Node 20 accepts relaxed SIMD once the loader sets V8's flag; this machine (x86-64 with FMA3)
  // must take the relaxed build. A child process with WEIGHTLAB_RELAXED_SIMD=0 takes the plain one.
  // Both must find the eigenvalues and Gram matrix of the same seeded matrix: the fused and unfused
  // kernels differ only in rounding, so 1e-13 relative to the largest eigenvalue (n eps ‖A‖ bound
  // of a backward-stable reduction at n = 300, as in tests/spectral) and 1e-12 of |X||X|ᵀ per Gram entry.
  const { relaxedSimdDecision, kernelPath } = await import('weightlab/dist/backend/wasm');
  assert.equal(relaxedSimdDecision().inUse, true, relaxedSimdDecision().reason);
  assert.match(kernelPath('eigen'), /wasm[\\/]relaxed[\\/]eigen\.wasm$/);
  const script = `
    const { rng } = require('weightlab/internal');
    const { symmetricEigenvaluesWasm, gramUpperWasm } = require('weightlab/dist/eigen/eigen-wasm');
    const { kernelPath, relaxedSimdDecision } = require('weightlab/dist/backend/wasm');
    const n = 300, x = rng(5).normal(n * n), a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = x[i * n + j] + x[j * n + i];
    const g = gramUpperWasm(x.subarray(0, 40 * 90), 40, 90);
    console.log(JSON.stringify({ path: kernelPath('eigen'), inUse: relaxedSimdDecision().inUse,
      one: [...symmetricEigenvaluesWasm(a, n, 'one-stage')], two: [...symmetricEigenvaluesWasm(a, n, 'two-stage')], g: [...g] }));`;
  const run = (relaxed: string) => {
    const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
    return JSON.parse(
      execFileSync(process.execPath, ['-e', script], {
        env: { ...process.env, WEIGHTLAB_RELAXED_SIMD: relaxed },
        encoding: 'utf8',
      }),
    );
  };
  const plain = run('0'),
    fused = run('');
  assert.equal(plain.inUse, false);
  assert.match(plain.path, /wasm[\\/]eigen\.wasm$/);
  assert.equal(fused.inUse, true);
  for (const key of ['one', 'two'] as const) {
    const top = Math.max(...fused[key].map(Math.abs));
    const worst = Math.max(...fused[key].map((v: number, i: number) => Math.abs(v - plain[key][i]))) / top;
    assert.ok(worst <= 1e-13, `${key}-stage: relative difference ${worst}`);
  }
  const x = (await import('weightlab')).rng(5).normal(40 * 90);
  const xt = transposed(x, 40, 90);
  const want = naiveMatmul(x, xt, 40, 90, 40),
    scale = absoluteProduct(x, xt, 40, 90, 40);
  for (const g of [plain.g, fused.g]) {
    const upper = new Float64Array(40 * 40),
      wantUpper = new Float64Array(40 * 40),
      scaleUpper = new Float64Array(40 * 40).fill(1);
    for (let i = 0; i < 40; i++)
      for (let j = i; j < 40; j++) {
        upper[i * 40 + j] = g[i * 40 + j];
        wantUpper[i * 40 + j] = want[i * 40 + j];
        scaleUpper[i * 40 + j] = scale[i * 40 + j];
      }
    assert.ok(worstScaledError(upper, wantUpper, scaleUpper) <= 1e-12);
  }
});
