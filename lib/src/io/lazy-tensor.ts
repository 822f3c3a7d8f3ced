// The one way readers turn "these bytes of this file hold a tensor" into a LazyTensor: the
// dtype and shape are known from the header, the bytes are read (exactly those bytes) only
// when the tensor is asked for, and the size check happens before anything is allocated.

import { FormatError } from '../errors';
import { Tensor, sizeOf, type Shape } from '../tensor/tensor';
import type { LazyTensor } from '../weights/weight-set';
import type { ByteSource } from './byte-source';
import { decodeElements, fileDTypeSize, tensorDTypeOf, type FileDType } from './file-dtypes';

export interface TensorLocation {
  /** Tensor name (for error messages). */
  name: string;
  dtype: FileDType;
  shape: Shape;
  /** Byte offset of element 0 in the source. */
  offset: number;
  bigEndian?: boolean;
  /** Element strides when the data is not C-ordered (numpy Fortran order). */
  strides?: readonly number[];
}

/** Validates the shape and byte range now, reads on `load()`. */
export function lazyTensor(source: ByteSource, location: TensorLocation): LazyTensor {
  const { name, dtype, shape, offset } = location;
  for (const extent of shape) {
    if (!Number.isSafeInteger(extent) || extent < 0) {
      throw new FormatError('invalid shape', {
        file: source.name,
        field: name,
        expected: 'non-negative integers',
        found: `[${shape.join(', ')}]`,
      });
    }
  }
  const count = sizeOf(shape);
  const byteLength = count * fileDTypeSize(dtype);
  if (!Number.isSafeInteger(byteLength) || offset + byteLength > source.size) {
    throw new FormatError('tensor data runs past the end of the file', {
      file: source.name,
      field: name,
      offset,
      expected: `${byteLength} bytes`,
      found: `${Math.max(0, source.size - offset)} bytes left`,
    });
  }
  const tensorDType = tensorDTypeOf(dtype);
  return {
    dtype: tensorDType,
    shape,
    load(): Tensor {
      const bytes = source.read(offset, byteLength, `tensor '${name}'`);
      const data = decodeElements(dtype, bytes, count, location.bigEndian ?? false, {
        file: source.name,
        field: name,
        offset,
      });
      return new Tensor(tensorDType, data as never, shape, location.strides ? { strides: location.strides } : {});
    },
  };
}
