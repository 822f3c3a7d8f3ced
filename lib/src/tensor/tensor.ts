// The one array type every weightlab module passes around: a typed array plus dtype,
// shape, strides and offset. Views (reshape, transpose, slices) share storage; anything
// numeric that needs contiguous float data asks for `toFloat64()` / `toFloat32()`.

import { ArgumentError, DTypeError, ShapeError } from '../errors';
import { mimeBundle, type MimeBundle } from '../display/protocol';
import {
  allocate,
  BYTES_PER_ELEMENT,
  decodeHalf,
  encodeHalf,
  isDType,
  isFloating,
  type DType,
  type Storage,
  type StorageOf,
} from './dtype';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let size = 1;
  for (const extent of shape) size *= extent;
  return size;
}

/** Row-major (C order) strides, in elements. */
export function contiguousStrides(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = step;
    step *= shape[axis];
  }
  return strides;
}

function checkShape(shape: Shape, field = 'shape'): void {
  for (const extent of shape) {
    if (!Number.isInteger(extent) || extent < 0) {
      throw new ShapeError('every extent must be a non-negative integer', { field, found: `[${shape.join(', ')}]` });
    }
  }
}

export interface TensorOptions {
  strides?: readonly number[];
  offset?: number;
}

export class Tensor<D extends DType = DType> {
  readonly dtype: D;
  readonly shape: Shape;
  /** Strides in elements (not bytes), one per axis. */
  readonly strides: readonly number[];
  /** Index of element [0, 0, ...] in `data`. */
  readonly offset: number;
  /** The storage; may be shared with other tensors (views). */
  readonly data: StorageOf[D];

  constructor(dtype: D, data: StorageOf[D], shape: Shape, options: TensorOptions = {}) {
    if (!isDType(dtype)) throw new DTypeError('unknown dtype', { found: String(dtype) });
    checkShape(shape);
    this.dtype = dtype;
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze([...(options.strides ?? contiguousStrides(shape))]);
    this.offset = options.offset ?? 0;
    if (this.strides.length !== shape.length) {
      throw new ShapeError('strides and shape differ in length', {
        expected: String(shape.length),
        found: String(this.strides.length),
      });
    }
    const size = sizeOf(shape);
    if (size > 0) {
      let last = this.offset;
      let first = this.offset;
      for (let axis = 0; axis < shape.length; axis++) {
        const reach = (shape[axis] - 1) * this.strides[axis];
        if (reach > 0) last += reach;
        else first += reach;
      }
      if (first < 0 || last >= data.length) {
        throw new ShapeError('shape, strides and offset reach outside the storage', {
          expected: `indices in [0, ${data.length})`,
          found: `[${first}, ${last}]`,
        });
      }
    }
  }

  /** Number of elements. */
  get size(): number {
    return sizeOf(this.shape);
  }
  get rank(): number {
    return this.shape.length;
  }
  get byteLength(): number {
    return this.size * BYTES_PER_ELEMENT[this.dtype];
  }

  get isContiguous(): boolean {
    const expected = contiguousStrides(this.shape);
    return this.shape.every((extent, axis) => extent <= 1 || this.strides[axis] === expected[axis]);
  }

  private flatIndex(index: readonly number[]): number {
    if (index.length !== this.rank)
      throw new ShapeError('wrong number of indices', { expected: String(this.rank), found: String(index.length) });
    let flat = this.offset;
    for (let axis = 0; axis < index.length; axis++) {
      const i = index[axis];
      if (!Number.isInteger(i) || i < 0 || i >= this.shape[axis]) {
        throw new ShapeError('index out of range', {
          field: `axis ${axis}`,
          expected: `[0, ${this.shape[axis]})`,
          found: String(i),
        });
      }
      flat += i * this.strides[axis];
    }
    return flat;
  }

  /** Element at `index` as a number (half types decoded, int64 converted). */
  get(...index: number[]): number {
    return elementAsNumber(this.dtype, this.data, this.flatIndex(index));
  }

  /** A view with a new shape; copies only when the layout is not contiguous. */
  reshape(shape: readonly number[]): Tensor<D> {
    const resolved = [...shape];
    const unknown = resolved.indexOf(-1);
    if (unknown >= 0) {
      const known = sizeOf(resolved.filter((_, axis) => axis !== unknown));
      resolved[unknown] = known === 0 ? 0 : this.size / known;
    }
    if (sizeOf(resolved) !== this.size || !resolved.every(Number.isInteger)) {
      throw new ShapeError('reshape cannot change the number of elements', {
        expected: String(this.size),
        found: `[${shape.join(', ')}]`,
      });
    }
    const base = this.isContiguous ? this : this.contiguous();
    return new Tensor(this.dtype, base.data, resolved, { offset: base.offset });
  }

  /** A view with axes permuted (default: reversed). */
  transpose(permutation?: readonly number[]): Tensor<D> {
    const order = permutation ?? this.shape.map((_, axis) => this.rank - 1 - axis);
    const sorted = [...order].sort((a, b) => a - b);
    if (order.length !== this.rank || sorted.some((axis, i) => axis !== i)) {
      throw new ArgumentError('not a permutation of the axes', {
        field: 'permutation',
        found: `[${order.join(', ')}]`,
      });
    }
    return new Tensor(
      this.dtype,
      this.data,
      order.map((axis) => this.shape[axis]),
      {
        strides: order.map((axis) => this.strides[axis]),
        offset: this.offset,
      },
    );
  }

  /** The sub-tensor at `index` along axis 0 (a view). */
  at(index: number): Tensor<D> {
    if (this.rank === 0) throw new ShapeError('cannot index a scalar');
    if (!Number.isInteger(index) || index < 0 || index >= this.shape[0]) {
      throw new ShapeError('index out of range', {
        field: 'axis 0',
        expected: `[0, ${this.shape[0]})`,
        found: String(index),
      });
    }
    return new Tensor(this.dtype, this.data, this.shape.slice(1), {
      strides: this.strides.slice(1),
      offset: this.offset + index * this.strides[0],
    });
  }

  /** Elements [start, end) along axis 0 (a view). */
  slice(start: number, end = this.shape[0]): Tensor<D> {
    if (this.rank === 0) throw new ShapeError('cannot slice a scalar');
    if (!(0 <= start && start <= end && end <= this.shape[0])) {
      throw new ShapeError('slice out of range', {
        field: 'axis 0',
        expected: `0 <= start <= end <= ${this.shape[0]}`,
        found: `${start}:${end}`,
      });
    }
    return new Tensor(this.dtype, this.data, [end - start, ...this.shape.slice(1)], {
      strides: this.strides,
      offset: this.offset + start * this.strides[0],
    });
  }

  /** A C-ordered copy (or this tensor when it already is one starting at offset 0 of a tight storage). */
  contiguous(): Tensor<D> {
    if (this.isContiguous && this.offset === 0 && this.data.length === this.size) return this;
    const out = allocate(this.dtype, this.size);
    this.forEachFlat((flat, i) => {
      (out as Storage)[i] = (this.data as Storage)[flat];
    });
    return new Tensor(this.dtype, out, this.shape);
  }

  /** Calls `fn(storageIndex, logicalIndex)` for every element in C order. */
  forEachFlat(fn: (storageIndex: number, logicalIndex: number) => void): void {
    const size = this.size;
    if (size === 0) return;
    if (this.isContiguous) {
      for (let i = 0; i < size; i++) fn(this.offset + i, i);
      return;
    }
    const rank = this.rank;
    const counter = new Array<number>(rank).fill(0);
    let flat = this.offset;
    for (let i = 0; i < size; i++) {
      fn(flat, i);
      for (let axis = rank - 1; axis >= 0; axis--) {
        counter[axis]++;
        flat += this.strides[axis];
        if (counter[axis] < this.shape[axis]) break;
        flat -= counter[axis] * this.strides[axis];
        counter[axis] = 0;
      }
    }
  }

  /** Contiguous float64 values (a new array, except for a tight contiguous float64 tensor). */
  toFloat64(): Float64Array {
    if (this.dtype === 'float64') return this.contiguous().data as Float64Array;
    return toNumbers(this, new Float64Array(this.size));
  }

  /** Contiguous float32 values (a new array, except for a tight contiguous float32 tensor). */
  toFloat32(): Float32Array {
    if (this.dtype === 'float32') return this.contiguous().data as Float32Array;
    if (this.dtype === 'float16' || this.dtype === 'bfloat16') {
      return decodeHalf(this.contiguous().data as Uint16Array, this.dtype);
    }
    return toNumbers(this, new Float32Array(this.size));
  }

  /** A converted copy (half types round to nearest even; integer types truncate toward zero). */
  astype<T extends DType>(dtype: T): Tensor<T> {
    if ((dtype as DType) === this.dtype) return this.contiguous() as unknown as Tensor<T>;
    const values = this.toFloat64();
    let out: Storage;
    if (dtype === 'float16' || dtype === 'bfloat16') out = encodeHalf(values, dtype);
    else if (dtype === 'int64') out = BigInt64Array.from(values, (v) => BigInt(Math.trunc(v)));
    else if (dtype === 'bool') out = Uint8Array.from(values, (v) => (v !== 0 ? 1 : 0));
    else if (isFloating(dtype)) {
      out = allocate(dtype, values.length);
      (out as Float64Array).set(values);
    } else {
      out = allocate(dtype, values.length);
      for (let i = 0; i < values.length; i++) (out as Int32Array)[i] = Math.trunc(values[i]);
    }
    return new Tensor(dtype, out as StorageOf[T], this.shape);
  }

  /** Nested JavaScript arrays of numbers (for small tensors and tests). */
  toArray(): unknown {
    const values = this.toFloat64();
    if (this.rank === 0) return values[0];
    const build = (axis: number, start: number): unknown[] => {
      const extent = this.shape[axis];
      const step = sizeOf(this.shape.slice(axis + 1));
      return Array.from({ length: extent }, (_, i) =>
        axis === this.rank - 1 ? values[start + i] : build(axis + 1, start + i * step),
      );
    };
    return build(0, 0);
  }

  toString(): string {
    return `Tensor(${this.dtype}, [${this.shape.join(', ')}])`;
  }

  [mimeBundle](): MimeBundle {
    return { data: { 'text/plain': describeTensor(this) } };
  }

  /** A tensor over `values` with `shape` (default: 1-D); the dtype follows the array type unless given. */
  static from<T extends DType = 'float64'>(values: ArrayLike<number> | Storage, shape?: Shape, dtype?: T): Tensor<T> {
    const resolvedShape = shape ?? [values.length];
    const resolvedType = (dtype ?? dtypeOfArray(values)) as T;
    let data: Storage;
    if (!dtype && isStorage(values)) data = values;
    else if (resolvedType === 'float16' || resolvedType === 'bfloat16')
      data = encodeHalf(values as ArrayLike<number>, resolvedType);
    else if (resolvedType === 'int64')
      data = BigInt64Array.from(values as ArrayLike<number>, (v) => BigInt(Math.trunc(Number(v))));
    else {
      data = allocate(resolvedType, values.length);
      for (let i = 0; i < values.length; i++) (data as Float64Array)[i] = Number(values[i]);
    }
    if (sizeOf(resolvedShape) !== data.length) {
      throw new ShapeError('values do not fill the shape', {
        expected: String(sizeOf(resolvedShape)),
        found: String(data.length),
      });
    }
    return new Tensor(resolvedType, data as StorageOf[T], resolvedShape);
  }

  static zeros<T extends DType = 'float64'>(shape: Shape, dtype: T = 'float64' as T): Tensor<T> {
    checkShape(shape);
    return new Tensor(dtype, allocate(dtype, sizeOf(shape)), shape);
  }
}

function isStorage(values: unknown): values is Storage {
  return (
    values instanceof Float64Array ||
    values instanceof Float32Array ||
    values instanceof Int32Array ||
    values instanceof Int16Array ||
    values instanceof Int8Array ||
    values instanceof Uint8Array ||
    values instanceof BigInt64Array
  );
}

function dtypeOfArray(values: unknown): DType {
  if (values instanceof Float32Array) return 'float32';
  if (values instanceof Int32Array) return 'int32';
  if (values instanceof Int16Array) return 'int16';
  if (values instanceof Int8Array) return 'int8';
  if (values instanceof Uint8Array) return 'uint8';
  if (values instanceof BigInt64Array) return 'int64';
  return 'float64';
}

function elementAsNumber(dtype: DType, data: Storage, index: number): number {
  const raw = data[index];
  if (dtype === 'float16' || dtype === 'bfloat16') return decodeHalf(Uint16Array.of(raw as number), dtype)[0];
  return Number(raw);
}

function toNumbers<T extends Float64Array | Float32Array>(tensor: Tensor, out: T): T {
  const { dtype, data } = tensor;
  if (dtype === 'float16' || dtype === 'bfloat16') {
    const decoded = decodeHalf(tensor.contiguous().data as Uint16Array, dtype);
    out.set(decoded);
    return out;
  }
  if (dtype === 'int64') {
    const wide = data as BigInt64Array;
    tensor.forEachFlat((flat, i) => {
      out[i] = Number(wide[flat]);
    });
    return out;
  }
  const narrow = data as Exclude<Storage, BigInt64Array>;
  if (tensor.isContiguous) out.set(narrow.subarray(tensor.offset, tensor.offset + tensor.size));
  else
    tensor.forEachFlat((flat, i) => {
      out[i] = narrow[flat];
    });
  return out;
}

/** One line: dtype, shape, and for float tensors min / max / mean / std in float64. */
export function describeTensor(tensor: Tensor): string {
  const head = `Tensor ${tensor.dtype} [${tensor.shape.join(', ')}]`;
  if (tensor.size === 0) return `${head} (empty)`;
  const values = tensor.toFloat64();
  let min = Infinity,
    max = -Infinity,
    sum = 0,
    nan = 0;
  for (const v of values) {
    if (Number.isNaN(v)) {
      nan++;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const count = values.length - nan;
  const mean = sum / count;
  let squares = 0;
  for (const v of values) if (!Number.isNaN(v)) squares += (v - mean) ** 2;
  const std = Math.sqrt(squares / count);
  const fmt = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(4)).toString() : String(x));
  return `${head} min ${fmt(min)} max ${fmt(max)} mean ${fmt(mean)} std ${fmt(std)}${nan ? ` NaN ${nan}` : ''}`;
}

/** A rank-2 float tensor: the shape every spectral and alignment routine works on. */
export type Matrix = Tensor<'float64' | 'float32'> & { readonly shape: readonly [number, number] };

export function isMatrix(value: unknown): value is Matrix {
  return value instanceof Tensor && value.rank === 2 && (value.dtype === 'float64' || value.dtype === 'float32');
}

/** A rows x cols matrix over `values` (row-major), float64 unless the array is a Float32Array. */
export function matrix(rows: number, cols: number, values?: Float64Array | Float32Array | ArrayLike<number>): Matrix {
  const data =
    values === undefined
      ? new Float64Array(rows * cols)
      : values instanceof Float64Array || values instanceof Float32Array
        ? values
        : Float64Array.from(values);
  if (data.length !== rows * cols) {
    throw new ShapeError('values do not fill the matrix', {
      expected: `${rows}x${cols} = ${rows * cols}`,
      found: String(data.length),
    });
  }
  const dtype = data instanceof Float32Array ? 'float32' : 'float64';
  return new Tensor(dtype, data, [rows, cols]) as Matrix;
}
