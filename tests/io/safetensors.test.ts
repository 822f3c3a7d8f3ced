// safetensors: hand-written bytes as the oracle for the reader, round trips for the writer,
// laziness measured on the bytes actually read, offsets past 4 GiB on a sparse file, and every
// malformed-header case giving a FormatError/DTypeError that names the file and the tensor.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  BufferSource,
  DTypeError,
  FormatError,
  Tensor,
  WeightSet,
  encodeSafetensors,
  readSafetensors,
  readSafetensorsHeader,
  readSafetensorsIndex,
  writeSafetensors,
  type ByteSource,
  type DType,
} from 'weightlab/internal';
import { ascii, concat, f32, tempDir, u64 } from './helpers';

/** A safetensors file from a header object and raw data, built by hand. */
function handMade(header: Record<string, unknown>, data: Uint8Array): Uint8Array {
  const json = ascii(JSON.stringify(header));
  return concat(u64(json.length), json, data);
}

test('reads a hand-built file: values, order by offset, __metadata__', () => {
  const bytes = handMade(
    {
      b: { dtype: 'I16', shape: [2], data_offsets: [8, 12] },
      __metadata__: { format: 'pt', note: 'x' },
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
    },
    concat(f32(1.5, -2), [0x01, 0x00, 0xff, 0xff]),
  );
  const weights = readSafetensors(bytes);
  assert.deepEqual(weights.names, ['a', 'b']);
  assert.deepEqual(weights.get('a').toArray(), [1.5, -2]);
  assert.deepEqual(weights.get('b').toArray(), [1, -1]);
  assert.equal(weights.get('b').dtype, 'int16');
  assert.deepEqual(weights.metadata.safetensors, { format: 'pt', note: 'x' });
});

test('round-trips every weightlab dtype through writeSafetensors', () => {
  const dir = tempDir();
  const values = [0, 1, -2, 3.5, 100, -0.25];
  const dtypes: DType[] = [
    'float64',
    'float32',
    'float16',
    'bfloat16',
    'int64',
    'int32',
    'int16',
    'int8',
    'uint8',
    'bool',
  ];
  const tensors = dtypes.map((dtype): [string, Tensor] => {
    const source =
      dtype === 'uint8' ? values.map(Math.abs) : dtype === 'bool' ? values.map((v) => (v ? 1 : 0)) : values;
    return [`t_${dtype}`, Tensor.from(source, [2, 3], dtype)];
  });
  const file = path.join(dir, 'all.safetensors');
  writeSafetensors(file, tensors, { format: 'pt' });
  const read = readSafetensors(file);
  assert.deepEqual(
    read.names,
    tensors.map(([name]) => name),
  );
  for (const [name, tensor] of tensors) {
    const back = read.get(name);
    assert.equal(back.dtype, tensor.dtype, name);
    assert.deepEqual(back.shape, [2, 3]);
    assert.deepEqual(back.toArray(), tensor.toArray(), name);
  }
  // Header is padded to 8 bytes so that every tensor is aligned (what the reference writer does).
  const header = readSafetensorsHeader(file);
  assert.equal(header.dataStart % 8, 0);
  assert.equal(fs.readdirSync(dir).length, 1, 'no temp files left behind');
});

test('decodes 8-bit floats exactly (closed forms from the OCP FP8 spec) and widens unsigned types', () => {
  const bytes = handMade(
    {
      e4: { dtype: 'F8_E4M3', shape: [5], data_offsets: [0, 5] },
      e5: { dtype: 'F8_E5M2', shape: [4], data_offsets: [5, 9] },
      u16: { dtype: 'U16', shape: [1], data_offsets: [9, 11] },
      u32: { dtype: 'U32', shape: [1], data_offsets: [11, 15] },
    },
    Uint8Array.from([
      0x7e,
      0x01,
      0x38,
      0xc0,
      0x7f, // e4m3fn: 448, 2^-9, 1, -2, NaN
      0x7b,
      0x7c,
      0x3c,
      0x01, // e5m2: 57344, +inf, 1, 2^-16
      0xff,
      0xff, // 65535
      0xff,
      0xff,
      0xff,
      0xff, // 2^32 - 1
    ]),
  );
  const weights = readSafetensors(bytes);
  const e4 = weights.get('e4').toArray() as number[];
  assert.deepEqual(e4.slice(0, 4), [448, 2 ** -9, 1, -2]);
  assert.ok(Number.isNaN(e4[4]));
  assert.deepEqual(weights.get('e5').toArray(), [57344, Infinity, 1, 2 ** -16]);
  assert.equal(weights.get('u16').dtype, 'int32');
  assert.deepEqual(weights.get('u16').toArray(), [65535]);
  assert.equal(weights.get('u32').dtype, 'int64');
  assert.deepEqual(weights.get('u32').toArray(), [2 ** 32 - 1]);
  assert.deepEqual(weights.metadata.sourceDTypes, { e4: 'F8_E4M3', e5: 'F8_E5M2', u16: 'U16', u32: 'U32' });
});

test('refuses packed sub-byte floats and unknown dtypes with the tensor named', () => {
  const f4 = handMade({ x: { dtype: 'F4', shape: [2], data_offsets: [0, 1] } }, new Uint8Array(1));
  assert.throws(
    () => readSafetensors(f4),
    (error: unknown) => error instanceof DTypeError && /F4/.test(error.message) && error.details.field === 'x',
  );
  const weird = handMade({ y: { dtype: 'Q7', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1));
  assert.throws(
    () => readSafetensors(weird),
    (error: unknown) => error instanceof DTypeError && error.details.found === 'Q7' && error.details.field === 'y',
  );
});

test("reads only the requested tensor: the bytes read equal that tensor's bytes", () => {
  const big = new Float32Array(100_000).map((_, i) => i);
  const file = encodeSafetensors({
    first: Tensor.from(big),
    middle: Tensor.from(Float32Array.of(7, 8, 9)),
    last: Tensor.from(big),
  });
  const inner = new BufferSource(file, 'counted');
  let bytesRead = 0;
  const counting: ByteSource = {
    name: 'counted',
    size: inner.size,
    read: (offset, length, what) => {
      bytesRead += length;
      return inner.read(offset, length, what);
    },
  };
  const weights = readSafetensors(counting);
  const headerBytes = bytesRead;
  assert.ok(headerBytes < 300, `opening reads only the header (${headerBytes} bytes)`);
  assert.deepEqual(weights.get('middle').toArray(), [7, 8, 9]);
  assert.equal(bytesRead - headerBytes, 12, 'one 3 x float32 tensor = 12 bytes');
});

test('reads tensors at offsets past 4 GiB (sparse file)', () => {
  const dir = tempDir();
  const file = path.join(dir, 'huge.safetensors');
  const hole = 4.5 * 2 ** 30;
  const header = ascii(
    JSON.stringify({
      hole: { dtype: 'U8', shape: [hole], data_offsets: [0, hole] },
      tail: { dtype: 'F64', shape: [2], data_offsets: [hole, hole + 16] },
    }),
  );
  const start = 8 + header.length;
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, concat(u64(header.length), header), 0, 8 + header.length, 0);
    fs.writeSync(fd, new Uint8Array(Float64Array.of(Math.PI, -1e300).buffer), 0, 16, start + hole);
  } finally {
    fs.closeSync(fd);
  }
  const weights = readSafetensors(file);
  assert.deepEqual(weights.info('hole').shape, [hole]);
  assert.deepEqual(weights.get('tail').toArray(), [Math.PI, -1e300]);
});

test('sharded checkpoints via model.safetensors.index.json', () => {
  const dir = tempDir();
  writeSafetensors(path.join(dir, 'model-00001-of-00002.safetensors'), {
    'a.weight': Tensor.from([1, 2], [2], 'float32'),
  });
  writeSafetensors(path.join(dir, 'model-00002-of-00002.safetensors'), {
    'b.weight': Tensor.from([3], [1], 'float32'),
  });
  const index = path.join(dir, 'model.safetensors.index.json');
  fs.writeFileSync(
    index,
    JSON.stringify({
      metadata: { total_size: 12 },
      weight_map: { 'b.weight': 'model-00002-of-00002.safetensors', 'a.weight': 'model-00001-of-00002.safetensors' },
    }),
  );
  const weights = readSafetensorsIndex(index);
  assert.deepEqual(weights.names, ['b.weight', 'a.weight']);
  assert.deepEqual(weights.get('a.weight').toArray(), [1, 2]);
  assert.deepEqual(weights.get('b.weight').toArray(), [3]);
  fs.writeFileSync(index, JSON.stringify({ weight_map: { 'c.weight': 'model-00001-of-00002.safetensors' } }));
  assert.throws(
    () => readSafetensorsIndex(index),
    (error: unknown) => error instanceof FormatError && error.details.field === 'c.weight',
  );
  fs.writeFileSync(index, JSON.stringify({ weight_map: { 'a.weight': '../../etc/passwd' } }));
  assert.throws(() => readSafetensorsIndex(index), FormatError);
});

test('malformed files give FormatErrors naming the file, tensor and expectation', () => {
  const good = encodeSafetensors({
    a: Tensor.from([1, 2, 3, 4], [4], 'float32'),
    b: Tensor.from([5, 6], [2], 'float32'),
  });
  const cases: [string, Uint8Array, (error: FormatError) => boolean][] = [
    [
      'truncated data',
      good.subarray(0, good.length - 3),
      (e) => e.details.field === 'b' && /past the end/.test(e.message),
    ],
    ['trailing bytes', concat(good, [0]), (e) => /cover the whole/.test(e.message)],
    ['truncated header', good.subarray(0, 20), (e) => e.details.field === 'header length'],
    [
      'header length past EOF',
      concat(u64(1e6), ascii('{}')),
      (e) => e.details.field === 'header length' && /past the end/.test(e.message),
    ],
    ['header length over 100 MB', concat(u64(2 ** 40), ascii('{}')), (e) => /too large/.test(e.message)],
    ['not JSON', concat(u64(4), ascii('{x}x')), (e) => /not JSON/.test(e.message)],
    [
      'overlap',
      handMade(
        {
          a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
        },
        new Uint8Array(8),
      ),
      (e) => e.details.field === 'b' && /overlap/.test(e.message),
    ],
    [
      'gap',
      handMade({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)),
      (e) => e.details.field === 'a' && /gap/.test(e.message),
    ],
    [
      'size mismatch',
      handMade({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)),
      (e) => e.details.field === 'a' && e.details.expected === '12 bytes for F32 [3]',
    ],
    [
      'offset out of range',
      handMade({ a: { dtype: 'U8', shape: [16], data_offsets: [0, 16] } }, new Uint8Array(8)),
      (e) => e.details.field === 'a' && /past the end/.test(e.message),
    ],
    [
      'negative shape',
      handMade({ a: { dtype: 'U8', shape: [-1], data_offsets: [0, 0] } }, new Uint8Array(0)),
      (e) => e.details.field === 'a',
    ],
  ];
  for (const [label, bytes, check] of cases) {
    assert.throws(
      () => readSafetensors(new BufferSource(bytes, `case-${label}`)),
      (error: unknown) => {
        assert.ok(error instanceof FormatError, `${label}: ${String(error)}`);
        assert.equal(error.details.file, `case-${label}`, label);
        assert.ok(check(error), `${label}: ${error.message}`);
        return true;
      },
    );
  }
});

test('writer refuses non-string metadata and leaves no file when a tensor fails', () => {
  const dir = tempDir();
  const file = path.join(dir, 'x.safetensors');
  assert.throws(() => writeSafetensors(file, { a: Tensor.from([1]) }, { n: 1 as unknown as string }), DTypeError);
  const failing = new WeightSet([
    [
      'a',
      {
        dtype: 'float32',
        shape: [1],
        load: () => {
          throw new Error('disk gone');
        },
      },
    ],
  ]);
  assert.throws(() => writeSafetensors(file, failing), /disk gone/);
  assert.deepEqual(fs.readdirSync(dir), []);
});
