// PyTorch checkpoints (.pt/.pth/.bin/ray-tune `checkpoints`) without Python and without
// executing anything. Zip format (torch.save since 1.6): `<prefix>/data.pkl` is a pickle whose
// tensors point by persistent id at `<prefix>/data/<key>` storage entries. Legacy format
// (before 1.6, or _use_new_zipfile_serialization=False): several pickles in a row (magic,
// protocol, sys_info, the object, the storage keys) followed by each storage's bytes.
// Tensors are lazy views into storages; only allow-listed globals are accepted (torch-globals.ts).

import { FormatError } from '../errors';
import type { WeightSet } from '../weights/weight-set';
import { dataView, formatError, toSource, type ByteSource } from './byte-source';
import { weightsFromCheckpoint, type UnwrapOptions } from './checkpoint-tree';
import { fileDTypeSize } from './file-dtypes';
import { unpickle } from './pickle';
import { storageDType, torchGlobals, TorchStorage, TorchTensor } from './torch-globals';
import { ZipArchive, type ZipReadOptions } from './zip';

/** The magic number legacy torch files start with (pickled as a LONG1). */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
/** The unpickled part of a checkpoint is small; refuse data.pkl past this rather than read a hostile size. */
const MAX_PICKLE_BYTES = 1 << 30;

export interface TorchReadOptions extends UnwrapOptions, ZipReadOptions {}

export interface TorchCheckpoint {
  /** The unpickled object: Maps for dicts, arrays for lists and tuples, TorchTensor for tensors. */
  root: unknown;
  format: 'torch-zip' | 'torch-legacy';
}

/** True when `value` is a tensor from a torch checkpoint. */
export function isTorchTensor(value: unknown): value is TorchTensor {
  return value instanceof TorchTensor;
}

/** The whole unpickled object of a checkpoint (for optimizer state, nested configs, ...). */
export function readTorchObject(
  input: string | Uint8Array | ByteSource,
  options: ZipReadOptions = {},
): TorchCheckpoint {
  const source = toSource(input);
  if (source.size < 4)
    throw formatError(source, 'too short for a PyTorch checkpoint', { found: `${source.size} bytes` });
  const head = source.read(0, Math.min(source.size, 512), 'file start');
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04)
    return { root: readZipCheckpoint(source, options), format: 'torch-zip' };
  if (head[0] === 0x80) return { root: readLegacyCheckpoint(source), format: 'torch-legacy' };
  if (head.length >= 262 && new TextDecoder('latin1').decode(head.subarray(257, 262)) === 'ustar') {
    throw formatError(
      source,
      'this is the tar-based checkpoint format of PyTorch before 0.4; load and re-save it with a current PyTorch',
    );
  }
  throw formatError(source, 'not a PyTorch checkpoint', {
    offset: 0,
    expected: 'a zip archive (PK\\x03\\x04) or a pickle (\\x80)',
    found: `0x${head[0].toString(16)}`,
  });
}

/** A checkpoint's weights as a lazy WeightSet (state_dict wrappers and `module.` prefixes unwrapped). */
export function readTorch(input: string | Uint8Array | ByteSource, options: TorchReadOptions = {}): WeightSet {
  const source = toSource(input);
  const { root, format } = readTorchObject(source, options);
  return weightsFromCheckpoint(root, isTorchTensor, source.name, options, { format, file: source.name });
}

function readZipCheckpoint(source: ByteSource, options: ZipReadOptions): unknown {
  const archive = new ZipArchive(source, options);
  const pickles = archive.names.filter((name) => /^[^/]*\/data\.pkl$/.test(name) || name === 'data.pkl');
  if (pickles.length !== 1) {
    throw formatError(
      source,
      pickles.length === 0
        ? 'zip archive has no data.pkl: not a torch.save checkpoint'
        : 'zip archive has several data.pkl entries',
      { found: pickles.join(', ') || archive.names.slice(0, 5).join(', ') },
    );
  }
  const prefix = pickles[0].slice(0, -'data.pkl'.length);
  if (archive.has(`${prefix}constants.pkl`) || archive.names.some((name) => name.startsWith(`${prefix}code/`))) {
    throw formatError(
      source,
      'this is a TorchScript archive (torch.jit.save), which holds code; save model.state_dict() with torch.save instead',
    );
  }
  let bigEndian = false;
  if (archive.has(`${prefix}byteorder`)) {
    const order = new TextDecoder().decode(archive.read(archive.entry(`${prefix}byteorder`))).trim();
    if (order !== 'little' && order !== 'big')
      throw formatError(source, 'unknown byteorder entry', {
        field: `${prefix}byteorder`,
        expected: 'little or big',
        found: order,
      });
    bigEndian = order === 'big';
  }
  const pickleEntry = archive.entry(pickles[0]);
  if (pickleEntry.size > MAX_PICKLE_BYTES)
    throw formatError(source, 'data.pkl is implausibly large', {
      field: pickles[0],
      expected: `at most ${MAX_PICKLE_BYTES} bytes`,
      found: String(pickleEntry.size),
    });
  const storages = new Map<string, TorchStorage>();
  const pickleFile = `${source.name}:${pickles[0]}`;
  const { value } = unpickle(archive.read(pickleEntry), {
    file: pickleFile,
    globals: torchGlobals(),
    persistentLoad(pid, offset) {
      if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 5) {
        throw new FormatError('unsupported persistent id (only storages are allowed)', {
          file: pickleFile,
          offset,
          found: Array.isArray(pid) ? String(pid[0]) : typeof pid,
        });
      }
      const [, type, key, , numel] = pid;
      const dtype = storageDType(type, pickleFile);
      if (typeof key !== 'string' || typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0) {
        throw new FormatError('malformed storage persistent id', {
          file: pickleFile,
          offset,
          found: `key ${String(key)}, numel ${String(numel)}`,
        });
      }
      const existing = storages.get(key);
      if (existing) {
        if (existing.dtype !== dtype && type !== undefined) {
          // Two dtypes over one storage (x.view(torch.int32)); torch >= 2 saves untyped storages, so it is legal, but we read the bytes per dtype.
          return new TorchStorage(
            key,
            dtype,
            Math.floor((existing.numel * fileDTypeSize(existing.dtype)) / fileDTypeSize(dtype)),
            existing.source,
            existing.byteOffset,
            bigEndian,
          );
        }
        return existing;
      }
      const entryName = `${prefix}data/${key}`;
      if (!archive.has(entryName))
        throw new FormatError('storage entry missing from the archive', { file: source.name, field: entryName });
      const entry = archive.entry(entryName);
      const bytes = numel * fileDTypeSize(dtype);
      if (entry.size !== bytes) {
        throw new FormatError('storage size does not match its entry', {
          file: source.name,
          field: entryName,
          expected: `${bytes} bytes (${numel} x ${dtype})`,
          found: `${entry.size} bytes`,
        });
      }
      const storage = new TorchStorage(key, dtype, numel, archive.entrySource(entry), 0, bigEndian);
      storages.set(key, storage);
      return storage;
    },
  });
  return value;
}

function readLegacyCheckpoint(source: ByteSource): unknown {
  // The pickles come first; read a bounded prefix and run them in order.
  const headLength = Math.min(source.size, 256 * 1024 * 1024);
  const head = source.read(0, headLength, 'pickle section');
  const options = { file: source.name, globals: torchGlobals() };
  const magic = unpickle(head, options);
  if (magic.value !== LEGACY_MAGIC) {
    throw formatError(
      source,
      'a plain pickle, not a PyTorch checkpoint (no legacy magic number); refusing to treat it as one',
      { offset: 0 },
    );
  }
  const protocol = unpickle(head, { ...options, start: magic.end });
  if (protocol.value !== 1001)
    throw formatError(source, 'unsupported legacy checkpoint protocol', {
      offset: magic.end,
      expected: '1001',
      found: String(protocol.value),
    });
  const sysInfo = unpickle(head, { ...options, start: protocol.end });
  const littleEndian = sysInfo.value instanceof Map ? sysInfo.value.get('little_endian') !== false : true;
  const roots = new Map<string, { dtype: ReturnType<typeof storageDType>; numel: number }>();
  const storages = new Map<string, TorchStorage>();
  // Storages' file offsets are known only after the key list; tensors hold a storage object we fill in afterwards.
  const placeholders = new Map<
    string,
    { dtype: ReturnType<typeof storageDType>; numel: number; elementOffset: number; root: string }
  >();
  const object = unpickle(head, {
    ...options,
    start: sysInfo.end,
    persistentLoad(pid, offset) {
      if (!Array.isArray(pid) || pid[0] !== 'storage' || pid.length < 6) {
        throw new FormatError(
          'unsupported persistent id (only storages are allowed; legacy files may also pickle module source code)',
          { file: source.name, offset, found: Array.isArray(pid) ? String(pid[0]) : typeof pid },
        );
      }
      const [, type, rootKey, , numel, view] = pid;
      const dtype = storageDType(type, source.name);
      if (typeof rootKey !== 'string' || typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0)
        throw new FormatError('malformed storage persistent id', { file: source.name, offset });
      if (!roots.has(rootKey)) roots.set(rootKey, { dtype, numel });
      let key = rootKey;
      let elementOffset = 0;
      let viewNumel = numel;
      if (Array.isArray(view)) {
        const [viewKey, viewOffset, viewSize] = view;
        if (
          typeof viewKey !== 'string' ||
          !Number.isSafeInteger(viewOffset) ||
          !Number.isSafeInteger(viewSize) ||
          (viewOffset as number) < 0 ||
          (viewSize as number) < 0
        ) {
          throw new FormatError('malformed storage view: needs a key and a non-negative element offset and size', {
            file: source.name,
            offset,
            field: String(viewKey),
            found: `offset ${String(viewOffset)}, size ${String(viewSize)}`,
          });
        }
        key = viewKey;
        elementOffset = viewOffset as number;
        viewNumel = viewSize as number;
      }
      const existing = storages.get(key);
      if (existing) return existing;
      const storage = new TorchStorage(key, dtype, viewNumel, source, 0, !littleEndian);
      placeholders.set(key, { dtype, numel: viewNumel, elementOffset, root: rootKey });
      storages.set(key, storage);
      return storage;
    },
  });
  const keys = unpickle(head, { ...options, start: object.end });
  if (!Array.isArray(keys.value) || !keys.value.every((key) => typeof key === 'string'))
    throw formatError(source, 'legacy checkpoint has no storage key list', { offset: object.end });
  // Data section: for each key, an int64 element count then the elements.
  const offsets = new Map<string, number>();
  let at = keys.end;
  for (const key of keys.value as string[]) {
    const record = roots.get(key);
    if (!record) throw formatError(source, 'storage key list names an unknown storage', { offset: at, field: key });
    const count = Number(dataView(source.read(at, 8, `size of storage ${key}`)).getBigInt64(0, littleEndian));
    if (count !== record.numel)
      throw formatError(source, 'storage size does not match its persistent id', {
        offset: at,
        field: key,
        expected: String(record.numel),
        found: String(count),
      });
    offsets.set(key, at + 8);
    at += 8 + count * fileDTypeSize(record.dtype);
    if (at > source.size)
      throw formatError(source, 'storage data runs past the end of the file (truncated?)', { offset: at, field: key });
  }
  // Patch the storages now that their offsets are known (TorchStorage fields are readonly to users, writable here).
  for (const [key, storage] of storages) {
    const info = placeholders.get(key)!;
    const base = offsets.get(info.root);
    if (base === undefined) throw formatError(source, 'storage missing from the data section', { field: info.root });
    const rootRecord = roots.get(info.root)!;
    if (info.elementOffset + info.numel > rootRecord.numel)
      throw formatError(source, 'storage view reaches past its root storage', { field: key });
    (storage as { byteOffset: number }).byteOffset = base + info.elementOffset * fileDTypeSize(info.dtype);
  }
  return object.value;
}
