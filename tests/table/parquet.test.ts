// ResultTable.toParquet read back by hyparquet, an independent Parquet reader: schema (physical
// types, annotations, OPTIONAL columns), row and column counts, every value and every null
// (including nulls past the first group of eight definition levels), text with non-ASCII
// characters, dates, JSON objects, an empty table, and a column long enough for a multi-byte
// Thrift list header and varints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ResultTable } from 'weightlab/internal';
import { temporaryFolder } from '../support/paths';

interface SchemaElement {
  name: string;
  type?: string;
  repetition_type?: string;
  converted_type?: string;
  num_children?: number;
}
interface Hyparquet {
  parquetReadObjects(options: { file: ArrayBuffer }): Promise<Record<string, unknown>[]>;
  parquetMetadata(file: ArrayBuffer): { num_rows: bigint; schema: SchemaElement[]; row_groups: unknown[] };
}
// hyparquet is an ES module; Node >= 20.19 requires it from CommonJS.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const hyparquet = require('hyparquet') as Hyparquet;

function arrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

test('a table of every column kind reads back with its types, values and nulls', async () => {
  const when = new Date('2026-01-02T03:04:05.678Z');
  const rows = Array.from({ length: 19 }, (_, i) => ({
    model: i % 5 === 3 ? null : `model_${i} — α${i}`,
    test_acc: i % 7 === 6 ? null : i / 19 - 0.25,
    width: i === 17 ? null : 2 ** (i % 11),
    converged: i % 4 === 0 ? null : i % 3 === 0,
    trained_at: i === 0 ? when : null,
    config: i === 1 ? { depth: 2, tags: ['a', 'b'] } : null,
  }));
  const folder = temporaryFolder('parquet');
  const file = path.join(folder, 'models.parquet');
  const written = ResultTable.fromRows(rows).toParquet(path.relative(process.cwd(), file));
  assert.equal(written, file);
  assert.deepEqual(fs.readdirSync(folder), ['models.parquet'], 'no temp file left beside it');
  const bytes = arrayBuffer(fs.readFileSync(file));
  const metadata = hyparquet.parquetMetadata(bytes);
  assert.equal(metadata.num_rows, 19n);
  assert.deepEqual(
    metadata.schema.map((element) => [element.name, element.type, element.repetition_type, element.converted_type]),
    [
      ['schema', undefined, undefined, undefined],
      ['model', 'BYTE_ARRAY', 'OPTIONAL', 'UTF8'],
      ['test_acc', 'DOUBLE', 'OPTIONAL', undefined],
      ['width', 'INT64', 'OPTIONAL', undefined],
      ['converged', 'BOOLEAN', 'OPTIONAL', undefined],
      ['trained_at', 'INT64', 'OPTIONAL', 'TIMESTAMP_MILLIS'],
      ['config', 'BYTE_ARRAY', 'OPTIONAL', 'JSON'],
    ],
  );
  const read = await hyparquet.parquetReadObjects({ file: bytes });
  assert.equal(read.length, 19);
  read.forEach((row, i) => {
    const expected = rows[i];
    assert.equal(row.model, expected.model, `row ${i} model`);
    assert.equal(row.test_acc, expected.test_acc, `row ${i} test_acc`);
    assert.equal(row.width, expected.width === null ? null : BigInt(expected.width), `row ${i} width`);
    assert.equal(row.converged, expected.converged, `row ${i} converged`);
    assert.deepEqual(row.trained_at, expected.trained_at, `row ${i} trained_at`);
    assert.deepEqual(row.config, expected.config, `row ${i} config`);
  });
});

test('an empty table and a long one (2,000 rows, 20 columns) keep their counts and values', async () => {
  const empty = ResultTable.fromRows<{ a: number }>([], { first: ['a'] });
  const emptyBytes = arrayBuffer(empty.toParquetBytes());
  assert.equal(hyparquet.parquetMetadata(emptyBytes).num_rows, 0n);
  assert.deepEqual(await hyparquet.parquetReadObjects({ file: emptyBytes }), []);

  const columns = Array.from({ length: 20 }, (_, c) => `column_${c}`);
  const rows = Array.from({ length: 2000 }, (_, r) =>
    Object.fromEntries(columns.map((name, c) => [name, c % 2 === 0 ? Math.sin(r * 31 + c) : `r${r}c${c}`])),
  );
  const bytes = arrayBuffer(ResultTable.fromRows(rows).toParquetBytes());
  const metadata = hyparquet.parquetMetadata(bytes);
  assert.equal(metadata.num_rows, 2000n);
  assert.equal(metadata.schema[0].num_children, 20);
  const read = await hyparquet.parquetReadObjects({ file: bytes });
  assert.deepEqual(read, rows);
});
