// matmul / gram / batchedMatmul on every engine path (onnxruntime-node, wasm kernel, plain JS)
// against the triple-loop float64 oracle.
//
// Tolerances, per entry, scaled by (|A||B|)_ij (the quantity rounding error is bounded by):
//   float64: 1e-12. The classical bound for a length-k dot product is k*u*(|A||B|)_ij with
//            u = 2^-53; the oracle has the same bound, so their difference is <= 2k*u, which is
//            2.3e-13 for the largest k = 1024 used here (blocked/SIMD sums do better).
//   float32: (k + 2) * 2^-24. Inputs are exact float32 values (the oracle reads the same values
//            in float64), ORT accumulates in float32 (k*u32*(|A||B|)), and the result is rounded
//            to float32 once more (u32*|C| <= u32*(|A||B|)); the oracle's own error is ~1e-16.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Tensor,
  matmul,
  gram,
  batchedMatmul,
  backendInfo,
  DTypeError,
  ShapeError,
  ArgumentError,
  MATMUL_DEFAULTS,
  GRAM_DEFAULTS,
  onnxUnavailable,
} from 'weightlab/internal';
import {
  absoluteProduct,
  ENGINES,
  naiveMatmul,
  randomMatrix,
  randomValues,
  transposed,
  withEngine,
  worstScaledError,
} from './oracle';

const U32 = 2 ** -24;
const tolerance = (dtype: string, k: number) => (dtype === 'float64' ? 1e-12 : (k + 2) * U32);
const expectedEngine = {
  auto: /^onnxruntime-node 1\.30\.0 \(cpu, 2 threads\)$/,
  wasm: /^weightlab wasm \(AssemblyScript, SIMD\)$/,
  js: /^plain JS$/,
};

for (const engine of ENGINES) {
  for (const dtype of ['float64', 'float32'] as const) {
    test(`matmul ${dtype} on ${engine}: non-square, all transpose flags`, () =>
      withEngine(engine, async () => {
        assert.match(backendInfo().matmul, expectedEngine[engine]);
        const [m, k, n] = [37, 53, 29];
        const a = randomMatrix(1, m, k, dtype);
        const b = randomMatrix(2, k, n, dtype);
        const want = naiveMatmul(a.data, b.data, m, k, n);
        const scale = absoluteProduct(a.data, b.data, m, k, n);
        // Stored transposed operands: (Aᵀ stored as k x m) with transposeA, etc.
        const aStored = new Tensor(
          dtype,
          dtype === 'float64' ? transposed(a.data, m, k) : Float32Array.from(transposed(a.data, m, k)),
          [k, m],
        );
        const bStored = new Tensor(
          dtype,
          dtype === 'float64' ? transposed(b.data, k, n) : Float32Array.from(transposed(b.data, k, n)),
          [n, k],
        );
        const cases: [Tensor, Tensor, { transposeA?: boolean; transposeB?: boolean }][] = [
          [a, b, {}],
          [aStored, b, { transposeA: true }],
          [a, bStored, { transposeB: true }],
          [aStored, bStored, { transposeA: true, transposeB: true }],
          [aStored.transpose(), bStored.transpose(), {}], // strided views: zero-copy flag flip on ORT
        ];
        for (const [left, right, options] of cases) {
          const c = await matmul(left, right, options);
          assert.equal(c.dtype, dtype);
          assert.deepEqual(c.shape, [m, n]);
          const error = worstScaledError(c.data, want, scale);
          assert.ok(error <= tolerance(dtype, k), `${JSON.stringify(options)}: scaled error ${error}`);
        }
      }));

    test(`gram ${dtype} on ${engine}: rows, columns, smaller, transposed view`, () =>
      withEngine(engine, async () => {
        const [m, n] = [23, 71];
        const w = randomMatrix(3, m, n, dtype);
        const wt = transposed(w.data, m, n);
        const rows = naiveMatmul(w.data, wt, m, n, m);
        const rowsScale = absoluteProduct(w.data, wt, m, n, m);
        const columns = naiveMatmul(wt, w.data, n, m, n);
        const columnsScale = absoluteProduct(wt, w.data, n, m, n);
        const check = (g: Tensor, want: Float64Array, scale: Float64Array, size: number, k: number, label: string) => {
          assert.deepEqual(g.shape, [size, size], label);
          assert.equal(g.dtype, dtype, label);
          const error = worstScaledError(g.toFloat64(), want, scale);
          assert.ok(error <= tolerance(dtype, k), `${label}: scaled error ${error}`);
        };
        check(await gram(w, { side: 'rows' }), rows, rowsScale, m, n, 'rows');
        check(await gram(w, { side: 'columns' }), columns, columnsScale, n, m, 'columns');
        check(await gram(w), rows, rowsScale, m, n, 'smaller (rows)');
        check(await gram(w.transpose()), rows, rowsScale, m, n, 'smaller of the transposed view (its columns)');
        check(await gram(w.transpose(), { side: 'rows' }), columns, columnsScale, n, m, 'rows of the transposed view');
        if (engine !== 'auto') {
          // The kernels compute one triangle and mirror it: exactly symmetric.
          const g = (await gram(w, { side: 'columns' })).toFloat64();
          for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) assert.equal(g[i * n + j], g[j * n + i]);
        }
      }));
  }

  test(`matmul float64 on ${engine}: sizes past the cache blocks (k > 256, n > 64, odd edges)`, () =>
    withEngine(engine, async () => {
      const [m, k, n] = [131, 517, 203];
      const a = randomMatrix(4, m, k);
      const b = randomMatrix(5, k, n);
      const error = worstScaledError(
        (await matmul(a, b)).data,
        naiveMatmul(a.data, b.data, m, k, n),
        absoluteProduct(a.data, b.data, m, k, n),
      );
      assert.ok(error <= 1e-12, `scaled error ${error}`);
      const g = await gram(a, { side: 'rows' });
      const at = transposed(a.data, m, k);
      const gError = worstScaledError(g.data, naiveMatmul(a.data, at, m, k, m), absoluteProduct(a.data, at, m, k, m));
      assert.ok(gError <= 1e-12, `gram scaled error ${gError}`);
    }));

  if (engine === 'auto') {
    test('gram on onnxruntime in 2, 6 and 4 blocks (uneven splits): the upper block products and their transposes', async () => {
      // gramBlocks: 401 -> 2 blocks (201 + 200), 643 -> 6 (108 x 5 + 103), 1030 -> 4 (258 x 3 + 256).
      for (const [size, k] of [
        [401, 29],
        [643, 17],
        [1030, 11],
      ]) {
        for (const dtype of ['float64', 'float32'] as const) {
          const w = randomMatrix(size, size, k, dtype);
          const wt = transposed(w.data, size, k);
          const want = naiveMatmul(w.data, wt, size, k, size);
          const scale = absoluteProduct(w.data, wt, size, k, size);
          const rows = await gram(w, { side: 'rows' });
          assert.ok(worstScaledError(rows.toFloat64(), want, scale) <= tolerance(dtype, k), `${dtype} rows ${size}`);
          const columns = await gram(new Tensor('float64', wt, [k, size]).astype(dtype), { side: 'columns' });
          assert.ok(
            worstScaledError(columns.toFloat64(), want, scale) <= tolerance(dtype, k),
            `${dtype} columns ${size}`,
          );
        }
      }
    });
  }

  test(`batchedMatmul on ${engine}: broadcasting and transposes`, () =>
    withEngine(engine, async () => {
      const [m, k, n] = [5, 7, 4];
      const a = new Tensor('float64', randomValues(6, 2 * m * k) as Float64Array, [2, 1, m, k]);
      const b = new Tensor('float64', randomValues(7, 3 * k * n) as Float64Array, [3, k, n]);
      const c = await batchedMatmul(a, b);
      assert.deepEqual(c.shape, [2, 3, m, n]);
      for (let i = 0; i < 2; i++) {
        for (let j = 0; j < 3; j++) {
          const left = a.data.subarray(i * m * k, (i + 1) * m * k);
          const right = b.data.subarray(j * k * n, (j + 1) * k * n);
          const got = c.toFloat64().subarray((i * 3 + j) * m * n, (i * 3 + j + 1) * m * n);
          const error = worstScaledError(got, naiveMatmul(left, right, m, k, n), absoluteProduct(left, right, m, k, n));
          assert.ok(error <= 1e-12, `batch ${i},${j}: scaled error ${error}`);
        }
      }
      // [3, n, k] with transposeB against a shared rank-2 A (m x k).
      const shared = randomMatrix(8, m, k);
      const stored = new Tensor('float64', randomValues(9, 3 * n * k) as Float64Array, [3, n, k]);
      const d = await batchedMatmul(shared, stored, { transposeB: true });
      assert.deepEqual(d.shape, [3, m, n]);
      for (let j = 0; j < 3; j++) {
        const right = transposed(stored.data.subarray(j * n * k, (j + 1) * n * k), n, k);
        const got = d.toFloat64().subarray(j * m * n, (j + 1) * m * n);
        assert.ok(
          worstScaledError(
            got,
            naiveMatmul(shared.data, right, m, k, n),
            absoluteProduct(shared.data, right, m, k, n),
          ) <= 1e-12,
        );
      }
      const f32 = await batchedMatmul(a.astype('float32'), b.astype('float32'));
      assert.equal(f32.dtype, 'float32');
    }));

  test(`empty operands on ${engine} give zero-filled results`, () =>
    withEngine(engine, async () => {
      const c = await matmul(Tensor.zeros([3, 0]), Tensor.zeros([0, 4]));
      assert.deepEqual(c.shape, [3, 4]);
      assert.ok(c.toFloat64().every((v) => v === 0));
      assert.deepEqual((await gram(Tensor.zeros([0, 5]), { side: 'columns' })).shape, [5, 5]);
    }));
}

test('typed errors name the offending argument', async () => {
  const a = randomMatrix(10, 3, 4);
  await assert.rejects(
    matmul(a, randomMatrix(11, 5, 2)),
    (e: unknown) => e instanceof ShapeError && e.details.field === 'b',
  );
  await assert.rejects(
    matmul(new Tensor('int32', new Int32Array(12), [3, 4]), a),
    (e: unknown) => e instanceof DTypeError && e.details.field === 'a',
  );
  await assert.rejects(
    matmul(a, randomMatrix(12, 4, 2, 'float32')),
    (e: unknown) => e instanceof DTypeError && e.details.field === 'b',
  );
  await assert.rejects(
    matmul(Tensor.zeros([2, 2, 2]), a),
    (e: unknown) => e instanceof ShapeError && e.details.field === 'a',
  );
  await assert.rejects(
    gram(new Tensor('float16', new Uint16Array(4), [2, 2])),
    (e: unknown) => e instanceof DTypeError && e.details.field === 'w',
  );
  await assert.rejects(gram(a, { side: 'diagonal' as never }), ArgumentError);
  await assert.rejects(
    batchedMatmul(Tensor.zeros([2, 3, 4]), Tensor.zeros([3, 4, 5])),
    (e: unknown) => e instanceof ShapeError && e.details.field === 'b',
  );
});

test(
  'an explicit engine option wins over WEIGHTLAB_ENGINE: float32 onnx accumulates in float32, js in float64',
  { skip: onnxUnavailable() },
  () =>
    withEngine('js', async () => {
      // Under the js-only policy an explicit 'onnx' still runs on onnxruntime (the one engine rule):
      // its float32 product differs from the float64-accumulated JS one in some entries, and both
      // stay within their bounds of the oracle.
      const [m, k, n] = [40, 700, 30];
      const a = randomMatrix(21, m, k, 'float32');
      const b = randomMatrix(22, k, n, 'float32');
      const want = naiveMatmul(a.data, b.data, m, k, n);
      const scale = absoluteProduct(a.data, b.data, m, k, n);
      const onnx = await matmul(a, b, { engine: 'onnx' });
      const js = await matmul(a, b, { engine: 'js' });
      const auto = await matmul(a, b);
      assert.ok(worstScaledError(onnx.data, want, scale) <= tolerance('float32', k));
      assert.ok(worstScaledError(js.data, want, scale) <= 2 * U32, 'float64 accumulation rounds once');
      assert.notDeepEqual(onnx.data, js.data);
      assert.deepEqual(auto.data, js.data, "'auto' follows the policy");
      const g = await gram(a, { side: 'rows', engine: 'onnx' });
      assert.notDeepEqual(g.data, (await gram(a, { side: 'rows', engine: 'js' })).data);
    }),
);

test('product options: unknown keys and engines are ArgumentErrors listing the valid ones; undefined keeps a default', async () => {
  const a = randomMatrix(30, 4, 3);
  await assert.rejects(
    matmul(a, a, { transpose: true } as never),
    (e: unknown) =>
      e instanceof ArgumentError &&
      /did you mean 'transposeA' or 'transposeB'/.test(e.message) &&
      e.details.expected === `one of ${Object.keys(MATMUL_DEFAULTS).join(', ')}`,
  );
  await assert.rejects(
    gram(a, { sides: 'rows' } as never),
    (e: unknown) =>
      e instanceof ArgumentError && e.details.expected === `one of ${Object.keys(GRAM_DEFAULTS).join(', ')}`,
  );
  await assert.rejects(
    matmul(a, a, { engine: 'jax' as never }),
    (e: unknown) =>
      e instanceof ArgumentError &&
      e.details.field === 'engine' &&
      /'onnx', 'wasm', 'js'/.test(String(e.details.expected)),
  );
  const explicit = await matmul(a, a, { transposeA: true, transposeB: undefined, engine: 'js' });
  assert.deepEqual(explicit.shape, [3, 3]);
  assert.deepEqual((await gram(a, { side: undefined, engine: 'js' })).shape, [3, 3], "undefined keeps side 'smaller'");
});
