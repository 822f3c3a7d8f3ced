// NumPy .npy files (format versions 1.0-3.0): a magic string, a Python-dict header naming
// dtype, order and shape, then raw bytes. Read: both byte orders, C and Fortran order, every
// numeric dtype (unsigned widened, see file-dtypes.ts); object arrays are refused because
// they are pickles. Write: version 1.0 headers padded to 64 bytes like numpy's own writer.
// Format: numpy/lib/format.py (NEP 1).

import { DTypeError } from '../errors';
import { type DType, BYTES_PER_ELEMENT } from '../tensor/dtype';
import { Tensor, sizeOf, contiguousStrides } from '../tensor/tensor';
import type { LazyTensor } from '../weights/weight-set';
import { dataView, formatError, toSource, type ByteSource } from './byte-source';
import { fileDTypeSize, type FileDType } from './file-dtypes';
import { lazyTensor } from './lazy-tensor';
import { parsePythonLiteral } from './python-literal';
import { writeFileAtomic } from './atomic-write';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** numpy refuses headers past this size since 1.24 (max_header_size); we do too. */
export const MAX_NPY_HEADER = 10_000;

export interface NpyHeader {
  /** The descr string as written ('<f4', '>i8', '|b1', ...). */
  descr: string;
  dtype: FileDType;
  bigEndian: boolean;
  fortranOrder: boolean;
  shape: number[];
  /** Absolute offset of the first data byte in the source. */
  dataOffset: number;
  /** Bytes of array data (shape x itemsize). */
  dataLength: number;
}

const KINDS: Record<string, FileDType> = {
  b1: 'bool',
  i1: 'int8',
  u1: 'uint8',
  i2: 'int16',
  u2: 'uint16',
  i4: 'int32',
  u4: 'uint32',
  i8: 'int64',
  u8: 'uint64',
  f2: 'float16',
  f4: 'float32',
  f8: 'float64',
};

function parseDescr(descr: string, source: ByteSource, offset: number): { dtype: FileDType; bigEndian: boolean } {
  const match = /^([<>|=])?([a-zA-Z])(\d*)$/.exec(descr);
  const kind = match ? `${match[2]}${match[3]}` : descr;
  if (match && (KINDS[kind] || kind === '?')) {
    return { dtype: KINDS[kind] ?? 'bool', bigEndian: match[1] === '>' };
  }
  const why = !match
    ? 'structured dtypes are not supported'
    : match[2] === 'O'
      ? 'object arrays are pickles and are never unpickled; save a numeric array instead'
      : match[2] === 'c'
        ? 'complex arrays are not supported by weightlab tensors'
        : match[2] === 'f'
          ? 'only float16, float32 and float64 are supported'
          : `dtype kind '${match[2]}' is not numeric`;
  throw new DTypeError(`unsupported .npy dtype: ${why}`, {
    file: source.name,
    offset,
    field: 'descr',
    expected: 'a numeric dtype such as <f4',
    found: descr,
  });
}

/** Reads the header of an .npy array that starts at `base` in `source` (npz entries start later). */
export function readNpyHeader(input: string | Uint8Array | ByteSource, base = 0, length?: number): NpyHeader {
  const source = toSource(input);
  const end = length === undefined ? source.size : base + length;
  if (end - base < 10)
    throw formatError(source, 'too short for an .npy file', {
      offset: base,
      expected: 'at least 10 bytes',
      found: `${end - base}`,
    });
  const start = source.read(base, 10, '.npy preamble');
  if (!MAGIC.every((byte, i) => start[i] === byte))
    throw formatError(source, 'not an .npy file (bad magic)', { offset: base, expected: '\\x93NUMPY' });
  const major = start[6];
  if (major < 1 || major > 3)
    throw formatError(source, 'unsupported .npy format version', {
      offset: base + 6,
      expected: '1, 2 or 3',
      found: `${major}.${start[7]}`,
    });
  const lengthBytes = major === 1 ? 2 : 4;
  const preamble = source.read(base, 8 + lengthBytes, '.npy preamble');
  const view = dataView(preamble);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerLength > MAX_NPY_HEADER)
    throw formatError(source, 'header too large', {
      offset: base + 8,
      expected: `at most ${MAX_NPY_HEADER} bytes`,
      found: String(headerLength),
    });
  const headerStart = base + 8 + lengthBytes;
  if (headerStart + headerLength > end)
    throw formatError(source, 'header runs past the end of the file', {
      offset: base + 8,
      expected: `${headerLength} bytes`,
      found: `${end - headerStart}`,
    });
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    source.read(headerStart, headerLength, '.npy header'),
  );
  const header = parsePythonLiteral(text.trimEnd(), source.name, 'header', { floats: false, offset: headerStart });
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw formatError(source, 'header is not a dict', { offset: headerStart });
  const { descr, fortran_order: fortranOrder, shape } = header as Record<string, unknown>;
  if (typeof descr !== 'string') {
    throw new DTypeError('unsupported .npy dtype: structured dtypes are not supported', {
      file: source.name,
      offset: headerStart,
      field: 'descr',
      found: JSON.stringify(descr),
    });
  }
  if (typeof fortranOrder !== 'boolean')
    throw formatError(source, "header needs 'fortran_order': True or False", {
      offset: headerStart,
      field: 'fortran_order',
    });
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw formatError(source, 'shape must be a tuple of non-negative integers', {
      offset: headerStart,
      field: 'shape',
      found: JSON.stringify(shape),
    });
  }
  const { dtype, bigEndian } = parseDescr(descr, source, headerStart);
  const dataOffset = headerStart + headerLength;
  const dataLength = sizeOf(shape as number[]) * fileDTypeSize(dtype);
  if (!Number.isSafeInteger(dataLength) || dataOffset + dataLength !== end) {
    throw formatError(
      source,
      dataOffset + dataLength > end
        ? 'array data runs past the end of the file (truncated?)'
        : 'array data is followed by extra bytes',
      {
        offset: dataOffset,
        field: 'data',
        expected: `${dataLength} bytes for ${descr} (${(shape as number[]).join(', ')})`,
        found: `${end - dataOffset} bytes`,
      },
    );
  }
  return { descr, dtype, bigEndian, fortranOrder, shape: shape as number[], dataOffset, dataLength };
}

function fortranStrides(shape: readonly number[]): number[] {
  return contiguousStrides([...shape].reverse()).reverse();
}

/** An .npy array as a lazy tensor (Fortran-ordered arrays load as strided views, as numpy gives them). */
export function openNpy(input: string | Uint8Array | ByteSource, name = 'array'): LazyTensor & { header: NpyHeader } {
  const source = toSource(input);
  const header = readNpyHeader(source);
  return lazyNpy(source, header, name);
}

export function lazyNpy(source: ByteSource, header: NpyHeader, name: string): LazyTensor & { header: NpyHeader } {
  const lazy = lazyTensor(source, {
    name,
    dtype: header.dtype,
    shape: header.shape,
    offset: header.dataOffset,
    bigEndian: header.bigEndian,
    strides: header.fortranOrder && header.shape.length > 1 ? fortranStrides(header.shape) : undefined,
  });
  return Object.assign(lazy, { header });
}

/** Reads a whole .npy array. */
export function readNpy(input: string | Uint8Array | ByteSource): Tensor {
  return openNpy(input).load();
}

/**
 * Rows [start, start + count) of a C-ordered array (one positional read): how zoo readers take
 * one model out of an N x P weights.npy without reading the other N - 1.
 */
export function readNpyRows(input: string | ByteSource, start: number, count = 1): Tensor {
  const source = toSource(input);
  const header = readNpyHeader(source);
  if (header.shape.length === 0) throw formatError(source, 'a scalar array has no rows');
  if (header.fortranOrder && header.shape.length > 1)
    throw formatError(source, 'row reads need a C-ordered array', { field: 'fortran_order', expected: 'False' });
  const rows = header.shape[0];
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(count) || start < 0 || count < 0 || start + count > rows) {
    throw formatError(source, 'rows out of range', { expected: `[0, ${rows})`, found: `${start}..${start + count}` });
  }
  const rowShape = header.shape.slice(1);
  const rowBytes = sizeOf(rowShape) * fileDTypeSize(header.dtype);
  return lazyTensor(source, {
    name: `rows ${start}..${start + count}`,
    dtype: header.dtype,
    shape: [count, ...rowShape],
    offset: header.dataOffset + start * rowBytes,
    bigEndian: header.bigEndian,
  }).load();
}

const DESCRS: Partial<Record<DType, string>> = {
  float64: '<f8',
  float32: '<f4',
  float16: '<f2',
  int64: '<i8',
  int32: '<i4',
  int16: '<i2',
  int8: '|i1',
  uint8: '|u1',
  bool: '|b1',
};

/** The .npy bytes of a tensor (C order, little-endian, version 1.0 header padded to 64 bytes). */
export function encodeNpy(tensor: Tensor): Uint8Array {
  const descr = DESCRS[tensor.dtype];
  if (!descr)
    throw new DTypeError('numpy has no bfloat16 dtype; convert with astype("float32") first', {
      field: 'dtype',
      found: tensor.dtype,
    });
  const shape = tensor.shape.length === 1 ? `(${tensor.shape[0]},)` : `(${tensor.shape.join(', ')})`;
  let text = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // numpy pads with spaces so that magic + length + header + '\n' is a multiple of 64 (aligned data for mmap).
  const unpadded = 10 + text.length + 1;
  text += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  if (text.length > 65535)
    throw new DTypeError('shape too long for a version 1.0 header', { found: `${tensor.rank} axes` });
  const tight = tensor.contiguous();
  const data = tight.data as ArrayBufferView;
  const body = new Uint8Array(
    data.buffer,
    data.byteOffset + tight.offset * BYTES_PER_ELEMENT[tight.dtype],
    tight.byteLength,
  );
  const out = new Uint8Array(10 + text.length + body.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, text.length, true);
  out.set(Buffer.from(text, 'latin1'), 10);
  out.set(body, 10 + text.length);
  return out;
}

/** Writes an .npy file that `numpy.load` reads (temp file, then rename). */
export function writeNpy(file: string, tensor: Tensor): void {
  const bytes = encodeNpy(tensor);
  writeFileAtomic(file, (write) => write(bytes));
}
