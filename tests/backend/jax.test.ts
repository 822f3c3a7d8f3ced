// Bridges between weightlab Tensors and jax-js arrays: values, shapes and dtypes survive the
// round trip exactly as documented in lib/src/backend/jax.ts (no tolerance: every value here is
// exactly representable in both dtypes, so equality is exact).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Tensor,
  jax,
  toJax,
  fromJax,
  DTypeError,
  ArgumentError,
  FROM_JAX_DEFAULTS,
  TO_JAX_DEFAULTS,
} from 'weightlab/internal';
import { withEngine } from './oracle';

test('float64, float32 and int32 round-trip with dtype and values unchanged', async () => {
  const cases = [
    new Tensor('float64', Float64Array.of(1.5, -2.25, Math.PI, 1e-300, -0, 7), [2, 3]),
    new Tensor('float32', Float32Array.of(0.1, -3, 1e30, 5), [4]),
    new Tensor('int32', Int32Array.of(-2147483648, 0, 2147483647), [3, 1]),
    new Tensor('float64', Float64Array.of(42), []),
  ];
  for (const tensor of cases) {
    const array = await toJax(tensor);
    assert.equal(String(array.dtype), tensor.dtype);
    assert.deepEqual(array.shape, [...tensor.shape]);
    const back = await fromJax(array, { consume: true });
    assert.equal(back.dtype, tensor.dtype);
    assert.deepEqual(back.shape, tensor.shape);
    assert.deepEqual(Array.from(back.data as Float64Array), Array.from(tensor.data as Float64Array));
  }
});

test('strided views are packed in logical order', async () => {
  const base = Tensor.from(
    Float64Array.from({ length: 12 }, (_, i) => i),
    [3, 4],
  );
  const view = base.transpose().slice(1, 3); // rows 1..2 of the 4x3 transpose
  const back = await fromJax(await toJax(view), { consume: true });
  assert.deepEqual(back.toArray(), view.toArray());
});

test('narrow integer, bool, half and int64 dtypes convert as documented', async () => {
  const int8 = await fromJax(await toJax(new Tensor('int8', Int8Array.of(-128, 5, 127), [3])), { consume: true });
  assert.equal(int8.dtype, 'int32');
  assert.deepEqual(Array.from(int8.data as Int32Array), [-128, 5, 127]);
  const flags = await fromJax(await toJax(new Tensor('bool', Uint8Array.of(1, 0, 1), [3])), { consume: true });
  assert.equal(flags.dtype, 'bool');
  assert.deepEqual(Array.from(flags.data as Uint8Array), [1, 0, 1]);
  const half = Tensor.from([0.5, -1.75, 65504], [3], 'float16'); // all exact in float16 and float32
  const widened = await fromJax(await toJax(half), { consume: true });
  assert.equal(widened.dtype, 'float32');
  assert.deepEqual(Array.from(widened.data as Float32Array), [0.5, -1.75, 65504]);
  const small = await fromJax(await toJax(new Tensor('int64', BigInt64Array.of(-3n, 9n), [2])), { consume: true });
  assert.deepEqual([small.dtype, ...Array.from(small.data as Int32Array)], ['int32', -3, 9]);
  await assert.rejects(toJax(new Tensor('int64', BigInt64Array.of(2n ** 40n), [1])), DTypeError);
});

test('fromJax keeps the array alive unless asked to consume it', async () => {
  const array = await toJax(Tensor.from(Float64Array.of(1, 2, 3)));
  await fromJax(array);
  assert.equal(array.refCount, 1);
  const again = await fromJax(array, { consume: true });
  assert.deepEqual(Array.from(again.data as Float64Array), [1, 2, 3]);
  assert.equal(array.refCount, 0);
});

test('bridge options: an unknown key is an ArgumentError listing the valid ones and leaves the array alive; undefined keeps consume false', async () => {
  const array = await toJax(Tensor.from(Float64Array.of(1, 2)), { device: undefined });
  await assert.rejects(
    fromJax(array, { consumed: true } as never),
    (e: unknown) =>
      e instanceof ArgumentError &&
      /did you mean 'consume'/.test(e.message) &&
      e.details.expected === `one of ${Object.keys(FROM_JAX_DEFAULTS).join(', ')}`,
  );
  assert.equal(array.refCount, 1);
  await fromJax(array, { consume: undefined });
  assert.equal(array.refCount, 1);
  await assert.rejects(
    toJax(Tensor.from(Float64Array.of(1)), { devise: 'cpu' } as never),
    (e: unknown) =>
      e instanceof ArgumentError && e.details.expected === `one of ${Object.keys(TO_JAX_DEFAULTS).join(', ')}`,
  );
  array.dispose();
});

test('arrays from toJax feed jax-js programs (float64 sum of squares, exact for small integers)', async () => {
  const { numpy: np } = await jax();
  const x = await toJax(Tensor.from(Float64Array.of(1, 2, 3, 4)));
  const total = await fromJax(np.sum(x.ref.mul(x)), { consume: true });
  assert.equal(total.dtype, 'float64');
  assert.equal(total.get(), 30);
});

test('WEIGHTLAB_ENGINE=js puts new arrays on the jax-js cpu device', async () => {
  await withEngine('js', async () => {
    const array = await toJax(Tensor.from(Float64Array.of(1)));
    assert.equal(array.device, 'cpu');
    array.dispose();
  });
  const array = await toJax(Tensor.from(Float64Array.of(1)));
  assert.equal(array.device, 'wasm');
  array.dispose();
});
