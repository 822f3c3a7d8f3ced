// Measurement files as zoo.table() reads them: rows written with writeMeasurement come back with
// their types (float64 kept exactly, nulls as null, lists of ids), and every hostile file (not
// Arrow, truncated, an Arrow file that is not a measurement, a missing or null key column, one
// too large to read) is a FormatError that names the file, raised by the zoo's table() too.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Table, tableToIPC, vectorFromArray } from 'apache-arrow';
import {
  FormatError,
  MAX_MEASUREMENT_BYTES,
  mergedFile,
  openZoo,
  readMeasurement,
  writeMeasurement,
  writeZooManifest,
  writeZooParams,
  writeZooResults,
  type MeasurementHeader,
} from 'weightlab/internal';
import { temporaryFolder } from '../support/paths';

const header: MeasurementHeader = { kind: 'htsr', settings: { htsr: {} } };

test('writeMeasurement/readMeasurement round-trip rows with float64, null and list columns', () => {
  const folder = temporaryFolder('measurement-roundtrip');
  const file = path.join(folder, 'htsr.arrow');
  // 0.1 + 0.2 is not a float32 number: it survives only in a float64 column.
  const rows = [
    { model: 'a', epoch: 3, alpha: 0.1 + 0.2, note: 'x', ok: true, ids: ['a', 'b'] },
    { model: 'b', epoch: 4, alpha: null, note: null, ok: false, ids: [] },
    { model: 'c', epoch: 5, alpha: Number.NaN, note: 'z', ok: null, ids: ['c'] },
  ];
  writeMeasurement(file, header, ['model', 'epoch', 'alpha', 'note', 'ok', 'ids'], rows);
  const read = readMeasurement(file);
  assert.deepEqual(read.header, header);
  assert.deepEqual(read.columns, ['model', 'epoch', 'alpha', 'note', 'ok', 'ids']);
  assert.deepEqual(read.rows, [
    { model: 'a', epoch: 3, alpha: 0.30000000000000004, note: 'x', ok: true, ids: ['a', 'b'] },
    { model: 'b', epoch: 4, alpha: null, note: null, ok: false, ids: [] },
    { model: 'c', epoch: 5, alpha: null, note: 'z', ok: null, ids: ['c'] }, // NaN is written as null
  ]);
});

/** A one-model native zoo with results at epochs 0 and 1, no measurements yet. */
function tinyZoo(folder: string): string {
  writeZooManifest(folder, { models: ['m'], axes: {} });
  writeZooParams(folder, 'm', { 'model::width': 4 });
  writeZooResults(folder, 'm', [{ train_loss: 0.7 }, { train_loss: 0.5 }]);
  return folder;
}

test('hostile measurement files are FormatErrors naming the file, in readMeasurement and in zoo.table()', () => {
  const root = tinyZoo(temporaryFolder('measurement-hostile'));
  const file = mergedFile(root, 'htsr');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const valid = (() => {
    writeMeasurement(file, header, ['model', 'epoch', 'alpha'], [{ model: 'm', epoch: 1, alpha: 2.5 }]);
    return fs.readFileSync(file);
  })();
  assert.deepEqual(
    openZoo(root)
      .table()
      .rows()
      .map((row) => [row.epoch, row.htsr_alpha]),
    [
      [0, null],
      [1, 2.5],
    ],
    'the valid file joins on (model, epoch)',
  );

  const plainArrow = tableToIPC(new Table({ model: vectorFromArray(['m']), epoch: vectorFromArray([1]) }), 'file');
  const noModel = (() => {
    writeMeasurement(file, header, ['epoch', 'alpha'], [{ epoch: 1, alpha: 2.5 }]);
    return fs.readFileSync(file);
  })();
  const nullModel = (() => {
    writeMeasurement(file, header, ['model', 'epoch'], [{ model: null, epoch: 1 }]);
    return fs.readFileSync(file);
  })();
  const cases: [string, Uint8Array, RegExp][] = [
    ['garbage', Buffer.from('{"not": "arrow"}'), /not an Arrow IPC file/],
    ['empty', Buffer.alloc(0), /not an Arrow IPC file/],
    ['truncated', valid.subarray(0, valid.length - 40), /not an Arrow IPC file/],
    [
      'corrupt middle',
      Buffer.concat([valid.subarray(0, 8), Buffer.alloc(valid.length - 16, 0xff), valid.subarray(-8)]),
      /unreadable Arrow IPC file|not a weightlab measurement file/,
    ],
    ['not a measurement', plainArrow, /not a weightlab measurement file/],
    ['no model column', noModel, /a column is missing/],
    ['null model', nullModel, /a key column holds a null/],
  ];
  for (const [what, bytes, message] of cases) {
    fs.writeFileSync(file, bytes);
    for (const read of [() => readMeasurement(file), () => openZoo(root).table()])
      assert.throws(read, (error: unknown) => {
        assert.ok(error instanceof FormatError, `${what}: ${String(error)}`);
        assert.equal(error.details.file, file, what);
        assert.match(error.message, message, what);
        return true;
      });
  }

  // Too large: refused from its size alone (a sparse file, nothing is read).
  fs.writeFileSync(file, valid);
  fs.truncateSync(file, MAX_MEASUREMENT_BYTES + 1);
  assert.throws(() => openZoo(root).table(), /measurement file too large/);
  fs.rmSync(file);
  assert.equal(openZoo(root).table().columnNames().includes('htsr_alpha'), false, 'no file, no columns');
});
