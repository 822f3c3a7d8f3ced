// Element types as files store them, and their conversion to weightlab dtypes. Files hold
// types weightlab tensors do not (unsigned 16/32/64-bit, five 8-bit float formats) and
// big-endian bytes; readers decode them here, once, into the nearest exact tensor dtype.

import { FormatError } from '../errors';
import { float16ToNumber, type DType, type Storage, view, BYTES_PER_ELEMENT } from '../tensor/dtype';

/** A weightlab dtype or one of the extra types files use. */
export type FileDType =
  | DType
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'float8_e4m3fn'
  | 'float8_e4m3fnuz'
  | 'float8_e5m2'
  | 'float8_e5m2fnuz'
  | 'float8_e8m0';

const EXTRA_SIZES = {
  uint16: 2,
  uint32: 4,
  uint64: 8,
  float8_e4m3fn: 1,
  float8_e4m3fnuz: 1,
  float8_e5m2: 1,
  float8_e5m2fnuz: 1,
  float8_e8m0: 1,
} as const;

/** Bytes per element of a file dtype. */
export function fileDTypeSize(dtype: FileDType): number {
  return (BYTES_PER_ELEMENT as Record<string, number>)[dtype] ?? EXTRA_SIZES[dtype as keyof typeof EXTRA_SIZES];
}

/**
 * The tensor dtype a file dtype is read as: unsigned types widen to the next signed type that
 * holds every value (uint64 to int64, refusing values past 2^63), 8-bit floats decode exactly to float32.
 */
export function tensorDTypeOf(dtype: FileDType): DType {
  switch (dtype) {
    case 'uint16':
      return 'int32';
    case 'uint32':
    case 'uint64':
      return 'int64';
    case 'float8_e4m3fn':
    case 'float8_e4m3fnuz':
    case 'float8_e5m2':
    case 'float8_e5m2fnuz':
    case 'float8_e8m0':
      return 'float32';
    default:
      return dtype;
  }
}

export interface DecodeContext {
  file: string;
  field?: string;
  offset?: number;
}

/**
 * Storage for `count` elements of `dtype` held in `bytes` (little-endian unless `bigEndian`).
 * `bytes` should be a fresh buffer the caller owns: it is viewed in place when possible and
 * byte-swapped in place for big-endian data.
 */
export function decodeElements(
  dtype: FileDType,
  bytes: Uint8Array,
  count: number,
  bigEndian: boolean,
  where: DecodeContext,
): Storage {
  const size = fileDTypeSize(dtype);
  if (bytes.byteLength < count * size) {
    throw new FormatError('not enough bytes for the tensor', {
      ...where,
      expected: `${count * size} bytes`,
      found: `${bytes.byteLength}`,
    });
  }
  let data = bytes.subarray(0, count * size);
  if (data.byteOffset % size !== 0) data = data.slice();
  if (bigEndian && size > 1) swapBytes(data, size);
  switch (dtype) {
    case 'uint16': {
      return Int32Array.from(new Uint16Array(data.buffer, data.byteOffset, count));
    }
    case 'uint32': {
      const source = new Uint32Array(data.buffer, data.byteOffset, count);
      const out = new BigInt64Array(count);
      for (let i = 0; i < count; i++) out[i] = BigInt(source[i]);
      return out;
    }
    case 'uint64': {
      const source = new BigInt64Array(data.buffer, data.byteOffset, count);
      for (let i = 0; i < count; i++) {
        if (source[i] < 0n) {
          throw new FormatError('uint64 value does not fit in int64', {
            ...where,
            expected: 'values below 2^63',
            found: `${BigInt.asUintN(64, source[i])} at element ${i}`,
          });
        }
      }
      return source;
    }
    case 'float8_e4m3fn':
    case 'float8_e4m3fnuz':
    case 'float8_e5m2':
    case 'float8_e5m2fnuz':
    case 'float8_e8m0': {
      const table = float8Table(dtype);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = table[data[i]];
      return out;
    }
    default:
      return view(dtype, data.buffer, data.byteOffset, count);
  }
}

/** Reverses each `size`-byte word in place (big-endian to little-endian). */
export function swapBytes(bytes: Uint8Array, size: number): void {
  for (let at = 0; at + size <= bytes.length; at += size) {
    for (let i = 0, j = size - 1; i < j; i++, j--) {
      const t = bytes[at + i];
      bytes[at + i] = bytes[at + j];
      bytes[at + j] = t;
    }
  }
}

const float8Tables = new Map<string, Float32Array>();

/** The 256 values of an 8-bit float format (OCP FP8 / ONNX definitions). */
export function float8Table(
  format: 'float8_e4m3fn' | 'float8_e4m3fnuz' | 'float8_e5m2' | 'float8_e5m2fnuz' | 'float8_e8m0',
): Float32Array {
  let table = float8Tables.get(format);
  if (table) return table;
  table = new Float32Array(256);
  for (let bits = 0; bits < 256; bits++) table[bits] = float8ToNumber(format, bits);
  float8Tables.set(format, table);
  return table;
}

/** One 8-bit float pattern to its value. */
export function float8ToNumber(format: string, bits: number): number {
  const sign = bits & 0x80 ? -1 : 1;
  switch (format) {
    case 'float8_e5m2':
      // E5M2 is exactly the top byte of an IEEE binary16 (same exponent width and bias).
      return float16ToNumber(bits << 8);
    case 'float8_e4m3fn': {
      // Bias 7, no infinities; only S.1111.111 is NaN, so the largest finite value is 448.
      if ((bits & 0x7f) === 0x7f) return NaN;
      return sign * minifloat(bits & 0x7f, 3, 7);
    }
    case 'float8_e4m3fnuz':
      // Bias 8, no infinities, no negative zero: 0x80 is the single NaN.
      if (bits === 0x80) return NaN;
      return sign * minifloat(bits & 0x7f, 3, 8);
    case 'float8_e5m2fnuz':
      if (bits === 0x80) return NaN;
      return sign * minifloat(bits & 0x7f, 2, 16);
    case 'float8_e8m0':
      // Exponent only (OCP MX scale): 2^(e - 127), 0xff is NaN.
      return bits === 0xff ? NaN : 2 ** (bits - 127);
    default:
      throw new FormatError('unknown 8-bit float format', { found: format });
  }
}

function minifloat(magnitude: number, mantissaBits: number, bias: number): number {
  const exponent = magnitude >> mantissaBits;
  const fraction = magnitude & ((1 << mantissaBits) - 1);
  const scale = 1 << mantissaBits;
  if (exponent === 0) return (fraction / scale) * 2 ** (1 - bias);
  return (1 + fraction / scale) * 2 ** (exponent - bias);
}
