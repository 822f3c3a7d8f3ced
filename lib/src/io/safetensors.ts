// safetensors: the Hugging Face weight format (8-byte header length, JSON header, raw
// little-endian bytes). Reading is lazy: only the header is read up front, each tensor is one
// positional read when asked for, so multi-GB files (and offsets past 4 GiB) cost nothing to
// open. Writing goes through a temp file and a rename so that no reader ever sees half a file.
// Format: https://github.com/huggingface/safetensors (README, "Format").

import * as fs from 'node:fs';
import * as path from 'node:path';
import { DTypeError, FormatError } from '../errors';
import { BYTES_PER_ELEMENT, type DType } from '../tensor/dtype';
import { Tensor, sizeOf } from '../tensor/tensor';
import { WeightSet, type TensorEntry } from '../weights/weight-set';
import { dataView, formatError, readUint64, toSource, type ByteSource } from './byte-source';
import { fileDTypeSize, type FileDType } from './file-dtypes';
import { containedPath } from './containment';
import { lazyTensor } from './lazy-tensor';
import { writeFileAtomic } from './atomic-write';

/** safetensors dtype codes and the file dtype each one is. */
const CODES: Record<string, FileDType> = {
  F64: 'float64',
  F32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
  I64: 'int64',
  I32: 'int32',
  I16: 'int16',
  I8: 'int8',
  U8: 'uint8',
  BOOL: 'bool',
  U16: 'uint16',
  U32: 'uint32',
  U64: 'uint64',
  F8_E4M3: 'float8_e4m3fn',
  F8_E5M2: 'float8_e5m2',
  F8_E8M0: 'float8_e8m0',
};

/** Codes the format defines but weightlab cannot represent exactly (sub-byte floats, complex). */
const REFUSED: Record<string, string> = {
  F4: '4-bit floats are packed two per byte; unpack them with the library that wrote them',
  F6_E2M3: '6-bit floats are packed; unpack them with the library that wrote them',
  F6_E3M2: '6-bit floats are packed; unpack them with the library that wrote them',
  C64: 'complex tensors are not supported by weightlab tensors',
};

const WRITE_CODES: Record<DType, string> = {
  float64: 'F64',
  float32: 'F32',
  float16: 'F16',
  bfloat16: 'BF16',
  int64: 'I64',
  int32: 'I32',
  int16: 'I16',
  int8: 'I8',
  uint8: 'U8',
  bool: 'BOOL',
};

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Byte index of the first byte that breaks UTF-8, for the error's offset (a plain scan of the encoding rules). */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i];
    const length =
      lead < 0x80
        ? 1
        : lead >= 0xc2 && lead < 0xe0
          ? 2
          : lead >= 0xe0 && lead < 0xf0
            ? 3
            : lead >= 0xf0 && lead < 0xf5
              ? 4
              : 0;
    if (length === 0 || i + length > bytes.length) return i;
    // The tail must be continuation bytes, and the second byte is narrower after E0, ED, F0 and F4 (no overlongs, surrogates or values past U+10FFFF).
    const second = bytes[i + 1];
    const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    if (length > 1 && (second < low || second > high)) return i;
    for (let k = 2; k < length; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    i += length;
  }
  return i;
}

/**
 * The first key that appears twice in one JSON object of `text` (already known to be valid JSON), with its
 * character index; a single pass with an explicit stack, so nesting depth costs no recursion.
 */
function firstDuplicateKey(text: string): { key: string; at: number } | undefined {
  const objects: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let end = i + 1;
      while (text.charCodeAt(end) !== 0x22) end += text.charCodeAt(end) === 0x5c /* \ */ ? 2 : 1;
      const keys = objects[objects.length - 1];
      if (expectKey && keys) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (keys.has(key)) return { key, at: i };
        keys.add(key);
        expectKey = false;
      }
      i = end;
    } else if (c === 0x7b /* { */) {
      objects.push(new Set());
      expectKey = true;
    } else if (c === 0x5b /* [ */) {
      objects.push(null);
      expectKey = false;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      objects.pop();
      expectKey = false;
    } else if (c === 0x2c /* , */) expectKey = objects[objects.length - 1] !== null;
  }
  return undefined;
}

/** The reference implementation refuses headers past 100 MB; so do we (a hostile length cannot make us allocate more). */
export const MAX_SAFETENSORS_HEADER = 100_000_000;

export interface SafetensorsHeaderEntry {
  name: string;
  /** The dtype code in the file (F32, BF16, F8_E4M3, ...). */
  code: string;
  dtype: FileDType;
  shape: number[];
  /** Absolute byte range in the file. */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  /** The free-form string map under `__metadata__`. */
  metadata: Record<string, string>;
  /** Tensors in file order. */
  tensors: SafetensorsHeaderEntry[];
  /** Absolute offset of the byte buffer (8 + header length). */
  dataStart: number;
}

/** Reads and validates the header: dtypes, shapes, sizes, and that the offsets tile the data exactly. */
export function readSafetensorsHeader(input: string | Uint8Array | ByteSource): SafetensorsHeader {
  const source = toSource(input);
  if (source.size < 8)
    throw formatError(source, 'too short for a safetensors file', {
      expected: 'at least 8 bytes',
      found: `${source.size}`,
    });
  const headerLength = readUint64(dataView(source.read(0, 8, 'header length')), 0, source, 'header length', 0);
  if (headerLength > MAX_SAFETENSORS_HEADER) {
    throw formatError(source, 'header length too large', {
      offset: 0,
      field: 'header length',
      expected: `at most ${MAX_SAFETENSORS_HEADER}`,
      found: String(headerLength),
    });
  }
  if (8 + headerLength > source.size) {
    throw formatError(source, 'header length runs past the end of the file', {
      offset: 0,
      field: 'header length',
      expected: `at most ${source.size - 8}`,
      found: String(headerLength),
    });
  }
  const raw = source.read(8, headerLength, 'header');
  let text: string;
  try {
    text = STRICT_UTF8.decode(raw);
  } catch {
    throw formatError(source, 'header is not valid UTF-8', {
      offset: 8 + firstInvalidUtf8(raw),
      expected: 'UTF-8 JSON',
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw formatError(source, `header is not JSON: ${(error as Error).message}`, { offset: 8 });
  }
  // JSON.parse keeps the last of two equal keys; a header that names a tensor twice is ambiguous, so refuse it.
  const duplicate = firstDuplicateKey(text);
  if (duplicate)
    throw formatError(source, 'header names the same key twice', {
      offset: 8 + Buffer.byteLength(text.slice(0, duplicate.at)),
      field: duplicate.key,
      expected: 'unique tensor names and fields',
    });
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw formatError(source, 'header is not a JSON object', { offset: 8 });
  }
  const dataStart = 8 + headerLength;
  const dataLength = source.size - dataStart;
  const metadata: Record<string, string> = {};
  const tensors: SafetensorsHeaderEntry[] = [];
  for (const [name, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw formatError(source, '__metadata__ must be an object of strings', { field: name });
      for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
        if (typeof entry !== 'string')
          throw formatError(source, '__metadata__ values must be strings', { field: key, found: typeof entry });
        metadata[key] = entry;
      }
      continue;
    }
    tensors.push(parseEntry(source, name, value, dataStart, dataLength));
  }
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  // Like the reference implementation: the tensors must cover the data buffer exactly, in order, without gaps or overlap.
  let expected = dataStart;
  for (const tensor of tensors) {
    if (tensor.begin !== expected) {
      throw formatError(source, tensor.begin < expected ? 'tensor overlaps the previous one' : 'gap before tensor', {
        field: tensor.name,
        offset: tensor.begin,
        expected: `data starting at ${expected}`,
        found: `${tensor.begin}`,
      });
    }
    expected = tensor.end;
  }
  if (expected !== source.size) {
    throw formatError(source, 'tensors do not cover the whole data buffer', {
      offset: expected,
      expected: `data ending at ${source.size}`,
      found: `${expected}`,
    });
  }
  return { metadata, tensors, dataStart };
}

function parseEntry(
  source: ByteSource,
  name: string,
  value: unknown,
  dataStart: number,
  dataLength: number,
): SafetensorsHeaderEntry {
  if (typeof value !== 'object' || value === null)
    throw formatError(source, 'tensor entry is not an object', { field: name });
  const { dtype: code, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof code !== 'string') throw formatError(source, 'tensor has no dtype', { field: name });
  if (code in REFUSED)
    throw new DTypeError(`dtype ${code} is not supported: ${REFUSED[code]}`, {
      file: source.name,
      field: name,
      found: code,
    });
  const dtype = CODES[code];
  if (!dtype)
    throw new DTypeError('unknown safetensors dtype', {
      file: source.name,
      field: name,
      expected: Object.keys(CODES).join('|'),
      found: code,
    });
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw formatError(source, 'shape must be a list of non-negative integers', {
      field: name,
      found: JSON.stringify(shape),
    });
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((d) => Number.isSafeInteger(d) && d >= 0) ||
    offsets[0] > offsets[1]
  ) {
    throw formatError(source, 'data_offsets must be [begin, end] with 0 <= begin <= end', {
      field: name,
      found: JSON.stringify(offsets),
    });
  }
  const [begin, end] = offsets as number[];
  if (end > dataLength) {
    throw formatError(source, 'tensor data runs past the end of the file', {
      field: name,
      offset: dataStart + begin,
      expected: `end <= ${dataLength}`,
      found: String(end),
    });
  }
  const bytes = sizeOf(shape) * fileDTypeSize(dtype);
  if (bytes !== end - begin) {
    throw formatError(source, 'shape and dtype do not match the byte range', {
      field: name,
      offset: dataStart + begin,
      expected: `${bytes} bytes for ${code} [${shape.join(', ')}]`,
      found: `${end - begin} bytes`,
    });
  }
  return { name, code, dtype, shape: shape as number[], begin: dataStart + begin, end: dataStart + end };
}

/** Opens a safetensors file lazily: tensors are read when asked for. Metadata strings land in `metadata.safetensors`. */
export function readSafetensors(input: string | Uint8Array | ByteSource): WeightSet {
  const source = toSource(input);
  const header = readSafetensorsHeader(source);
  const entries: [string, TensorEntry][] = header.tensors.map((tensor) => [
    tensor.name,
    lazyTensor(source, { name: tensor.name, dtype: tensor.dtype, shape: tensor.shape, offset: tensor.begin }),
  ]);
  // Tensors whose file dtype was widened or decoded (U16, F8_*, ...) keep a record of what the file held.
  const sourceDTypes = Object.fromEntries(
    header.tensors.filter((t, i) => t.dtype !== entries[i][1].dtype).map((t) => [t.name, t.code]),
  );
  return new WeightSet(entries, {
    metadata: {
      format: 'safetensors',
      file: source.name,
      safetensors: header.metadata,
      ...(Object.keys(sourceDTypes).length > 0 ? { sourceDTypes } : {}),
    },
  });
}

/**
 * Opens a sharded checkpoint from its index (`model.safetensors.index.json`; `weight_map`: tensor -> shard file).
 * Tensors come in index order; every shard is opened lazily, by `openShard` (safetensors by default; the
 * Hugging Face folder reader passes the torch reader for `pytorch_model.bin.index.json`). The index and the
 * shards must agree: every shard listed exists inside the folder, every tensor the index names is in its
 * shard, and every tensor of a shard is listed, under that shard (so no name is in two shards).
 */
export function readSafetensorsIndex(
  indexPath: string,
  openShard: (file: string) => WeightSet = readSafetensors,
): WeightSet {
  let index: unknown;
  try {
    index = JSON.parse(fs.readFileSync(indexPath, 'utf8'));
  } catch (error) {
    throw new FormatError(`cannot read the index: ${(error as Error).message}`, { file: indexPath });
  }
  const weightMap = (index as { weight_map?: unknown })?.weight_map;
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) {
    throw new FormatError('index has no weight_map object', { file: indexPath, field: 'weight_map' });
  }
  const listed = weightMap as Record<string, unknown>;
  const directory = path.dirname(indexPath);
  const shards = new Map<string, WeightSet>();
  const entries: [string, TensorEntry][] = [];
  for (const [name, shard] of Object.entries(listed)) {
    if (typeof shard !== 'string')
      throw new FormatError('weight_map entries must be file names next to the index', {
        file: indexPath,
        field: name,
        found: String(shard),
      });
    let set = shards.get(shard);
    if (!set) {
      set = openShard(containedPath(directory, shard, { file: indexPath, field: `weight_map.${name}` }));
      shards.set(shard, set);
    }
    if (!set.has(name))
      throw new FormatError('the index names a tensor its shard does not contain', {
        file: path.join(directory, shard),
        field: name,
      });
    const info = set.info(name);
    const shardSet = set;
    entries.push([name, { dtype: info.dtype, shape: info.shape, load: () => shardSet.get(name) }]);
  }
  // The converse: a tensor a shard holds but the index does not map to it would be silently dropped (or, when
  // the index maps it to another shard, two different tensors would share one name).
  for (const [shard, set] of shards) {
    for (const name of set.names) {
      if (listed[name] === shard) continue;
      throw new FormatError(
        Object.hasOwn(listed, name)
          ? 'a tensor is in two shards: the index maps it to another one'
          : 'a shard holds a tensor the index does not list',
        {
          file: path.join(directory, shard),
          field: name,
          expected: `listed in ${path.basename(indexPath)}'s weight_map under ${shard}`,
          found: Object.hasOwn(listed, name) ? `listed under ${String(listed[name])}` : 'not listed',
        },
      );
    }
  }
  const metadata = (index as { metadata?: unknown }).metadata;
  const format = openShard === readSafetensors ? 'safetensors-sharded' : 'sharded';
  return new WeightSet(entries, {
    cache: false,
    metadata: { format, file: indexPath, shards: [...shards.keys()], index: metadata ?? {} },
  });
}

export type TensorsInput = WeightSet | Record<string, Tensor> | Iterable<[string, Tensor]>;

function tensorNames(input: TensorsInput): {
  names: string[];
  get(name: string): Tensor;
  info(name: string): { dtype: DType; shape: readonly number[] };
} {
  if (input instanceof WeightSet) return { names: input.names, get: (n) => input.get(n), info: (n) => input.info(n) };
  const pairs: [string, Tensor][] =
    Symbol.iterator in Object(input)
      ? [...(input as Iterable<[string, Tensor]>)]
      : Object.entries(input as Record<string, Tensor>);
  const map = new Map(pairs);
  return { names: pairs.map(([n]) => n), get: (n) => map.get(n)!, info: (n) => map.get(n)! };
}

function buildHeader(
  input: TensorsInput,
  metadata: Record<string, string> | undefined,
): { header: Uint8Array; names: string[]; sizes: number[] } {
  const tensors = tensorNames(input);
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string')
        throw new DTypeError('safetensors metadata values must be strings', { field: key, found: typeof value });
    }
    header.__metadata__ = metadata;
  }
  let at = 0;
  const sizes: number[] = [];
  for (const name of tensors.names) {
    if (name === '__metadata__') throw new DTypeError("a tensor cannot be called '__metadata__'", { field: name });
    const { dtype, shape } = tensors.info(name);
    const bytes = sizeOf(shape) * BYTES_PER_ELEMENT[dtype];
    header[name] = { dtype: WRITE_CODES[dtype], shape: [...shape], data_offsets: [at, at + bytes] };
    sizes.push(bytes);
    at += bytes;
  }
  // Pad with spaces to a multiple of 8 so that every tensor starts 8-byte aligned (as the reference writer does).
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const body = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + body.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(body.length), true);
  out.set(body, 8);
  return { header: out, names: tensors.names, sizes };
}

function tensorBytes(tensor: Tensor): Uint8Array {
  const tight = tensor.contiguous();
  const data = tight.data as ArrayBufferView;
  return new Uint8Array(data.buffer, data.byteOffset + tight.offset * BYTES_PER_ELEMENT[tight.dtype], tight.byteLength);
}

/** The whole file in memory (small sets, tests, uploads). */
export function encodeSafetensors(input: TensorsInput, metadata?: Record<string, string>): Uint8Array {
  const tensors = tensorNames(input);
  const { header, sizes } = buildHeader(input, metadata);
  const out = new Uint8Array(header.length + sizes.reduce((a, b) => a + b, 0));
  out.set(header, 0);
  let at = header.length;
  for (const name of tensors.names) {
    const bytes = tensorBytes(tensors.get(name));
    out.set(bytes, at);
    at += bytes.length;
  }
  return out;
}

/**
 * Writes a safetensors file that PyTorch's `safetensors.torch.load_file` reads. Tensors are
 * written one at a time (lazy sets are read one tensor at a time), to a temp file renamed into place.
 */
export function writeSafetensors(file: string, input: TensorsInput, metadata?: Record<string, string>): void {
  const tensors = tensorNames(input);
  const { header } = buildHeader(input, metadata);
  writeFileAtomic(file, (write) => {
    write(header);
    for (const name of tensors.names) write(tensorBytes(tensors.get(name)));
  });
}
