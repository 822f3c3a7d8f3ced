// The element types a weightlab tensor can hold, the typed array behind each, and
// the half-precision codecs (float16, bfloat16) that checkpoints use but JavaScript
// has no array type for in Node 20: those are stored as raw Uint16Array bits and
// decoded on demand.

import { DTypeError } from '../errors';

export type DType =
  'float64' | 'float32' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

/** Typed array that stores each dtype (half types keep their raw 16-bit patterns). */
export interface StorageOf {
  float64: Float64Array;
  float32: Float32Array;
  float16: Uint16Array;
  bfloat16: Uint16Array;
  int64: BigInt64Array;
  int32: Int32Array;
  int16: Int16Array;
  int8: Int8Array;
  uint8: Uint8Array;
  bool: Uint8Array;
}

export type Storage = StorageOf[DType];

export const DTYPES: readonly DType[] = [
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

/** Bytes per element. */
export const BYTES_PER_ELEMENT: Record<DType, number> = {
  float64: 8,
  float32: 4,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

export function isDType(value: unknown): value is DType {
  return typeof value === 'string' && (DTYPES as readonly string[]).includes(value);
}

export function isFloating(dtype: DType): boolean {
  return dtype === 'float64' || dtype === 'float32' || dtype === 'float16' || dtype === 'bfloat16';
}

type StorageConstructor = {
  new (length: number): Storage;
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): Storage;
};

const CONSTRUCTORS: Record<DType, StorageConstructor> = {
  float64: Float64Array as unknown as StorageConstructor,
  float32: Float32Array as unknown as StorageConstructor,
  float16: Uint16Array as unknown as StorageConstructor,
  bfloat16: Uint16Array as unknown as StorageConstructor,
  int64: BigInt64Array as unknown as StorageConstructor,
  int32: Int32Array as unknown as StorageConstructor,
  int16: Int16Array as unknown as StorageConstructor,
  int8: Int8Array as unknown as StorageConstructor,
  uint8: Uint8Array as unknown as StorageConstructor,
  bool: Uint8Array as unknown as StorageConstructor,
};

/** A zero-filled storage array of `length` elements. */
export function allocate<D extends DType>(dtype: D, length: number): StorageOf[D] {
  if (!isDType(dtype)) throw new DTypeError('unknown dtype', { expected: DTYPES.join('|'), found: String(dtype) });
  return new CONSTRUCTORS[dtype](length) as StorageOf[D];
}

/**
 * A storage view over `buffer` without copying. Throws when the offset is not aligned
 * to the element size (callers that read files copy in that case: see `viewOrCopy`).
 */
export function view<D extends DType>(
  dtype: D,
  buffer: ArrayBufferLike,
  byteOffset: number,
  length: number,
): StorageOf[D] {
  return new CONSTRUCTORS[dtype](buffer, byteOffset, length) as StorageOf[D];
}

/**
 * A storage over the bytes `bytes` (little-endian): a zero-copy view when aligned, else a copy.
 * File readers use this so that unaligned tensors (npz entries, odd safetensors headers) still load.
 */
export function viewOrCopy<D extends DType>(dtype: D, bytes: Uint8Array, length: number): StorageOf[D] {
  const size = BYTES_PER_ELEMENT[dtype];
  if (bytes.byteLength < length * size) {
    throw new DTypeError('not enough bytes for the tensor', {
      expected: `${length * size} bytes`,
      found: `${bytes.byteLength}`,
    });
  }
  if (bytes.byteOffset % size === 0) return view(dtype, bytes.buffer, bytes.byteOffset, length);
  const copy = new Uint8Array(length * size);
  copy.set(bytes.subarray(0, length * size));
  return view(dtype, copy.buffer, 0, length);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE 754 binary16 bits to a number (exact: every half is a double). */
export function float16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Round a number to the nearest binary16 (ties to even) and return its bits. */
export function numberToFloat16(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const magnitude = Math.abs(value);
  // Rounding is done from the double, so values between float32 neighbours round once, correctly.
  if (magnitude >= 65520) return sign | 0x7c00;
  if (magnitude < 2 ** -14) return sign | roundHalfEven(magnitude / 2 ** -24); // subnormal, units of 2^-24
  let exponent = Math.floor(Math.log2(magnitude));
  let scaled = magnitude / 2 ** exponent;
  if (scaled >= 2) {
    scaled /= 2;
    exponent += 1;
  }
  if (scaled < 1) {
    scaled *= 2;
    exponent -= 1;
  }
  let fraction = roundHalfEven((scaled - 1) * 1024);
  if (fraction === 1024) {
    fraction = 0;
    exponent += 1;
  }
  if (exponent > 15) return sign | 0x7c00;
  return sign | ((exponent + 15) << 10) | fraction;
}

function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const rest = x - floor;
  if (rest > 0.5) return floor + 1;
  if (rest < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** bfloat16 bits (the top half of a float32) to a number. */
export function bfloat16ToNumber(bits: number): number {
  u32[0] = (bits & 0xffff) << 16;
  return f32[0];
}

/** Round a number to the nearest bfloat16 (ties to even, as PyTorch does) and return its bits. */
export function numberToBfloat16(value: number): number {
  f32[0] = value;
  const x = u32[0];
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return ((x >>> 16) | 0x40) & 0xffff; // quiet NaN
  const rounding = 0x7fff + ((x >>> 16) & 1);
  return ((x + rounding) >>> 16) & 0xffff;
}

/** Decode an array of half-precision bits into float32 (float16 or bfloat16). */
export function decodeHalf(
  bits: Uint16Array,
  dtype: 'float16' | 'bfloat16',
  out = new Float32Array(bits.length),
): Float32Array {
  if (dtype === 'bfloat16') {
    const wide = new Uint32Array(out.buffer, out.byteOffset, out.length);
    for (let i = 0; i < bits.length; i++) wide[i] = bits[i] << 16;
    return out;
  }
  // A 65536-entry table makes float16 decoding a single lookup per element.
  const table = float16Table();
  for (let i = 0; i < bits.length; i++) out[i] = table[bits[i]];
  return out;
}

let float16TableCache: Float32Array | undefined;
function float16Table(): Float32Array {
  if (!float16TableCache) {
    float16TableCache = new Float32Array(65536);
    for (let i = 0; i < 65536; i++) float16TableCache[i] = float16ToNumber(i);
  }
  return float16TableCache;
}

/** Encode numbers to half-precision bits. */
export function encodeHalf(values: ArrayLike<number>, dtype: 'float16' | 'bfloat16'): Uint16Array {
  const out = new Uint16Array(values.length);
  const encode = dtype === 'float16' ? numberToFloat16 : numberToBfloat16;
  for (let i = 0; i < values.length; i++) out[i] = encode(values[i]);
  return out;
}
