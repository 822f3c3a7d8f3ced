// Tensor layout: strides, views and copies checked against index arithmetic done by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, matrix, ShapeError, contiguousStrides, mimeBundle } from 'weightlab/internal';

const counting = (n: number) => Float64Array.from({ length: n }, (_, i) => i);

test('row-major strides and element access', () => {
  const t = Tensor.from(counting(24), [2, 3, 4]);
  assert.deepEqual(t.strides, [12, 4, 1]);
  assert.equal(t.get(1, 2, 3), 1 * 12 + 2 * 4 + 3);
  assert.deepEqual(contiguousStrides([5, 1, 2]), [2, 2, 1]);
  assert.throws(() => t.get(2, 0, 0), ShapeError);
});

test('transpose is a view and contiguous() copies in the new order', () => {
  const t = Tensor.from(counting(6), [2, 3]);
  const tt = t.transpose();
  assert.deepEqual(tt.shape, [3, 2]);
  assert.equal(tt.data, t.data);
  assert.equal(tt.isContiguous, false);
  assert.deepEqual(Array.from(tt.toFloat64()), [0, 3, 1, 4, 2, 5]);
  assert.deepEqual(tt.toArray(), [
    [0, 3],
    [1, 4],
    [2, 5],
  ]);
});

test('reshape of a transposed view copies, slices and at() offset correctly', () => {
  const t = Tensor.from(counting(12), [3, 4]);
  assert.deepEqual(Array.from(t.transpose().reshape([12]).toFloat64()), [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
  assert.deepEqual(t.reshape([2, -1]).shape, [2, 6]);
  assert.deepEqual(Array.from(t.slice(1, 3).at(1).toFloat64()), [8, 9, 10, 11]);
  assert.throws(() => t.reshape([5, 2]), ShapeError);
});

test('astype converts through float64 with documented rounding', () => {
  const t = Tensor.from([1.7, -1.7, 1 / 3], [3]);
  assert.deepEqual(Array.from(t.astype('int32').data), [1, -1, 0]);
  const half = t.astype('float16');
  assert.equal(half.dtype, 'float16');
  assert.equal(half.get(2), 0.333251953125);
  assert.deepEqual(Array.from(t.astype('int64').data), [1n, -1n, 0n]);
  assert.deepEqual(Array.from(Tensor.from([0, 2, -1], [3]).astype('bool').data), [0, 1, 1]);
});

test('constructor rejects strides that reach outside the storage', () => {
  assert.throws(() => new Tensor('float32', new Float32Array(4), [2, 3]), ShapeError);
  assert.throws(() => new Tensor('float32', new Float32Array(6), [2, 3], { offset: 1 }), ShapeError);
});

test('matrix() and the text summary', () => {
  const m = matrix(2, 2, [1, 2, 3, 4]);
  assert.equal(m.dtype, 'float64');
  const text = String(m[mimeBundle]().data['text/plain']);
  assert.match(text, /float64 \[2, 2\] min 1 max 4 mean 2\.5 std 1\.118/);
  assert.throws(() => matrix(2, 3, [1, 2]), ShapeError);
});
