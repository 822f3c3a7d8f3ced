// .npy and .npz: files numpy itself wrote (tests/fixtures/io, values are aranges), hand-built
// headers for the refusals, npy round trips through our writer, row reads, and zip bombs.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { deflateSync, zipSync } from 'fflate';
import {
  BufferSource,
  DTypeError,
  FormatError,
  Tensor,
  encodeNpy,
  readNpy,
  readNpyHeader,
  readNpyRows,
  readNpz,
  readWeights,
  writeNpy,
  type DType,
} from 'weightlab/internal';
import { ascii, concat, FIXTURES, tempDir, u16, u32 } from './helpers';

const arange = (n: number) => Array.from({ length: n }, (_, i) => i);
const fixture = (name: string) => path.join(FIXTURES, name);

/** An .npy from a header dict literal and raw data, by hand. */
function handMadeNpy(header: string, data: Uint8Array | number[]): Uint8Array {
  const text = `${header}\n`;
  return concat([0x93], ascii('NUMPY'), [1, 0], u16(text.length), ascii(text), data);
}

test('numpy-written arrays: big-endian float64, Fortran-order int32, uint16, float16', () => {
  const be = readNpy(fixture('big-endian-f8.npy'));
  assert.equal(be.dtype, 'float64');
  assert.deepEqual(be.toArray(), [arange(4), arange(4).map((v) => v + 4), arange(4).map((v) => v + 8)]);
  const fortran = readNpy(fixture('fortran-i4.npy'));
  assert.equal(readNpyHeader(fixture('fortran-i4.npy')).fortranOrder, true);
  assert.deepEqual(fortran.strides, [1, 3], 'Fortran order loads as a strided view, as numpy gives it');
  assert.deepEqual(fortran.toArray(), [
    [0, 1, 2, 3],
    [4, 5, 6, 7],
    [8, 9, 10, 11],
  ]);
  const u2 = readNpy(fixture('u2.npy'));
  assert.equal(u2.dtype, 'int32');
  assert.deepEqual(u2.toArray(), [0, 1, 65535]);
  const f2 = readNpy(fixture('f2.npy'));
  assert.equal(f2.dtype, 'float16');
  assert.deepEqual(f2.toArray(), [0.5, -2, 65504]);
});

test('numpy-written npz, stored and deflated', () => {
  const stored = readNpz(fixture('stored.npz'));
  assert.deepEqual(stored.names, ['w', 'b']);
  assert.deepEqual(stored.get('w').toArray(), [
    [0, 1, 2],
    [3, 4, 5],
  ]);
  assert.deepEqual(stored.get('b').toArray(), [1, 0]);
  const deflated = readWeights(fixture('deflated.npz'));
  assert.equal(deflated.metadata.format, 'npz');
  assert.deepEqual(deflated.get('w').toArray(), [
    [0, 1, 2],
    [3, 4, 5],
  ]);
  assert.deepEqual(deflated.info('z').shape, [1000]);
  assert.ok(
    deflated
      .get('z')
      .toFloat64()
      .every((v) => v === 0),
  );
});

test('round-trips every numpy-representable dtype and shape through writeNpy', () => {
  const dir = tempDir();
  const dtypes: DType[] = ['float64', 'float32', 'float16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'bool'];
  for (const dtype of dtypes) {
    for (const shape of [[], [5], [2, 3], [1, 2, 2]]) {
      const size = shape.reduce((a, b) => a * b, 1);
      const values = arange(size).map((v) => (dtype === 'bool' ? v % 2 : v));
      const tensor = Tensor.from(values, shape, dtype);
      const file = path.join(dir, `${dtype}-${shape.join('x')}.npy`);
      writeNpy(file, tensor);
      const bytes = fs.readFileSync(file);
      assert.equal((bytes.readUInt16LE(8) + 10) % 64, 0, 'data starts 64-byte aligned, like numpy');
      const back = readNpy(file);
      assert.equal(back.dtype, dtype);
      assert.deepEqual(back.shape, shape);
      assert.deepEqual(back.toArray(), tensor.toArray());
    }
  }
  // A non-contiguous view is written in C order.
  const transposed = Tensor.from(arange(6), [2, 3], 'float32').transpose();
  assert.deepEqual(readNpy(encodeNpy(transposed)).toArray(), [
    [0, 3],
    [1, 4],
    [2, 5],
  ]);
  assert.throws(() => encodeNpy(Tensor.from([1], [1], 'bfloat16')), DTypeError);
});

test('big-endian and unsigned 64-bit by hand; uint64 past 2^63 refused', () => {
  const be = handMadeNpy(
    "{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }",
    [0, 0, 1, 0, 0xff, 0xff, 0xff, 0xfe],
  );
  assert.deepEqual(readNpy(be).toArray(), [256, -2]);
  const u8 = handMadeNpy("{'descr': '<u8', 'fortran_order': False, 'shape': (1,), }", [5, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(readNpy(u8).dtype, 'int64');
  assert.deepEqual(readNpy(u8).toArray(), [5]);
  const huge = handMadeNpy("{'descr': '<u8', 'fortran_order': False, 'shape': (1,), }", [0, 0, 0, 0, 0, 0, 0, 0x80]);
  assert.throws(
    () => readNpy(huge),
    (error: unknown) => error instanceof FormatError && /int64/.test(error.message),
  );
});

test('refuses object, complex, structured and string arrays; malformed headers name the problem', () => {
  const refusals: [string, RegExp][] = [
    ["{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", /pickles/],
    ["{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", /complex/],
    ["{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }", /structured/],
    ["{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }", /not numeric/],
    ["{'descr': '<f16', 'fortran_order': False, 'shape': (1,), }", /float16, float32 and float64/],
  ];
  for (const [header, message] of refusals) {
    assert.throws(
      () => readNpy(new BufferSource(handMadeNpy(header, new Uint8Array(16)), 'x.npy')),
      (error: unknown) => error instanceof DTypeError && message.test(error.message) && error.details.file === 'x.npy',
      header,
    );
  }
  const malformed: [Uint8Array, RegExp][] = [
    [ascii('NOTNUMPY..'), /bad magic/],
    [handMadeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", new Uint8Array(8)), /past the end/],
    [handMadeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8)), /extra bytes/],
    [handMadeNpy("{'descr': '<f4', 'shape': (1,), }", new Uint8Array(4)), /fortran_order/],
    [
      handMadeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), __import__('os')}", new Uint8Array(4)),
      /Python literal/,
    ],
    [concat([0x93], ascii('NUMPY'), [1, 0], u16(60000)), /header too large|past the end/],
  ];
  for (const [bytes, message] of malformed) {
    assert.throws(
      () => readNpy(bytes),
      (error: unknown) => error instanceof FormatError && message.test(error.message),
      String(message),
    );
  }
});

test('readNpyRows reads one row of an N x P matrix with one positional read', () => {
  const dir = tempDir();
  const file = path.join(dir, 'rows.npy');
  writeNpy(file, Tensor.from(arange(20), [4, 5], 'float32'));
  assert.deepEqual(readNpyRows(file, 2).toArray(), [[10, 11, 12, 13, 14]]);
  assert.deepEqual(readNpyRows(file, 1, 2).toArray(), [arange(5).map((v) => v + 5), arange(5).map((v) => v + 10)]);
  assert.throws(() => readNpyRows(file, 3, 2), FormatError);
});

test('npz: deflated entries written by fflate, and zip bombs refused', () => {
  const npy = encodeNpy(Tensor.from(arange(4), [4], 'int16'));
  const zip = zipSync({ 'a.npy': npy, 'b.npy': [npy, { level: 0 }] }, { level: 9 });
  const weights = readNpz(zip);
  assert.deepEqual(weights.get('a').toArray(), [0, 1, 2, 3]);
  assert.deepEqual(weights.get('b').toArray(), [0, 1, 2, 3]);

  // A bomb: a deflated entry that declares one float64 (header + 8 bytes) but inflates to 30 MB of zeros.
  const single64 = encodeNpy(Tensor.from([0], [1], 'float64'));
  const header = single64.subarray(0, single64.length - 8);
  const payload = concat(header, new Uint8Array(30 * 1024 * 1024));
  const bomb = zipSync({ 'x.npy': payload }, { level: 9 });
  // Patch the declared size (local header offset 22, central directory offset 24) down to header + 8.
  const view = new DataView(bomb.buffer, bomb.byteOffset);
  view.setUint32(22, single64.length, true);
  const central = bomb.length - 22 - (46 + 5);
  view.setUint32(central + 24, single64.length, true);
  const started = Date.now();
  const opened = readNpz(new BufferSource(bomb, 'bomb.npz'));
  assert.throws(
    () => opened.get('x'),
    (error: unknown) =>
      error instanceof FormatError && /zip bomb/.test(error.message) && error.details.file === 'bomb.npz',
  );
  assert.ok(Date.now() - started < 5000, 'stops early');
  assert.ok(bomb.length < 100_000, 'a small file');
  // Overlapping entries (two central records pointing at one local file) are refused outright.
  const single = zipSync({ 'a.npy': [npy, { level: 0 }] });
  const record = single.subarray(single.length - 22 - (46 + 5), single.length - 22);
  const doubled = concat(
    single.subarray(0, single.length - 22),
    record.slice().fill(0x62, 46, 47),
    [0x50, 0x4b, 5, 6, 0, 0, 0, 0, 2, 0, 2, 0],
    u32(2 * record.length),
    u32(single.length - 22 - record.length),
    [0, 0],
  );
  assert.throws(
    () => readNpz(doubled),
    (error: unknown) => error instanceof FormatError && /overlap/.test(error.message),
  );
  // A raw deflate stream of garbage is a FormatError, not a crash.
  const garbage = zipSync({ 'g.npy': npy }, { level: 9 });
  const dataAt = 30 + 5;
  garbage.set(deflateSync(ascii('not an npy at all')).subarray(0, 4), dataAt);
  assert.throws(() => readNpz(garbage).get('g'), FormatError);
});
