// Per-model metadata (hyperparameters, metrics, labels) to the column table the renderer
// reads: one level of nesting is flattened with dots ({optimizer: {lr}} -> 'optimizer.lr'),
// column types come from the values, and each column is marked as a hyperparameter or a
// metric so tooltips can group them.

import type { ColumnInfo, Table, TableValue } from '../display/payloads';

/** Names that read as measured outcomes rather than settings. */
const METRIC_PATTERN = /(acc|loss|error|alpha|gap|score|metric|norm|rank|entropy|phase)/i;

function flatten(
  record: Record<string, unknown>,
  prefix = '',
  out: Record<string, TableValue> = {},
  depth = 0,
): Record<string, TableValue> {
  for (const [key, value] of Object.entries(record)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (value === null || value === undefined) out[name] = null;
    else if (typeof value === 'number') out[name] = Number.isFinite(value) ? value : null;
    else if (typeof value === 'string' || typeof value === 'boolean') out[name] = value;
    else if (typeof value === 'bigint') out[name] = Number(value);
    else if (typeof value === 'object' && !Array.isArray(value) && !ArrayBuffer.isView(value) && depth < 1)
      flatten(value as Record<string, unknown>, name, out, depth + 1);
    // Arrays, typed arrays and deeper objects are not table cells: left out on purpose.
  }
  return out;
}

export interface TableOptions {
  /** Column names to mark as metrics (default: names that look like metrics, e.g. 'test_accuracy'). */
  metrics?: string[];
  /** Name of the id column (default 'model'). */
  idColumn?: string;
}

/** Builds the column table for `ids.length` models from their metadata records. */
export function metadataTable(ids: string[], records: Record<string, unknown>[], options: TableOptions = {}): Table {
  const idColumn = options.idColumn ?? 'model';
  const rows = ids.map((_, i) => flatten(records[i] ?? {}));
  const names: string[] = [];
  for (const row of rows)
    for (const name of Object.keys(row)) if (name !== idColumn && !names.includes(name)) names.push(name);
  const columns: ColumnInfo[] = [{ name: idColumn, type: 'nominal', role: 'id' }];
  const values: Record<string, TableValue[]> = { [idColumn]: ids };
  for (const name of names) {
    const column = rows.map((row) => row[name] ?? null);
    // The field the ids were taken from (metadata 'id' or 'name') would only repeat the id column.
    if (column.every((value, i) => value !== null && String(value) === ids[i])) continue;
    const present = column.filter((v) => v !== null);
    const type = present.length > 0 && present.every((v) => typeof v === 'number') ? 'quantitative' : 'nominal';
    const role = options.metrics
      ? options.metrics.includes(name)
        ? 'metric'
        : 'hyperparameter'
      : METRIC_PATTERN.test(name)
        ? 'metric'
        : 'hyperparameter';
    columns.push({ name, type, role });
    values[name] = column;
  }
  return { columns, values };
}
