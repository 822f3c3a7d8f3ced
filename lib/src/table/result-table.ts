// The one table type every tabular result returns (zoo metadata, HTSR layers, phase metrics,
// inductive-bias sweeps, generator comparisons): an Arquero table underneath, rows typed by the
// producing verb, the same small set of verbs everywhere, CSV/Arrow/JSON export, and a display
// as an HTML table with a text fallback. Columns are snake_case, as WeightWatcher and the model
// zoo papers name them, so a column reads the same in the API, in a table and in `--json`.

import * as path from 'node:path';
import type * as Arquero from 'arquero';
import { htmlTable } from '../display/builders';
import { mimeBundle, type MimeBundle } from '../display/protocol';
import { ArgumentError } from '../errors';
import { writeFileAtomic } from '../io/atomic-write';
import { latexTable, type LaTeXOptions } from './latex';
import { parquetBytes } from './parquet';

/** Arquero's column table (the package is loaded on first use, so importing weightlab stays fast). */
export type ArqueroTable = ReturnType<typeof Arquero.table>;

/** A cell value a result table holds. */
export type CellValue = number | string | boolean | null | undefined | bigint | Date | readonly unknown[] | object;

/** How a table shows itself; every field optional. */
export interface ResultTableOptions {
  /**
   * A caption shown above the table in the notebook and in its text form.
   * @default undefined (no caption)
   */
  title?: string;
  /**
   * The columns shown in the display, in order; the table keeps every column.
   * @default undefined (every column)
   */
  shown?: readonly string[];
  /**
   * Rows shown in the display before "... N more rows".
   * @default 20
   */
  displayRows?: number;
}

/** One key to sort by: a column name (ascending) or `{ column, descending: true }`. */
export type SortKey<Row> = (keyof Row & string) | { column: keyof Row & string; descending?: boolean };

/** Summaries for `summarize()`: output column name to a function of the group's rows. */
export type Aggregates<Row> = Record<string, (rows: Row[]) => CellValue>;

function arquero(): typeof Arquero {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('arquero') as typeof Arquero;
}

/** An Arquero table from rows with possibly different keys: missing cells are null, `first` columns lead. */
export function arqueroFromRows(rows: readonly object[], first: readonly string[] = []): ArqueroTable {
  const names: string[] = [...first];
  const known = new Set(names);
  for (const row of rows)
    for (const key of Object.keys(row))
      if (!known.has(key)) {
        known.add(key);
        names.push(key);
      }
  const columns: Record<string, unknown[]> = {};
  for (const name of names)
    columns[name] = rows.map((row) => {
      const value = (row as Record<string, unknown>)[name];
      return value === undefined ? null : value;
    });
  return arquero().table(columns);
}

function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return String(value);
    if (!Number.isFinite(value)) return String(value);
    const magnitude = Math.abs(value);
    return magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e6)
      ? value.toExponential(3)
      : value.toFixed(4).replace(/\.?0+$/, '');
  }
  if (Array.isArray(value)) return `[${value.map(formatCell).join(', ')}]`;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** A typed, displayable result table backed by Arquero. */
export class ResultTable<Row extends object = Record<string, CellValue>> {
  /** The Arquero table itself, for the full verb set (joins, windows, pivots); its results are plain Arquero tables. */
  readonly arquero: ArqueroTable;
  readonly options: Readonly<ResultTableOptions>;

  constructor(table: ArqueroTable, options: ResultTableOptions = {}) {
    this.arquero = table;
    this.options = { ...options };
  }

  /** A table from row objects; `first` columns lead, other keys follow in the order met. */
  static fromRows<Row extends object>(
    rows: readonly Row[],
    options: ResultTableOptions & { first?: readonly string[] } = {},
  ): ResultTable<Row> {
    const { first, ...rest } = options;
    return new ResultTable<Row>(arqueroFromRows(rows, first ?? []), rest);
  }

  numRows(): number {
    return this.arquero.numRows();
  }
  numCols(): number {
    return this.arquero.numCols();
  }
  columnNames(): (keyof Row & string)[] {
    return this.arquero.columnNames() as (keyof Row & string)[];
  }

  /** Every row as an object, in table order. */
  rows(): Row[] {
    return this.arquero.objects() as Row[];
  }

  /** One row as an object. */
  row(index: number): Row {
    if (!Number.isInteger(index) || index < 0 || index >= this.numRows()) {
      throw new ArgumentError('row index out of range', {
        field: 'index',
        expected: `an integer in [0, ${this.numRows()})`,
        found: String(index),
      });
    }
    return this.arquero.object(index) as Row;
  }

  /** The values of one column, in table order. */
  column<K extends keyof Row & string>(name: K): Row[K][] {
    this.checkColumns([name]);
    return Array.from(this.arquero.array(name) as ArrayLike<Row[K]>);
  }

  /** One cell. */
  get<K extends keyof Row & string>(name: K, index = 0): Row[K] {
    this.checkColumns([name]);
    return this.row(index)[name];
  }

  /** Rows for which `predicate` is true. */
  filter(predicate: (row: Row, index: number) => boolean): ResultTable<Row> {
    const rows = this.rows();
    const keep: number[] = [];
    rows.forEach((row, index) => {
      if (predicate(row, index)) keep.push(index);
    });
    return this.withRows(keep);
  }

  /** Rows sorted by the keys (stable; nulls last). */
  orderby(...keys: SortKey<Row>[]): ResultTable<Row> {
    const specs = keys.map((key) =>
      typeof key === 'string'
        ? { column: key, descending: false }
        : { column: key.column, descending: key.descending === true },
    );
    this.checkColumns(specs.map((spec) => spec.column));
    const rows = this.rows();
    const order = rows.map((_, index) => index);
    order.sort((a, b) => {
      for (const spec of specs) {
        const x = rows[a][spec.column as keyof Row] as unknown;
        const y = rows[b][spec.column as keyof Row] as unknown;
        const compared = compareCells(x, y);
        if (compared !== 0)
          return x === null || x === undefined || y === null || y === undefined
            ? compared
            : spec.descending
              ? -compared
              : compared;
      }
      return a - b;
    });
    return this.withRows(order);
  }

  /** Only the named columns, in that order. */
  select<K extends keyof Row & string>(...names: K[]): ResultTable<Pick<Row, K>> {
    this.checkColumns(names);
    return new ResultTable<Pick<Row, K>>(this.arquero.select(...names), { ...this.options, shown: undefined });
  }

  /** New columns computed from each row (an existing name is replaced). */
  derive<Extra extends Record<string, CellValue>>(columns: {
    [K in keyof Extra]: (row: Row, index: number) => Extra[K];
  }): ResultTable<Omit<Row, keyof Extra> & Extra> {
    const rows = this.rows();
    const added: Record<string, unknown[]> = {};
    for (const [name, compute] of Object.entries(columns) as [string, (row: Row, index: number) => unknown][]) {
      if (typeof compute !== 'function')
        throw new ArgumentError('derive takes functions of a row', {
          field: name,
          expected: 'a function (row, index) => value',
          found: typeof compute,
        });
      added[name] = rows.map((row, index) => compute(row, index) ?? null);
    }
    return new ResultTable(this.arquero.assign(added), this.options) as unknown as ResultTable<
      Omit<Row, keyof Extra> & Extra
    >;
  }

  /** One row per distinct combination of the `by` columns, with the aggregates of its rows. */
  summarize<K extends keyof Row & string>(
    by: readonly K[],
    aggregates: Aggregates<Row>,
  ): ResultTable<Pick<Row, K> & Record<string, CellValue>> {
    this.checkColumns(by);
    const groups = new Map<string, Row[]>();
    for (const row of this.rows()) {
      const key = JSON.stringify(by.map((name) => row[name] ?? null));
      const group = groups.get(key);
      if (group) group.push(row);
      else groups.set(key, [row]);
    }
    const out = [...groups.values()].map((rows) => {
      const summary: Record<string, unknown> = {};
      for (const name of by) summary[name] = rows[0][name];
      for (const [name, aggregate] of Object.entries(aggregates)) summary[name] = aggregate(rows);
      return summary;
    });
    return ResultTable.fromRows(out as (Pick<Row, K> & Record<string, CellValue>)[], {
      first: by,
      title: this.options.title,
    });
  }

  /** Rows `start` (inclusive) to `end` (exclusive). */
  slice(start = 0, end = this.numRows()): ResultTable<Row> {
    return new ResultTable<Row>(this.arquero.slice(start, end), this.options);
  }

  /** CSV text (RFC 4180, header row first). */
  toCSV(): string {
    return this.arquero.toCSV();
  }
  /** An Apache Arrow table (columnar, for DuckDB, pandas via pyarrow, Polars). */
  toArrow(): ReturnType<ArqueroTable['toArrow']> {
    return this.arquero.toArrow();
  }
  /** Arrow IPC bytes (the `.arrow` file format). */
  toArrowIPC(): Uint8Array {
    return this.arquero.toArrowIPC() as Uint8Array;
  }
  /**
   * A booktabs LaTeX table (`\toprule`, `\midrule`, `\bottomrule`) of every column: numbers
   * right-aligned with `digits` decimals, text escaped; in a `table` float when it has a caption
   * (the table's title by default) or a label. Needs `\usepackage{booktabs}`.
   */
  toLaTeX(options: LaTeXOptions = {}): string {
    return latexTable(this.columnNames(), this.rows() as Record<string, unknown>[], {
      ...options,
      title: this.options.title,
    });
  }
  /** The table as Parquet bytes (one row group; integers INT64, other numbers DOUBLE, text UTF-8). */
  toParquetBytes(): Uint8Array {
    const names = this.arquero.columnNames();
    return parquetBytes(
      names.map((name) => [name, Array.from(this.arquero.array(name) as ArrayLike<unknown>)] as const),
      this.numRows(),
    );
  }
  /** Writes the table as a Parquet file (atomically: a complete file or none) and returns its absolute path. */
  toParquet(file: string): string {
    const bytes = this.toParquetBytes();
    const target = path.resolve(file);
    writeFileAtomic(target, (write) => write(bytes));
    return target;
  }
  /** The rows, for JSON.stringify and `--json` output. */
  toJSON(): Row[] {
    return this.rows();
  }

  toString(): string {
    const shown = this.shownColumns();
    const limit = this.options.displayRows ?? 20;
    const rows = this.rows().slice(0, limit) as Record<string, unknown>[];
    const cells = rows.map((row) => shown.map((name) => formatCell(row[name])));
    const widths = shown.map((name, c) => Math.max(name.length, ...cells.map((row) => row[c].length)));
    const line = (row: string[]) =>
      row
        .map((cell, c) => cell.padEnd(widths[c]))
        .join('  ')
        .trimEnd();
    const lines = [
      `${this.options.title ? `${this.options.title}: ` : ''}${this.numRows()} rows x ${this.numCols()} columns`,
    ];
    if (shown.length > 0) lines.push(line(shown), ...cells.map(line));
    if (this.numRows() > limit) lines.push(`... ${this.numRows() - limit} more rows`);
    return lines.join('\n');
  }

  [mimeBundle](): MimeBundle {
    const shown = this.shownColumns();
    const limit = this.options.displayRows ?? 20;
    const rows = (this.rows().slice(0, limit) as Record<string, unknown>[]).map((row) =>
      shown.map((name) => formatCell(row[name])),
    );
    const more = this.numRows() > limit ? `<p>... ${this.numRows() - limit} more rows</p>` : '';
    const caption = `${this.options.title ? `${this.options.title}: ` : ''}${this.numRows()} rows x ${this.numCols()} columns`;
    return { data: { 'text/html': htmlTable(shown, rows, { caption, after: more }), 'text/plain': this.toString() } };
  }

  private shownColumns(): string[] {
    const present = new Set<string>(this.columnNames());
    return this.options.shown ? this.options.shown.filter((name) => present.has(name)) : [...present];
  }

  private withRows(indices: readonly number[]): ResultTable<Row> {
    const columns: Record<string, unknown[]> = {};
    for (const name of this.arquero.columnNames()) {
      const values = this.arquero.array(name) as ArrayLike<unknown>;
      columns[name] = indices.map((index) => values[index]);
    }
    return new ResultTable<Row>(arquero().table(columns), this.options);
  }

  private checkColumns(names: readonly string[]): void {
    const present = this.arquero.columnNames();
    for (const name of names) {
      if (!present.includes(name)) {
        throw new ArgumentError('no such column', {
          field: String(name),
          expected: `one of ${present.join(', ')}`,
          found: String(name),
        });
      }
    }
  }
}

/** Numbers numerically, everything else as strings; null and undefined after everything. */
function compareCells(x: unknown, y: unknown): number {
  const xMissing = x === null || x === undefined;
  const yMissing = y === null || y === undefined;
  if (xMissing || yMissing) return xMissing === yMissing ? 0 : xMissing ? 1 : -1;
  if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : x > y ? 1 : 0;
  const a = String(x);
  const b = String(y);
  return a < b ? -1 : a > b ? 1 : 0;
}
