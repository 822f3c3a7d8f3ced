// The allow-list of Python globals a PyTorch checkpoint may name, each mapped to a JavaScript
// function that rebuilds plain data: tensors (as lazy references into storages), storages,
// OrderedDict, torch.Size, dtypes and devices by name, NumPy scalars (common in saved
// training state: best accuracy, epoch counters). This is the same family of names
// torch.load(weights_only=True) accepts; everything else is refused by the unpickler.
// Each function touches only the top of its arguments (no deep stringify or copy), so a
// hostile pickle that passes one shared, deeply self-referencing list everywhere costs no
// more than its size.

import { FormatError } from '../errors';
import { Tensor, sizeOf } from '../tensor/tensor';
import type { LazyTensor } from '../weights/weight-set';
import type { ByteSource } from './byte-source';
import { decodeElements, fileDTypeSize, tensorDTypeOf, type FileDType } from './file-dtypes';
import { PickleGlobal, pickleSetState, type PickleCallable } from './pickle';

/** torch storage class names (torch.FloatStorage, ...) and the element type each holds. */
export const STORAGE_TYPES: Record<string, FileDType> = {
  DoubleStorage: 'float64',
  FloatStorage: 'float32',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
  UInt16Storage: 'uint16',
  UInt32Storage: 'uint32',
  UInt64Storage: 'uint64',
  UntypedStorage: 'uint8',
  Float8_e4m3fnStorage: 'float8_e4m3fn',
  Float8_e5m2Storage: 'float8_e5m2',
  Float8_e4m3fnuzStorage: 'float8_e4m3fnuz',
  Float8_e5m2fnuzStorage: 'float8_e5m2fnuz',
};

/** One storage: where its bytes are and what they hold. Tensors that share a storage share one of these. */
export class TorchStorage {
  constructor(
    readonly key: string,
    readonly dtype: FileDType,
    /** Number of elements. */
    readonly numel: number,
    readonly source: ByteSource,
    /** Byte offset of element 0 in `source`. */
    readonly byteOffset: number,
    readonly bigEndian: boolean,
  ) {}
}

/** A tensor of a checkpoint: a view (offset, shape, strides) of a storage, read on demand. */
export class TorchTensor implements LazyTensor {
  readonly dtype;
  constructor(
    readonly storage: TorchStorage,
    readonly storageOffset: number,
    readonly shape: number[],
    readonly strides: number[],
  ) {
    this.dtype = tensorDTypeOf(storage.dtype);
    const where = { file: storage.source.name, field: `storage ${storage.key}` };
    if (shape.length !== strides.length)
      throw new FormatError('tensor size and stride differ in length', {
        ...where,
        expected: String(shape.length),
        found: String(strides.length),
      });
    for (const value of [storageOffset, ...shape, ...strides]) {
      if (!Number.isSafeInteger(value) || value < 0)
        throw new FormatError('tensor offset, size and stride must be non-negative integers', {
          ...where,
          found: `offset ${storageOffset} size (${shape}) stride (${strides})`,
        });
    }
    if (sizeOf(shape) > 0 && this.lastIndex() >= storage.numel) {
      throw new FormatError('tensor view reaches past the end of its storage', {
        ...where,
        expected: `elements < ${storage.numel}`,
        found: `offset ${storageOffset} size (${shape}) stride (${strides}) reaches ${this.lastIndex()}`,
      });
    }
  }

  private lastIndex(): number {
    return this.shape.reduce((last, extent, axis) => last + (extent - 1) * this.strides[axis], this.storageOffset);
  }

  /** Reads only the storage elements the view covers. */
  load(): Tensor {
    const { storage } = this;
    if (sizeOf(this.shape) === 0) return Tensor.zeros(this.shape, this.dtype);
    const first = this.storageOffset;
    const count = this.lastIndex() - first + 1;
    const size = fileDTypeSize(storage.dtype);
    const offset = storage.byteOffset + first * size;
    const bytes = storage.source.read(offset, count * size, `storage ${storage.key}`);
    const data = decodeElements(storage.dtype, bytes, count, storage.bigEndian, {
      file: storage.source.name,
      field: `storage ${storage.key}`,
      offset,
    });
    return new Tensor(this.dtype, data as never, this.shape, { strides: this.strides });
  }
}

/** Tensor ranks past this are refused (PyTorch itself caps dimensions at 64). */
const MAX_RANK = 64;

/** A short description of a pickled value for error messages: never walks more than one level. */
function shortDescription(value: unknown): string {
  if (Array.isArray(value))
    return `a tuple of ${value.length} (${value
      .slice(0, 4)
      .map((v) => (Array.isArray(v) ? 'tuple' : typeof v === 'string' ? JSON.stringify(v.slice(0, 20)) : String(v)))
      .join(', ')}${value.length > 4 ? ', ...' : ''})`;
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  if (value instanceof Map) return `a dict of ${value.size}`;
  return typeof value === 'object' && value !== null ? value.constructor.name : String(value);
}

function intList(value: unknown, what: string): number[] {
  if (
    !Array.isArray(value) ||
    value.length > MAX_RANK ||
    !value.every((v) => typeof v === 'number' && Number.isSafeInteger(v))
  ) {
    throw new FormatError(`${what} must be a tuple of at most ${MAX_RANK} integers`, {
      found: shortDescription(value),
    });
  }
  return value as number[];
}

function rebuildTensor(args: unknown[]): TorchTensor {
  const [storage, offset, size, stride] = args;
  if (!(storage instanceof TorchStorage)) throw new FormatError('tensor rebuilt from something that is not a storage');
  if (typeof offset !== 'number') throw new FormatError('storage offset must be an integer', { found: typeof offset });
  return new TorchTensor(storage, offset, intList(size, 'tensor size'), intList(stride, 'tensor stride'));
}

/** A numpy.dtype rebuilt by name (BUILD sets its byte order). */
class NumpyDType {
  byteOrder = '<';
  constructor(readonly name: string) {}
  [pickleSetState](state: unknown): void {
    if (Array.isArray(state) && typeof state[1] === 'string') this.byteOrder = state[1];
  }
}

const NUMPY_SCALARS: Record<string, FileDType> = {
  f8: 'float64',
  f4: 'float32',
  f2: 'float16',
  i8: 'int64',
  i4: 'int32',
  i2: 'int16',
  i1: 'int8',
  u1: 'uint8',
  b1: 'bool',
  u2: 'uint16',
  u4: 'uint32',
  u8: 'uint64',
};

function numpyScalar(args: unknown[]): number | bigint | boolean {
  const [dtype, raw] = args;
  if (!(dtype instanceof NumpyDType) || !(raw instanceof Uint8Array))
    throw new FormatError('numpy scalar needs a dtype and its bytes');
  const type = NUMPY_SCALARS[dtype.name];
  if (!type) throw new FormatError('unsupported numpy scalar dtype', { found: dtype.name });
  if (raw.length !== fileDTypeSize(type))
    throw new FormatError('numpy scalar bytes do not match its dtype', {
      field: dtype.name,
      expected: `${fileDTypeSize(type)} bytes`,
      found: `${raw.length}`,
    });
  const bytes = raw.slice();
  const value = decodeElements(type, bytes, 1, dtype.byteOrder === '>', { file: '<pickle>', field: 'numpy scalar' })[0];
  return type === 'bool' ? value !== 0 : typeof value === 'bigint' ? value : Number(value);
}

function notCallable(name: string): PickleCallable {
  return () => {
    throw new FormatError(`${name} is a type marker and cannot be called`);
  };
}

function deviceName(args: unknown[]): string {
  const [type, index] = args;
  if (typeof type !== 'string' || (index !== undefined && index !== null && typeof index !== 'number')) {
    throw new FormatError('torch.device needs a device type string and an optional index', {
      found: `${shortDescription(type)}, ${shortDescription(index)}`,
    });
  }
  return index === undefined || index === null ? type : `${type}:${index}`;
}

/** A set's elements: the list itself, not a copy (a shared list rebuilt as a set many times costs nothing). */
function setElements(args: unknown[]): unknown[] {
  return Array.isArray(args[0]) ? args[0] : [];
}

/** The allow-list for PyTorch pickles (a fresh one per file: `_codecs.encode` remembers the strings it encoded). */
export function torchGlobals(): Record<string, PickleCallable> {
  const encoded = new Map<string, Uint8Array>();
  const globals: Record<string, PickleCallable> = {
    'collections.OrderedDict': (args) => {
      const map = new Map<unknown, unknown>();
      if (Array.isArray(args[0])) for (const pair of args[0]) if (Array.isArray(pair)) map.set(pair[0], pair[1]);
      return map;
    },
    'torch._utils._rebuild_tensor_v2': rebuildTensor,
    'torch._utils._rebuild_tensor': rebuildTensor,
    'torch._utils._rebuild_parameter': (args) => args[0],
    'torch._utils._rebuild_parameter_with_state': (args) => args[0],
    'torch.Size': (args) => intList(args[0], 'torch.Size'),
    'torch.device': deviceName,
    '_codecs.encode': (args) => {
      const [text, encoding] = args;
      if (typeof text !== 'string') throw new FormatError('_codecs.encode needs a string');
      if (encoding !== 'latin1' && encoding !== 'latin-1')
        throw new FormatError('_codecs.encode supports latin1 only', { found: shortDescription(encoding) });
      // One encoding per distinct string: a memoised string encoded again and again stays one buffer.
      let bytes = encoded.get(text);
      if (!bytes) {
        bytes = Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
        encoded.set(text, bytes);
      }
      return bytes;
    },
    'builtins.set': setElements,
    'builtins.frozenset': setElements,
    '__builtin__.set': setElements,
    'numpy.dtype': (args) => new NumpyDType(String(args[0])),
    'numpy.core.multiarray.scalar': numpyScalar,
    'numpy._core.multiarray.scalar': numpyScalar,
  };
  for (const name of Object.keys(STORAGE_TYPES)) globals[`torch.${name}`] = notCallable(`torch.${name}`);
  // torch.float32 and friends pickle as globals of the torch module; they become their names.
  for (const dtype of [
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
    'double',
    'float',
    'half',
    'long',
    'int',
    'short',
  ]) {
    globals[`torch.${dtype}`] = notCallable(`torch.${dtype}`);
  }
  return globals;
}

/** The element type of a storage-type global from a persistent id (torch.FloatStorage -> float32). */
export function storageDType(value: unknown, file: string): FileDType {
  const name = value instanceof PickleGlobal ? value.qualifiedName.replace(/^torch\./, '') : String(value);
  const dtype = STORAGE_TYPES[name];
  if (!dtype) {
    throw new FormatError('unsupported storage type', {
      file,
      field: name,
      expected: Object.keys(STORAGE_TYPES).join('|'),
    });
  }
  return dtype;
}
