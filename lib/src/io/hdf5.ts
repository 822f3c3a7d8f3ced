// HDF5 weight files: Keras 3 `.weights.h5` (layers/<name>/vars/<i>), Keras 2 `.h5`
// (model_weights/<layer>/<layer>/kernel:0) and any HDF5 file of numeric datasets. HDF5 is far
// too large a format to reimplement, so this goes through h5wasm (the HDF5 C library compiled to
// WebAssembly, maintained by NIST; ESM-only, hence the dynamic import and the async API).
// Every numeric dataset becomes a tensor named by its path with '/' turned into '.'.

import * as fs from 'node:fs';
import { DTypeError, FormatError } from '../errors';
import { Tensor, sizeOf } from '../tensor/tensor';
import { WeightSet, type TensorEntry } from '../weights/weight-set';
import { decodeElements, tensorDTypeOf, type FileDType } from './file-dtypes';

/* eslint-disable @typescript-eslint/no-explicit-any */
type H5Module = any;

let loading: Promise<H5Module> | undefined;

/** Loads h5wasm once. `import()` is hidden from tsc, which would otherwise turn it into a require() of an ESM-only package. */
export function loadH5wasm(): Promise<H5Module> {
  const dynamicImport = new Function('specifier', 'return import(specifier)') as (
    specifier: string,
  ) => Promise<H5Module>;
  loading ??= dynamicImport('h5wasm/node').then(async (module) => {
    await module.ready;
    return module;
  });
  return loading;
}

export interface Hdf5ReadOptions {
  /** Keep optimizer state groups (`optimizer`, `optimizer_weights`); default false. */
  includeOptimizer?: boolean;
}

function fileDTypeOf(metadata: { type: number; size: number; signed: boolean }): FileDType | undefined {
  if (metadata.type === 1)
    return ({ 2: 'float16', 4: 'float32', 8: 'float64' } as Record<number, FileDType>)[metadata.size];
  if (metadata.type === 0) {
    const table: Record<number, [FileDType, FileDType]> = {
      1: ['int8', 'uint8'],
      2: ['int16', 'uint16'],
      4: ['int32', 'uint32'],
      8: ['int64', 'uint64'],
    };
    const pair = table[metadata.size];
    return pair ? pair[metadata.signed ? 0 : 1] : undefined;
  }
  return undefined;
}

/**
 * The dataset's elements as little-endian bytes. We call the same module function h5wasm's
 * `.value` uses (HDF5 converts to the native byte order), but keep the raw bytes: `.value` has no
 * float16 array type and returns scalars as plain numbers.
 */
function datasetBytes(h5: H5Module, file: any, dataset: any, metadata: any): Uint8Array {
  const Module = h5.Module;
  const bytes = metadata.size * metadata.total_size;
  const pointer = Module._malloc(Math.max(1, bytes));
  try {
    Module.get_dataset_data(file.file_id, dataset.path, null, null, null, BigInt(pointer));
    return Module.HEAPU8.slice(pointer, pointer + bytes);
  } finally {
    Module._free(pointer);
  }
}

/** Opens an HDF5 weight file; datasets load lazily (the file is reopened for each read). */
export async function readHdf5(file: string, options: Hdf5ReadOptions = {}): Promise<WeightSet> {
  if (!fs.existsSync(file)) throw new FormatError('cannot open file: no such file', { file });
  const head = Buffer.alloc(8);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, head, 0, 8, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (head.toString('latin1') !== '\x89HDF\r\n\x1a\n')
    throw new FormatError('not an HDF5 file (bad signature)', { file, offset: 0, expected: '\\x89HDF\\r\\n\\x1a\\n' });
  const h5 = await loadH5wasm();
  const open = () => {
    try {
      return new h5.File(file, 'r');
    } catch (error) {
      throw new FormatError(`HDF5 library cannot open the file: ${(error as Error).message}`, { file });
    }
  };
  const handle = open();
  const entries: [string, TensorEntry][] = [];
  const skipped: string[] = [];
  try {
    const walk = (group: any, prefix: string, depth: number): void => {
      if (depth > 64) throw new FormatError('HDF5 groups nest too deeply', { file, field: prefix });
      for (const key of group.keys() as string[]) {
        const itemPath = prefix ? `${prefix}/${key}` : key;
        if (!prefix && !options.includeOptimizer && /^optimizer(_weights)?$/.test(key)) continue;
        const item = group.get(key);
        if (item instanceof h5.Group) {
          walk(item, itemPath, depth + 1);
          continue;
        }
        if (!(item instanceof h5.Dataset)) continue;
        const metadata = item.metadata;
        const dtype = fileDTypeOf(metadata);
        if (!dtype || !Array.isArray(metadata.shape)) {
          skipped.push(itemPath);
          continue;
        }
        const shape = [...metadata.shape] as number[];
        const name = itemPath
          .replace(/:0$/, '')
          .split('/')
          .map((part) => part.replace(/:0$/, ''))
          .join('.');
        entries.push([
          name,
          {
            dtype: tensorDTypeOf(dtype),
            shape,
            load(): Tensor {
              const reopened = open();
              try {
                const dataset = reopened.get(itemPath);
                const bytes = datasetBytes(h5, reopened, dataset, dataset.metadata);
                return new Tensor(
                  tensorDTypeOf(dtype),
                  decodeElements(dtype, bytes, sizeOf(shape), false, { file, field: itemPath }) as never,
                  shape,
                );
              } catch (error) {
                if (error instanceof DTypeError || error instanceof FormatError) throw error;
                throw new FormatError(`HDF5 library cannot read the dataset: ${(error as Error).message}`, {
                  file,
                  field: itemPath,
                });
              } finally {
                reopened.close();
              }
            },
          },
        ]);
      }
    };
    walk(handle, '', 0);
  } catch (error) {
    if (error instanceof FormatError || error instanceof DTypeError) throw error;
    throw new FormatError(`HDF5 library cannot read the file: ${(error as Error).message}`, { file });
  } finally {
    handle.close();
  }
  return new WeightSet(entries, {
    metadata: { format: 'hdf5', file, ...(skipped.length ? { skippedDatasets: skipped } : {}) },
  });
}
