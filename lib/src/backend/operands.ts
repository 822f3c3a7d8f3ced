// Argument checking and packing for the dense products: every public product validates its
// operands here (so errors name the argument the same way) and gets its data in the row-major
// form an engine wants, copying only when the layout forces it.

import { DTypeError, ShapeError } from '../errors';
import { Tensor } from '../tensor/tensor';

export type FloatType = 'float64' | 'float32';
export type FloatArray = Float64Array | Float32Array;

/** A float tensor of rank `rank` (or at least 2 with rank 'batched'), else a typed error naming `argument`. */
export function checkFloatTensor(value: unknown, argument: string, rank: number | 'batched'): Tensor<FloatType> {
  if (!(value instanceof Tensor)) {
    throw new ShapeError('expected a Tensor', { field: argument, found: value === null ? 'null' : typeof value });
  }
  if (value.dtype !== 'float64' && value.dtype !== 'float32') {
    throw new DTypeError('dense products take float64 or float32 tensors (convert with .astype())', {
      field: argument,
      expected: 'float64|float32',
      found: value.dtype,
    });
  }
  const ok = rank === 'batched' ? value.rank >= 2 : value.rank === rank;
  if (!ok) {
    throw new ShapeError(
      rank === 'batched' ? 'expected a tensor of rank >= 2 (..., rows, columns)' : `expected a rank-${rank} tensor`,
      {
        field: argument,
        expected: rank === 'batched' ? 'rank >= 2' : `rank ${rank}`,
        found: `[${value.shape.join(', ')}]`,
      },
    );
  }
  return value as Tensor<FloatType>;
}

/** Both operands must share a dtype: silent promotion would hide a float32 model in float64 maths. */
export function commonType(a: Tensor<FloatType>, b: Tensor<FloatType>, names: [string, string]): FloatType {
  if (a.dtype !== b.dtype) {
    throw new DTypeError('operands have different dtypes (convert one with .astype())', {
      field: names[1],
      expected: `${a.dtype} like '${names[0]}'`,
      found: b.dtype,
    });
  }
  return a.dtype;
}

/**
 * The matrix `source` (rows x cols, any strides) copied row-major into float64, transposed when
 * `transpose` is set: the packing every JS/wasm kernel call starts with.
 */
export function packFloat64(source: Tensor<FloatType>, transpose: boolean): Float64Array {
  const [rows, cols] = source.shape as [number, number];
  const [rowStride, colStride] = source.strides as [number, number];
  const data = source.data;
  const offset = source.offset;
  const out = new Float64Array(rows * cols);
  if (!transpose) {
    if (colStride === 1 && rowStride === cols && data instanceof Float64Array) {
      out.set(data.subarray(offset, offset + rows * cols));
      return out;
    }
    for (let i = 0; i < rows; i++) {
      const base = offset + i * rowStride;
      for (let j = 0; j < cols; j++) out[i * cols + j] = data[base + j * colStride];
    }
    return out;
  }
  // Transposed copy in 32x32 tiles so that both the reads and the writes stay in cache.
  const tile = 32;
  for (let i0 = 0; i0 < rows; i0 += tile) {
    const i1 = Math.min(i0 + tile, rows);
    for (let j0 = 0; j0 < cols; j0 += tile) {
      const j1 = Math.min(j0 + tile, cols);
      for (let i = i0; i < i1; i++) {
        const base = offset + i * rowStride;
        for (let j = j0; j < j1; j++) out[j * rows + i] = data[base + j * colStride];
      }
    }
  }
  return out;
}

/**
 * A zero-copy row-major view of a matrix for engines that take (data, transposed) pairs: a
 * contiguous matrix is passed as is, a transposed view of a contiguous one as its storage with
 * the flag flipped; anything else is copied contiguous.
 */
export function rowMajorOperand(
  source: Tensor<FloatType>,
  transpose: boolean,
): { data: FloatArray; rows: number; cols: number; transpose: boolean } {
  const [rows, cols] = source.shape as [number, number];
  const [rowStride, colStride] = source.strides as [number, number];
  const data = source.data as FloatArray;
  if ((colStride === 1 || cols <= 1) && (rowStride === cols || rows <= 1)) {
    return { data: data.subarray(source.offset, source.offset + rows * cols), rows, cols, transpose };
  }
  if ((rowStride === 1 || rows <= 1) && (colStride === rows || cols <= 1)) {
    // A transposed view of a contiguous cols x rows matrix.
    return {
      data: data.subarray(source.offset, source.offset + rows * cols),
      rows: cols,
      cols: rows,
      transpose: !transpose,
    };
  }
  const copy = source.contiguous();
  return { data: copy.data as FloatArray, rows, cols, transpose };
}

/** Rounds a float64 result to the operands' dtype. */
export function asType(values: Float64Array, dtype: FloatType): FloatArray {
  return dtype === 'float64' ? values : new Float32Array(values);
}
