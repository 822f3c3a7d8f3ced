// ONNX models: the weights are the graph's initializers (TensorProto messages), stored as
// raw little-endian bytes, as typed repeated fields, or in external files next to the model.
// We walk ModelProto.graph.initializer with our own protobuf reader and read each tensor on
// demand. Field numbers: onnx/onnx.proto (ModelProto 7 = graph; GraphProto 5 = initializer,
// 15 = sparse_initializer; TensorProto 1 dims, 2 data_type, 4 float_data, 5 int32_data,
// 7 int64_data, 8 name, 9 raw_data, 10 double_data, 11 uint64_data, 13 external_data, 14 data_location).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { DTypeError, FormatError } from '../errors';
import { Tensor, sizeOf } from '../tensor/tensor';
import { WeightSet, type TensorEntry } from '../weights/weight-set';
import { FileSource } from './byte-source';
import { containedPath } from './containment';
import { decodeElements, fileDTypeSize, tensorDTypeOf, type FileDType } from './file-dtypes';
import { ProtoReader, WIRE_LENGTH, WIRE_VARINT, type ProtoField } from './protobuf';

/** ONNX TensorProto.DataType codes we read. */
const DATA_TYPES: Record<number, FileDType> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  16: 'bfloat16',
  17: 'float8_e4m3fn',
  18: 'float8_e4m3fnuz',
  19: 'float8_e5m2',
  20: 'float8_e5m2fnuz',
};
const REFUSED: Record<number, string> = {
  8: 'string',
  14: 'complex64',
  15: 'complex128',
  21: 'uint4',
  22: 'int4',
  23: 'float4e2m1',
};

/** ONNX protobufs are limited to 2 GiB; larger weights live in external data files. */
const MAX_MODEL_BYTES = 2 ** 31;

interface Initializer {
  name: string;
  dims: number[];
  dataType: number;
  raw?: ProtoField;
  /** Repeated typed-field occurrences (packed ranges or single values). */
  typed: ProtoField[];
  typedField?: number;
  external?: Record<string, string>;
}

function parseTensor(reader: ProtoReader): Initializer {
  const tensor: Initializer = { name: '', dims: [], dataType: 0, typed: [] };
  let external = false;
  while (!reader.done) {
    const field = reader.next();
    switch (field.field) {
      case 1:
        if (field.wire === WIRE_VARINT) tensor.dims.push(Number(field.value));
        else if (field.wire === WIRE_LENGTH) {
          const packed = reader.sub(field);
          while (!packed.done) tensor.dims.push(Number(packed.varint()));
        }
        break;
      case 2:
        tensor.dataType = Number(field.value);
        break;
      case 8:
        tensor.name = reader.text(field);
        break;
      case 9:
        tensor.raw = field;
        break;
      case 4:
      case 5:
      case 7:
      case 10:
      case 11:
        tensor.typed.push(field);
        tensor.typedField = field.field;
        break;
      case 13: {
        const entry = reader.sub(field);
        let key = '';
        let value = '';
        while (!entry.done) {
          const part = entry.next();
          if (part.field === 1) key = entry.text(part);
          else if (part.field === 2) value = entry.text(part);
        }
        tensor.external ??= {};
        tensor.external[key] = value;
        break;
      }
      case 14:
        external = Number(field.value) === 1;
        break;
      default:
        break;
    }
  }
  if (!external) delete tensor.external;
  return tensor;
}

/** Opens an .onnx model and returns its initializers as a lazy WeightSet. */
export function readOnnx(file: string): WeightSet {
  const source = new FileSource(file);
  if (source.size > MAX_MODEL_BYTES)
    throw new FormatError('ONNX protobufs are limited to 2 GiB', { file, found: `${source.size} bytes` });
  const bytes = source.read(0, source.size, 'model');
  return readOnnxBytes(bytes, file, path.dirname(file));
}

/** Initializers of an ONNX model held in memory; external data paths resolve against `directory`. */
export function readOnnxBytes(bytes: Uint8Array, file = '<onnx>', directory = '.'): WeightSet {
  const model = new ProtoReader(bytes, file);
  let graph: ProtoField | undefined;
  while (!model.done) {
    const field = model.next();
    if (field.field === 7 && field.wire === WIRE_LENGTH) graph = field;
  }
  if (!graph) throw new FormatError('ONNX model has no graph', { file, field: 'graph' });
  const graphReader = model.sub(graph);
  const entries: [string, TensorEntry][] = [];
  const sparse: string[] = [];
  let graphName = '';
  while (!graphReader.done) {
    const field = graphReader.next();
    if (field.field === 2 && field.wire === WIRE_LENGTH) graphName = graphReader.text(field);
    if (field.field === 15) sparse.push(`#${sparse.length}`);
    if (field.field !== 5 || field.wire !== WIRE_LENGTH) continue;
    const tensor = parseTensor(graphReader.sub(field));
    entries.push([
      tensor.name || `initializer_${entries.length}`,
      lazyInitializer(tensor, bytes, file, directory, field.start),
    ]);
  }
  return new WeightSet(entries, {
    metadata: {
      format: 'onnx',
      file,
      graph: graphName,
      ...(sparse.length ? { skippedSparseInitializers: sparse.length } : {}),
    },
  });
}

function lazyInitializer(
  tensor: Initializer,
  bytes: Uint8Array,
  file: string,
  directory: string,
  offset: number,
): TensorEntry {
  const where = { file, field: tensor.name, offset };
  if (tensor.dataType in REFUSED)
    throw new DTypeError(`ONNX ${REFUSED[tensor.dataType]} initializers are not supported`, {
      ...where,
      found: String(tensor.dataType),
    });
  const dtype = DATA_TYPES[tensor.dataType];
  if (!dtype) throw new DTypeError('unknown ONNX data type', { ...where, found: String(tensor.dataType) });
  if (!tensor.dims.every((d) => Number.isSafeInteger(d) && d >= 0))
    throw new FormatError('invalid dims', { ...where, found: `[${tensor.dims}]` });
  const shape = tensor.dims;
  const count = sizeOf(shape);
  const byteLength = count * fileDTypeSize(dtype);
  if (tensor.raw && tensor.raw.end - tensor.raw.start !== byteLength) {
    throw new FormatError('raw_data size does not match dims and data type', {
      ...where,
      expected: `${byteLength} bytes`,
      found: `${tensor.raw.end - tensor.raw.start}`,
    });
  }
  let externalSource: FileSource | undefined;
  let externalOffset = 0;
  if (tensor.external) {
    const location = tensor.external.location;
    externalSource = new FileSource(
      containedPath(directory, location, { file, field: `${tensor.name}.external_data.location`, offset }),
    );
    externalOffset = Number(tensor.external.offset ?? 0);
    const length = Number(tensor.external.length ?? byteLength);
    if (
      !Number.isSafeInteger(externalOffset) ||
      length !== byteLength ||
      externalOffset + byteLength > externalSource.size
    ) {
      throw new FormatError('external data range does not fit the tensor or the file', {
        ...where,
        expected: `${byteLength} bytes at ${externalOffset}`,
        found: `length ${length}, file ${externalSource.size} bytes`,
      });
    }
  } else if (!tensor.raw && count > 0 && tensor.typed.length === 0) {
    throw new FormatError('initializer holds no data', where);
  }
  const outType = tensorDTypeOf(dtype);
  return {
    dtype: outType,
    shape,
    load(): Tensor {
      let raw: Uint8Array;
      if (externalSource) raw = externalSource.read(externalOffset, byteLength, `external data of '${tensor.name}'`);
      else if (tensor.raw) raw = bytes.slice(tensor.raw.start, tensor.raw.end);
      else raw = typedToRaw(tensor, dtype, count, bytes, where);
      return new Tensor(outType, decodeElements(dtype, raw, count, false, where) as never, shape);
    },
  };
}

/** Converts the typed repeated fields to little-endian bytes of `dtype`, as raw_data would hold them. */
function typedToRaw(
  tensor: Initializer,
  dtype: FileDType,
  count: number,
  bytes: Uint8Array,
  where: { file: string; field: string },
): Uint8Array {
  const values: (number | bigint)[] = [];
  const field = tensor.typedField!;
  for (const occurrence of tensor.typed) {
    const view = new DataView(bytes.buffer, bytes.byteOffset + occurrence.start, occurrence.end - occurrence.start);
    if (field === 4) {
      for (let i = 0; i + 4 <= view.byteLength; i += 4) values.push(view.getFloat32(i, true));
    } else if (field === 10) {
      for (let i = 0; i + 8 <= view.byteLength; i += 8) values.push(view.getFloat64(i, true));
    } else if (occurrence.wire === WIRE_VARINT) values.push(occurrence.value!);
    else {
      const packed = new ProtoReader(bytes, where.file, occurrence.start, occurrence.end);
      while (!packed.done) values.push(field === 7 || field === 11 ? packed.varintBig() : packed.varint());
    }
    if (values.length > count) break;
  }
  if (values.length !== count)
    throw new FormatError('typed data length does not match dims', {
      ...where,
      expected: `${count} values`,
      found: `${values.length}`,
    });
  const size = fileDTypeSize(dtype);
  const out = new Uint8Array(count * size);
  const view = new DataView(out.buffer);
  for (let i = 0; i < count; i++) {
    const value = values[i];
    switch (dtype) {
      case 'float32':
        view.setFloat32(i * 4, Number(value), true);
        break;
      case 'float64':
        view.setFloat64(i * 8, Number(value), true);
        break;
      case 'int64':
        view.setBigInt64(i * 8, BigInt.asIntN(64, BigInt(value)), true);
        break;
      case 'uint64':
        view.setBigUint64(i * 8, BigInt.asUintN(64, BigInt(value)), true);
        break;
      // int32_data carries every narrower type (and half/8-bit float bit patterns) as int32 values.
      default: {
        const word = Number(BigInt.asIntN(32, BigInt(value)));
        if (size === 4) view.setInt32(i * 4, word, true);
        else if (size === 2) view.setUint16(i * 2, word & 0xffff, true);
        else view.setUint8(i, word & 0xff);
      }
    }
  }
  return out;
}
