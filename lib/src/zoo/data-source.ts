// A zoo's own data, named by file or by module instead of a bundled dataset's name (issue #18).
// Files (.npz, .npy, .safetensors) go through the io readers, which check every declared size
// against the file before allocating anything, and CSV through the zoo's CSV parser; a module is
// a CommonJS file the user named, loaded with require() (readers of weight files never run code,
// but a data module is code the user chose to run; a module that only a zoo.json names runs only
// when the user lists it in $WEIGHTLAB_DATA_MODULES, so opening a zoo runs nothing). Whatever the source, the result is checked
// the same way (x: rows x features or rows of images, finite; y: integer labels 0..C-1, one per
// row) and given an identity: the SHA-256 of the file's bytes, or for a module the SHA-256 of the
// arrays it produced. zoo.json records that identity so a resumed build, the cache and readers of
// the zoo notice when the data changed.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { ArgumentError, FormatError } from '../errors';
import { dataset, splitDataset, type Dataset, type DatasetSplit } from '../data/dataset';
import { readNpz } from '../io/npz';
import { readNpy } from '../io/npy';
import { readSafetensors } from '../io/safetensors';
import type { Tensor } from '../tensor/tensor';
import type { WeightSet } from '../weights/weight-set';
import { resolveOptions, type OptionDefaults } from '../options/resolve';
import { canonicalJson, datasetFingerprint } from './cache-key';
import { parseCsvRecords } from './csv';

/** How the data was stored: a file format, or 'module' for data produced by user code. */
export type DataFormat = 'npz' | 'npy' | 'safetensors' | 'csv' | 'module';

export const DATA_FILE_FORMATS: readonly DataFormat[] = ['npz', 'npy', 'safetensors', 'csv'];

/**
 * Data in a file. .npz and .safetensors hold two arrays (features and labels, by name); .npy
 * holds the features, with the labels in a second .npy file; in a .csv every row is an example,
 * the label column (the last one unless named) holds integer labels and the others the features.
 * A CSV's first row is a header when any of its cells is not a number (nan and inf count as numbers).
 * Features are rows x features, or images: rows x height x width or rows x channels x height x
 * width (PyTorch's layout; the image shape is kept for CNN zoos). Labels are integers 0..C-1.
 */
export interface DataFileSource {
  /** The file (.npz, .npy, .safetensors or .csv); a relative path is taken from the working folder. Required. */
  file: string;
  /**
   * The features array's name in a .npz or .safetensors file (other formats: leave it out).
   * @default undefined ('x')
   */
  x?: string;
  /**
   * The labels: the array's name in a .npz or .safetensors file ('y' when left out); for .npy,
   * the labels' .npy file (required; a relative path is taken from the features file's folder);
   * for .csv, the label column's header name (the last column when left out).
   * @default undefined
   */
  y?: string;
  /**
   * Number of classes; a label >= classes is an error.
   * @default undefined (the largest label + 1)
   */
  classes?: number;
  /**
   * Fraction of each class held out as the test set (the split is stratified and seeded).
   * @default 0.2
   */
  testFraction?: number;
  /**
   * Seed of the train/test split.
   * @default 0
   */
  seed?: number;
}

/**
 * Data produced by a CommonJS module (.js or .cjs, loaded with require() in every worker thread):
 * the export is a function called without arguments, or a value, that gives either `{ x, y }`
 * (x: a Tensor, nested arrays of numbers, or a flat array or typed array with `shape: [rows, ...]`
 * beside it; y: integer labels as an array, typed array or Tensor), which is checked and split as a
 * file's data is, or a ready DatasetSplit `{ train, test }` used as it is. It must return its data,
 * not a Promise, and give the same data every time it is called.
 */
export interface DataModuleSource {
  /** The module's path; a relative path is taken from the working folder. Required. */
  module: string;
  /**
   * The export to use.
   * @default 'default' (module.exports itself when it has no default export)
   */
  export?: string;
  /**
   * Number of classes; a label >= classes is an error.
   * @default undefined (the largest label + 1)
   */
  classes?: number;
  /**
   * Fraction of each class held out as the test set (not used for a ready split).
   * @default 0.2
   */
  testFraction?: number;
  /**
   * Seed of the train/test split (not used for a ready split).
   * @default 0
   */
  seed?: number;
}

export const DATA_FILE_DEFAULTS = {
  file: undefined,
  x: undefined,
  y: undefined,
  classes: undefined,
  testFraction: 0.2,
  seed: 0,
} as const satisfies OptionDefaults<DataFileSource>;

export const DATA_MODULE_DEFAULTS = {
  module: undefined,
  export: 'default',
  classes: undefined,
  testFraction: 0.2,
  seed: 0,
} as const satisfies OptionDefaults<DataModuleSource>;

/** Data read from its source: the train/test split and its identity. */
export interface OpenedData {
  format: DataFormat;
  /** The absolute path of the file or module. */
  path: string;
  /** SHA-256 of the file's bytes (.npy: the features file's bytes, then the labels file's), or of a module's arrays. */
  sha256: string;
  split: DatasetSplit;
}

export function isDataFileSource(value: unknown): value is DataFileSource {
  return typeof value === 'object' && value !== null && 'file' in value;
}

export function isDataModuleSource(value: unknown): value is DataModuleSource {
  return typeof value === 'object' && value !== null && 'module' in value;
}

/** The format of a data file, from its extension. */
export function dataFileFormat(file: string): Exclude<DataFormat, 'module'> {
  const extension = path.extname(file).toLowerCase().slice(1);
  if ((DATA_FILE_FORMATS as readonly string[]).includes(extension)) return extension as Exclude<DataFormat, 'module'>;
  throw new ArgumentError('unknown data file format', {
    file,
    field: 'dataset.file',
    expected: '.npz, .npy, .safetensors or .csv',
    found: extension ? `.${extension}` : 'no extension',
  });
}

/**
 * The environment variable listing the data modules (absolute paths, separated by the platform's
 * path delimiter) that readers of a zoo may run. A zoo.json naming a module is not enough: opening
 * someone else's zoo must not run code. A module the user names to this process (a spec's
 * dataset, openDataSource) is added, and worker threads started afterwards inherit the list;
 * set it in the shell to measure a module-built zoo in a new process.
 */
export const DATA_MODULES_VARIABLE = 'WEIGHTLAB_DATA_MODULES';

function trustedModules(): string[] {
  return (process.env[DATA_MODULES_VARIABLE] ?? '').split(path.delimiter).filter(Boolean);
}

/**
 * Reads (or runs) a data source, checks its data and splits it; relative paths are taken from
 * `base`. `origin` 'named' (the default) is a source the user gave, whose module may run (and is
 * then trusted for this process's readers); 'recorded' is one a zoo.json names, whose module runs
 * only when $WEIGHTLAB_DATA_MODULES lists it.
 */
export function openDataSource(
  source: DataFileSource | DataModuleSource,
  base: string = process.cwd(),
  origin: 'named' | 'recorded' = 'named',
): OpenedData {
  if (isDataModuleSource(source))
    return openModule(resolveOptions('dataset module', DATA_MODULE_DEFAULTS, source), base, origin);
  if (!isDataFileSource(source))
    throw new ArgumentError('a dataset is a name, { file } or { module }', {
      field: 'dataset',
      found: JSON.stringify(source),
    });
  const o = resolveOptions('dataset file', DATA_FILE_DEFAULTS, source);
  if (typeof o.file !== 'string' || o.file === '')
    throw new ArgumentError('dataset.file must be a path', { field: 'dataset.file', found: String(o.file) });
  const file = path.resolve(base, o.file);
  const format = dataFileFormat(file);
  checkSplitOptions(o, file);
  if (o.x !== undefined && (format === 'npy' || format === 'csv'))
    throw new ArgumentError(`x names an array in .npz and .safetensors files; a .${format} file has none`, {
      file,
      field: 'dataset.x',
      found: o.x,
    });
  const files = [file];
  let parts: RawData;
  if (format === 'npz' || format === 'safetensors') {
    requireFile(file, 'dataset.file');
    const arrays = format === 'npz' ? readNpz(file) : readSafetensors(file);
    const xName = o.x ?? 'x';
    const yName = o.y ?? 'y';
    parts = { x: namedArray(arrays, xName, file), y: namedArray(arrays, yName, file), xField: xName, yField: yName };
  } else if (format === 'npy') {
    if (o.y === undefined)
      throw new ArgumentError("an .npy dataset needs y: the labels' .npy file", {
        file,
        field: 'dataset.y',
        expected: 'a path such as "y.npy"',
      });
    const labels = path.resolve(path.dirname(file), o.y);
    requireFile(file, 'dataset.file');
    requireFile(labels, 'dataset.y');
    files.push(labels);
    parts = { x: readNpy(file), y: readNpy(labels), xField: 'x', yField: 'y', yFile: labels };
  } else {
    requireFile(file, 'dataset.file');
    parts = readCsvData(file, o.y);
  }
  const checked = checkData(parts, file, o.classes);
  return { format, path: file, sha256: filesSha256(files), split: splitChecked(checked, path.basename(file), o) };
}

/** Features and labels as read, before checking (a Tensor, or numbers with their shape). */
interface RawData {
  x: Tensor | { values: Float64Array; shape: number[] };
  y: Tensor | { values: Float64Array; shape: number[] };
  /** Names for messages: the arrays' names, or a CSV's columns. */
  xField: string;
  yField: string;
  /** The labels' own file (.npy), when not the features'. */
  yFile?: string;
}

/** Checked data: float64 rows, int32 labels, the class count and the image shape when rows are images. */
interface CheckedData {
  x: Float64Array;
  y: Int32Array;
  rows: number;
  features: number;
  classes: number;
  image?: readonly [number, number, number];
}

function requireFile(file: string, field: string): void {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile())
    throw new ArgumentError('no such data file', { file, field, expected: 'an existing file' });
}

function checkSplitOptions(o: { classes?: number; testFraction: number; seed: number }, file: string): void {
  if (o.classes !== undefined && !(Number.isInteger(o.classes) && o.classes >= 2))
    throw new ArgumentError('classes must be an integer >= 2', {
      file,
      field: 'dataset.classes',
      found: String(o.classes),
    });
  if (!(typeof o.testFraction === 'number' && o.testFraction > 0 && o.testFraction < 1))
    throw new ArgumentError('testFraction must be in (0, 1)', {
      file,
      field: 'dataset.testFraction',
      found: String(o.testFraction),
    });
  if (!Number.isSafeInteger(o.seed))
    throw new ArgumentError('seed must be an integer', { file, field: 'dataset.seed', found: String(o.seed) });
}

function namedArray(arrays: WeightSet, name: string, file: string): Tensor {
  if (!arrays.has(name))
    throw new FormatError('the data file has no such array', {
      file,
      field: name,
      expected: `an array named '${name}'`,
      found: arrays.names.length ? arrays.names.join(', ') : 'no arrays',
    });
  return arrays.get(name);
}

/** A CSV cell that reads as a number (nan and inf included: they are data, and refused later as data). */
function numeric(cell: string): boolean {
  const text = cell.trim();
  return (text !== '' && Number.isFinite(Number(text))) || /^[+-]?(nan|inf|infinity)$/i.test(text);
}

function cellNumber(cell: string): number {
  const text = cell.trim().toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  return /^[+-]?nan$/.test(text) ? NaN : Number(text);
}

/**
 * The largest CSV read: a CSV is parsed from one string, and V8's strings stop near 2^29
 * characters; larger data belongs in .npy or .npz, whose readers stream.
 */
export const MAX_CSV_BYTES = 2 ** 29 - 2 ** 20;

function readCsvData(file: string, labelColumn: string | undefined): RawData {
  const size = fs.statSync(file).size;
  if (size > MAX_CSV_BYTES)
    throw new FormatError('the CSV is too large to read as text: save the data as .npy or .npz', {
      file,
      expected: `at most ${MAX_CSV_BYTES} bytes`,
      found: `${size} bytes`,
    });
  const records = parseCsvRecords(fs.readFileSync(file, 'utf8'), file);
  const header = records.length > 0 && !records[0].every(numeric) ? records[0] : undefined;
  const rows = header ? records.slice(1) : records;
  const width = (header ?? rows[0])?.length ?? 0;
  if (rows.length === 0 || width < 2)
    throw new FormatError('a CSV dataset needs rows of at least one feature and a label', {
      file,
      expected: 'rows of numbers, the label last (or named by y)',
      found: rows.length === 0 ? 'no data rows' : `${width} column`,
    });
  let label = width - 1;
  if (labelColumn !== undefined) {
    label = header ? header.indexOf(labelColumn) : -1;
    if (label < 0)
      throw new FormatError('the CSV has no such label column', {
        file,
        field: labelColumn,
        expected: header ? `one of ${header.join(', ')}` : 'a header row naming the columns',
        found: header ? 'no such column' : 'no header row',
      });
  }
  const features = width - 1;
  const x = new Float64Array(rows.length * features);
  const y = new Float64Array(rows.length);
  const firstRow = header ? 2 : 1;
  rows.forEach((cells, r) => {
    if (cells.length !== width)
      throw new FormatError('CSV row has a different number of cells than the first row', {
        file,
        field: `row ${r + firstRow}`,
        expected: `${width} cells`,
        found: `${cells.length} cells`,
      });
    let column = 0;
    cells.forEach((cell, c) => {
      if (!numeric(cell))
        throw new FormatError('CSV cell is not a number', {
          file,
          field: `row ${r + firstRow}, column ${header ? `'${header[c]}'` : c + 1}`,
          expected: 'a number',
          found: JSON.stringify(cell),
        });
      if (c === label) y[r] = cellNumber(cell);
      else x[r * features + column++] = cellNumber(cell);
    });
  });
  return {
    x: { values: x, shape: [rows.length, features] },
    y: { values: y, shape: [rows.length] },
    xField: 'features',
    yField: header ? header[label] : `column ${label + 1}`,
  };
}

function valuesOf(array: RawData['x']): { values: Float64Array; shape: readonly number[] } {
  if ('values' in array) return array;
  // A float64 Tensor's toFloat64() is its own storage (a module's Tensor may be changed later): copy it.
  return { values: Float64Array.from(array.toFloat64()), shape: array.shape };
}

/**
 * The checks every source's data passes: x of rank 2 (rows x features), 3 (rows x height x width)
 * or 4 (rows x channels x height x width) with finite values; y one integer label per row in
 * 0..classes-1 (classes given, or the largest label + 1, at least 2).
 */
function checkData(raw: RawData, file: string, classes: number | undefined): CheckedData {
  const x = valuesOf(raw.x);
  const y = valuesOf(raw.y);
  const yFile = raw.yFile ?? file;
  if (x.shape.length < 2 || x.shape.length > 4 || x.shape[0] === 0)
    throw new FormatError('the features must be rows x features, or rows of images', {
      file,
      field: raw.xField,
      expected: 'shape [rows, features], [rows, height, width] or [rows, channels, height, width], rows > 0',
      found: `[${x.shape.join(', ')}]`,
    });
  const rows = x.shape[0];
  const features = x.values.length / rows;
  if (y.shape.length !== 1 || y.shape[0] !== rows)
    throw new FormatError('the labels must be one per row of the features', {
      file: yFile,
      field: raw.yField,
      expected: `shape [${rows}]`,
      found: `[${y.shape.join(', ')}]`,
    });
  for (let i = 0; i < x.values.length; i++) {
    if (!Number.isFinite(x.values[i]))
      throw new FormatError('the features hold a value that is not finite', {
        file,
        field: `${raw.xField}[${Math.floor(i / features)}, ${i % features}]`,
        expected: 'finite numbers',
        found: String(x.values[i]),
      });
  }
  const labels = new Int32Array(rows);
  let largest = -1;
  for (let i = 0; i < rows; i++) {
    const label = y.values[i];
    if (!(Number.isInteger(label) && label >= 0 && label < (classes ?? 2 ** 31 - 1)))
      throw new FormatError('label out of range', {
        file: yFile,
        field: `${raw.yField}[${i}]`,
        expected: classes === undefined ? 'an integer >= 0' : `an integer in 0..${classes - 1}`,
        found: String(label),
      });
    labels[i] = label;
    largest = Math.max(largest, label);
  }
  const count = classes ?? largest + 1;
  if (count < 2)
    throw new FormatError('the labels name only one class', {
      file: yFile,
      field: raw.yField,
      expected: 'labels of at least 2 classes',
      found: `only label ${largest}`,
    });
  const image =
    x.shape.length === 4
      ? ([x.shape[1], x.shape[2], x.shape[3]] as const)
      : x.shape.length === 3
        ? ([1, x.shape[1], x.shape[2]] as const)
        : undefined;
  return { x: x.values, y: labels, rows, features, classes: count, image };
}

function splitChecked(data: CheckedData, name: string, o: { testFraction: number; seed: number }): DatasetSplit {
  const all = dataset(name, data.x, data.y, data.features, data.classes, data.image ? { image: data.image } : {});
  return splitDataset(all, { testFraction: o.testFraction, seed: o.seed });
}

/** SHA-256 of the files' bytes in order, read in 1 MiB pieces (memory stays bounded whatever the size). */
function filesSha256(files: string[]): string {
  const digest = createHash('sha256');
  const buffer = Buffer.alloc(1 << 20);
  for (const file of files) {
    const descriptor = fs.openSync(file, 'r');
    try {
      for (let read; (read = fs.readSync(descriptor, buffer, 0, buffer.length, null)) > 0;)
        digest.update(buffer.subarray(0, read));
    } finally {
      fs.closeSync(descriptor);
    }
  }
  return digest.digest('hex');
}

/** SHA-256 of checked data: its shape, classes and image shape (canonical JSON), then x's float64 and y's int32 bytes. */
function dataSha256(data: CheckedData): string {
  const digest = createHash('sha256');
  digest.update(
    canonicalJson({ rows: data.rows, features: data.features, classes: data.classes, image: data.image ?? null }),
  );
  digest.update(Buffer.from(data.x.buffer, data.x.byteOffset, data.x.byteLength));
  digest.update(Buffer.from(data.y.buffer, data.y.byteOffset, data.y.byteLength));
  return digest.digest('hex');
}

function isTensorLike(value: unknown): value is Tensor {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as Tensor).shape) &&
    typeof (value as Tensor).toFloat64 === 'function'
  );
}

/** Nested arrays of numbers as float64 values and their shape (a ragged nesting is a FormatError). */
function nestedValues(value: unknown, file: string, field: string): { values: Float64Array; shape: number[] } {
  const shape: number[] = [];
  for (let level: unknown = value; Array.isArray(level); level = level[0]) shape.push(level.length);
  const values: number[] = [];
  const walk = (node: unknown, depth: number, where: string) => {
    if (depth === shape.length) {
      if (typeof node !== 'number')
        throw new FormatError('the data module gave a value that is not a number', {
          file,
          field: where,
          expected: 'a number',
          found: typeof node,
        });
      values.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth])
      throw new FormatError('the data module gave ragged nested arrays', {
        file,
        field: where,
        expected: `an array of ${shape[depth]}`,
        found: Array.isArray(node) ? `an array of ${node.length}` : typeof node,
      });
    node.forEach((child, i) => walk(child, depth + 1, `${where}[${i}]`));
  };
  walk(value, 0, field);
  return { values: Float64Array.from(values), shape };
}

function moduleArray(value: unknown, shape: unknown, file: string, field: string): RawData['x'] {
  if (isTensorLike(value)) return value;
  if (Array.isArray(value) && Array.isArray(value[0])) return nestedValues(value, file, field);
  if (ArrayBuffer.isView(value) || Array.isArray(value)) {
    const values = Float64Array.from(value as ArrayLike<number>);
    const given = field === 'y' ? [values.length] : shape;
    if (!Array.isArray(given) || !given.every((extent) => Number.isSafeInteger(extent) && extent >= 0))
      throw new FormatError('flat features need their shape beside them', {
        file,
        field: 'shape',
        expected: 'shape: [rows, features] (or image dimensions) next to x',
        found: JSON.stringify(shape),
      });
    const count = (given as number[]).reduce((product, extent) => product * extent, 1);
    if (count !== values.length)
      throw new FormatError('the shape does not match the number of values', {
        file,
        field,
        expected: `${count} values for shape [${(given as number[]).join(', ')}]`,
        found: `${values.length} values`,
      });
    return { values, shape: given as number[] };
  }
  throw new FormatError('the data module gave no usable array', {
    file,
    field,
    expected: 'a Tensor, nested arrays of numbers, or an array or typed array',
    found: value === null ? 'null' : typeof value,
  });
}

function isDatasetPart(value: unknown): value is Dataset {
  const part = value as Dataset;
  return (
    typeof value === 'object' &&
    value !== null &&
    part.x instanceof Float64Array &&
    part.y instanceof Int32Array &&
    Number.isInteger(part.features)
  );
}

function openModule(
  o: DataModuleSource & { export: string; testFraction: number; seed: number },
  base: string,
  origin: 'named' | 'recorded',
): OpenedData {
  if (typeof o.module !== 'string' || o.module === '')
    throw new ArgumentError('dataset.module must be a path', { field: 'dataset.module', found: String(o.module) });
  const file = path.resolve(base, o.module);
  checkSplitOptions(o, file);
  requireFile(file, 'dataset.module');
  const trusted = trustedModules();
  if (origin === 'recorded' && !trusted.includes(file))
    throw new ArgumentError(
      `the zoo's data comes from a module, and readers do not run code a zoo.json names: list it in $${DATA_MODULES_VARIABLE} (or build or open its data in this process) to run it, or pass the data yourself`,
      { file, field: 'data.source', expected: `the module listed in $${DATA_MODULES_VARIABLE}` },
    );
  if (!trusted.includes(file)) process.env[DATA_MODULES_VARIABLE] = [...trusted, file].join(path.delimiter);
  if (/\.mjs$/i.test(file))
    throw new ArgumentError('data modules are loaded with require(): write it as CommonJS (.js or .cjs)', {
      file,
      field: 'dataset.module',
      expected: 'a .js or .cjs file',
      found: '.mjs',
    });
  let loaded: Record<string, unknown>;
  try {
    // The user named this module as their data's source: running it is the point.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(file) as Record<string, unknown>;
  } catch (error) {
    throw new ArgumentError(`the data module failed to load: ${(error as Error).message}`, {
      file,
      field: 'dataset.module',
    });
  }
  let chosen = loaded?.[o.export];
  if (chosen === undefined && o.export === 'default') chosen = loaded;
  if (chosen === undefined)
    throw new ArgumentError('the data module has no such export', {
      file,
      field: 'dataset.export',
      expected: `one of ${Object.keys(loaded ?? {}).join(', ') || '(no exports)'}`,
      found: o.export,
    });
  const produced = (typeof chosen === 'function' ? (chosen as () => unknown)() : chosen) as Record<string, unknown>;
  if (produced !== null && typeof produced === 'object' && typeof produced.then === 'function')
    throw new ArgumentError('a data module must return its data, not a Promise', { file, field: 'dataset.module' });
  if (produced === null || typeof produced !== 'object')
    throw new FormatError('the data module gave neither { x, y } nor { train, test }', {
      file,
      expected: '{ x, y } or a DatasetSplit',
      found: produced === null ? 'null' : typeof produced,
    });
  if ('train' in produced && 'test' in produced) {
    for (const part of ['train', 'test'] as const) {
      if (!isDatasetPart(produced[part]))
        throw new FormatError('a ready split needs Dataset objects (float64 x, int32 y)', {
          file,
          field: part,
          expected: 'a Dataset, as weightlab.data.dataset() makes',
        });
    }
    const split = produced as unknown as DatasetSplit;
    // Checked as a file's data is (finite values, labels in range), each part on its own.
    const parts = (['train', 'test'] as const).map((name) => {
      const part = split[name];
      const shape = part.image ? [part.size, ...part.image] : [part.size, part.features];
      return checkData(
        {
          x: { values: part.x, shape },
          y: { values: Float64Array.from(part.y), shape: [part.y.length] },
          xField: `${name}.x`,
          yField: `${name}.y`,
        },
        file,
        o.classes ?? part.classes,
      );
    });
    if (parts[0].features !== parts[1].features)
      throw new FormatError('train and test have different features', {
        file,
        expected: `${parts[0].features}`,
        found: `${parts[1].features}`,
      });
    return { format: 'module', path: file, sha256: datasetFingerprint(split).sha256, split };
  }
  if (!('x' in produced) || !('y' in produced))
    throw new FormatError('the data module gave neither { x, y } nor { train, test }', {
      file,
      expected: '{ x, y } or a DatasetSplit',
      found: `{ ${Object.keys(produced).join(', ')} }`,
    });
  const checked = checkData(
    {
      x: moduleArray(produced.x, produced.shape, file, 'x'),
      y: moduleArray(produced.y, undefined, file, 'y'),
      xField: 'x',
      yField: 'y',
    },
    file,
    o.classes,
  );
  return {
    format: 'module',
    path: file,
    sha256: dataSha256(checked),
    split: splitChecked(checked, path.basename(file), o),
  };
}
