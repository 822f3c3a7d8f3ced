// The files that hold measurements of a zoo (HTSR per checkpoint, phase metrics per grid cell):
// where they live in the zoo folder, how a shard's rows and the merged table are written (Arrow
// IPC file format, i.e. Feather v2, which pandas.read_feather, polars and DuckDB's arrow extension
// open) and how they are read back, bounded and checked, for zoo.table()'s join.
// Arrow IPC rather than Parquet because zoo.table() is synchronous and reads these files itself:
// apache-arrow (already a dependency) reads and writes IPC synchronously, while DuckDB's node API
// is asynchronous only (and a 70 MB native binary).

import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  Bool,
  Field,
  Float64,
  Int32,
  List,
  Schema,
  Table,
  tableFromIPC,
  tableToIPC,
  Utf8,
  vectorFromArray,
} from 'apache-arrow';
import { FormatError } from '../errors';
import { writeFileAtomic } from '../io/atomic-write';
import type { Shard } from './shard';

/** The measurements a zoo can hold, one table file each. */
export const MEASUREMENT_KINDS = ['htsr', 'phase'] as const;
export type MeasurementKind = (typeof MEASUREMENT_KINDS)[number];

/** The folder of a zoo that holds its measurement files. */
export const MEASUREMENTS_FOLDER = 'metrics';

/** A measurement file larger than this is refused rather than read into memory (a zoo of 10^6 checkpoints stays far below). */
export const MAX_MEASUREMENT_BYTES = 256 * 2 ** 20;

/** The key of the schema metadata that records what produced the rows (kind, settings, shard). */
const METADATA_KEY = 'weightlab';

/** The Arrow IPC file format starts and ends with this magic. */
const ARROW_MAGIC = Buffer.from('ARROW1');

/** `<zoo>/metrics/<kind>.arrow`: the merged table. */
export function mergedFile(root: string, kind: MeasurementKind): string {
  return path.join(root, MEASUREMENTS_FOLDER, `${kind}.arrow`);
}

/** `<zoo>/metrics/<kind>.shard-I-of-N.arrow`: one shard's rows. */
export function shardFile(root: string, kind: MeasurementKind, shard: Shard): string {
  return path.join(root, MEASUREMENTS_FOLDER, `${kind}.shard-${shard.index}-of-${shard.count}.arrow`);
}

/** What a measurement file records besides its rows: what it measured and with which settings. */
export interface MeasurementHeader {
  kind: MeasurementKind;
  /** The resolved options that affect the numbers (a rerun with other settings recomputes). */
  settings: unknown;
  /** The shard the rows belong to; absent in a merged file. */
  shard?: Shard;
}

/** A measurement table as read back: its header, column names in file order, and rows. */
export interface MeasurementTable {
  file: string;
  header: MeasurementHeader;
  columns: string[];
  rows: Record<string, unknown>[];
}

/** The Arrow type of a column from its values: float64 numbers, int32 epochs, strings, booleans, lists of strings. */
function columnType(name: string, values: unknown[]): Int32 | Float64 | Utf8 | Bool | List<Utf8> {
  if (name === 'epoch') return new Int32();
  const present = values.filter((value) => value !== null && value !== undefined);
  if (present.every((value) => typeof value === 'number')) return new Float64();
  if (present.every((value) => typeof value === 'boolean')) return new Bool();
  if (present.every((value) => Array.isArray(value))) return new List(new Field('item', new Utf8(), true));
  return new Utf8();
}

/** The Arrow IPC file bytes of `rows` (columns in `columns` order), the header in the schema metadata. */
export function measurementBytes(
  header: MeasurementHeader,
  columns: string[],
  rows: Record<string, unknown>[],
): Uint8Array {
  const vectors = Object.fromEntries(
    columns.map((column) => {
      const values = rows.map((row) => {
        const value = row[column];
        if (value === undefined || (typeof value === 'number' && Number.isNaN(value))) return null;
        return typeof value === 'object' && value !== null && !Array.isArray(value) ? JSON.stringify(value) : value;
      });
      return [column, vectorFromArray(values, columnType(column, values))];
    }),
  );
  const table = new Table(vectors);
  const schema = new Schema(table.schema.fields, new Map([[METADATA_KEY, JSON.stringify(header)]]));
  return tableToIPC(new Table(schema, table.batches), 'file');
}

/** Writes a measurement table atomically (temp file + rename): a reader never sees half a file. */
export function writeMeasurement(
  file: string,
  header: MeasurementHeader,
  columns: string[],
  rows: Record<string, unknown>[],
): void {
  const bytes = measurementBytes(header, columns, rows);
  writeFileAtomic(file, (write) => write(bytes));
}

/** A cell of an Arrow column as a plain value (lists become arrays of strings, int32 and float64 numbers). */
function plainValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object' && Symbol.iterator in value && typeof value !== 'string')
    return [...(value as Iterable<unknown>)];
  return value;
}

/**
 * Reads a measurement file: bounded in size, the Arrow IPC magic checked, the header and the
 * `model`/`epoch` (HTSR) or cell columns validated. Anything else is a FormatError naming the file.
 */
export function readMeasurement(file: string): MeasurementTable {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch (error) {
    throw new FormatError(`cannot read the measurement file: ${(error as Error).message}`, { file });
  }
  if (size > MAX_MEASUREMENT_BYTES)
    throw new FormatError('measurement file too large', {
      file,
      expected: `at most ${MAX_MEASUREMENT_BYTES} bytes`,
      found: `${size} bytes`,
    });
  const bytes = fs.readFileSync(file);
  // The magic opens and closes the file: a truncated or overwritten file fails here, naming where.
  const tail = Math.max(0, bytes.length - ARROW_MAGIC.length);
  for (const offset of [0, tail]) {
    const found = bytes.subarray(offset, offset + ARROW_MAGIC.length);
    if (bytes.length < 2 * ARROW_MAGIC.length || !found.equals(ARROW_MAGIC))
      throw new FormatError('not an Arrow IPC file', {
        file,
        offset,
        expected: `the ARROW1 magic at ${offset === 0 ? 'the start' : 'the end'} (Arrow IPC file format)`,
        found:
          bytes.length < 2 * ARROW_MAGIC.length ? `${bytes.length} bytes` : JSON.stringify(found.toString('latin1')),
      });
  }
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch (error) {
    throw new FormatError(`unreadable Arrow IPC file: ${(error as Error).message}`, { file });
  }
  let header: MeasurementHeader;
  try {
    header = JSON.parse(table.schema.metadata.get(METADATA_KEY) ?? 'null') as MeasurementHeader;
  } catch {
    throw new FormatError('the measurement header is not JSON', { file, field: `schema metadata ${METADATA_KEY}` });
  }
  if (!header || typeof header !== 'object' || !MEASUREMENT_KINDS.includes(header.kind))
    throw new FormatError('not a weightlab measurement file', {
      file,
      field: `schema metadata ${METADATA_KEY}`,
      expected: `{kind: ${MEASUREMENT_KINDS.join(' | ')}, settings, shard?}`,
      found: JSON.stringify(header)?.slice(0, 80),
    });
  const columns = table.schema.fields.map((field) => field.name);
  const required = header.kind === 'htsr' ? ['model', 'epoch'] : ['models', 'epoch'];
  for (const column of required)
    if (!columns.includes(column))
      throw new FormatError('a column is missing', {
        file,
        field: column,
        expected: `columns ${required.join(', ')}`,
        found: columns.join(', '),
      });
  const vectors = columns.map((column) => table.getChild(column)!);
  const rows: Record<string, unknown>[] = [];
  for (let index = 0; index < table.numRows; index++) {
    const row: Record<string, unknown> = {};
    columns.forEach((column, c) => (row[column] = plainValue(vectors[c].get(index))));
    rows.push(row);
  }
  for (const [index, row] of rows.entries()) {
    const bad =
      typeof row.epoch !== 'number'
        ? 'epoch'
        : header.kind === 'htsr'
          ? typeof row.model !== 'string'
            ? 'model'
            : undefined
          : !Array.isArray(row.models) || !row.models.every((id) => typeof id === 'string')
            ? 'models'
            : undefined;
    if (bad)
      throw new FormatError('a key column holds a null or a value of the wrong type', {
        file,
        field: `${bad} (row ${index})`,
        expected: bad === 'epoch' ? 'an integer' : bad === 'model' ? 'a model id' : 'a list of model ids',
        found: JSON.stringify(row[bad]),
      });
  }
  return { file, header, columns, rows };
}

/** The prefix a measurement's columns take in zoo.table() (its own names would collide: train_loss is both a result and a phase metric). */
export const JOIN_PREFIX: Record<MeasurementKind, string> = { htsr: 'htsr_', phase: 'phase_' };

/** A zoo row as the join sees it: the model, the epoch, and the model's hyperparameters. */
interface JoinRow {
  model: string;
  epoch: number;
  [column: string]: unknown;
}

/** The grid cell of a set of axis values (a model's hyperparameters, a phase row), as a key; seed is not a cell axis. */
export function cellKey(cellAxes: string[], values: Record<string, unknown>): string {
  return JSON.stringify(cellAxes.map((axis) => Number(values[axis])));
}

/**
 * Adds the merged measurements found in `<root>/metrics` to zoo table rows, in place: HTSR
 * columns (`htsr_alpha`, ...) on the row of the same model and epoch, phase columns
 * (`phase_hessian_top_ev`, ...) on every row of the cell's models at the epoch the cell was
 * measured at. A row without a measurement gets nulls; a kind without a merged file adds nothing.
 */
export function joinMeasurements(
  root: string,
  cellAxes: string[],
  rows: JoinRow[],
  hyperparameters: (model: string) => Record<string, unknown>,
): void {
  for (const kind of MEASUREMENT_KINDS) {
    const file = mergedFile(root, kind);
    if (!fs.existsSync(file)) continue;
    const table = readMeasurement(file);
    const prefix = JOIN_PREFIX[kind];
    const keys = kind === 'htsr' ? ['model', 'epoch'] : ['models', 'epoch', ...cellAxes];
    const columns = table.columns.filter((column) => !keys.includes(column));
    const byKey = new Map<string, Record<string, unknown>>();
    for (const row of table.rows) {
      const key =
        kind === 'htsr'
          ? `${String(row.model)}@${String(row.epoch)}`
          : `${cellKey(cellAxes, row)}@${String(row.epoch)}`;
      byKey.set(key, row);
    }
    for (const row of rows) {
      const key =
        kind === 'htsr' ? `${row.model}@${row.epoch}` : `${cellKey(cellAxes, hyperparameters(row.model))}@${row.epoch}`;
      const found = byKey.get(key);
      for (const column of columns) {
        const name = `${prefix}${column}`;
        row[name in row ? `measured_${name}` : name] = (found?.[column] ?? null) as unknown;
      }
    }
  }
}
