// What zoo.json records about a zoo's data, read back: a user's data record is checked field by
// field (a FormatError naming zoo.json and the field), its identity leaves the path out, and a
// spec that names a file or module is checked before anything is read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  ArgumentError,
  checkSpec,
  datasetIdentity,
  datasetLabel,
  FormatError,
  openZoo,
  type CustomZooDataset,
} from 'weightlab/internal';
import { temporaryFolder } from '../support/paths';

const record: CustomZooDataset = {
  name: 'file',
  options: { testFraction: 0.2, seed: 0 },
  source: 'data/train.npz',
  format: 'npz',
  sha256: 'ab'.repeat(32),
  x: 'x',
};

function zooWith(data: unknown): string {
  const folder = temporaryFolder('zoo-data-record');
  fs.writeFileSync(
    path.join(folder, 'zoo.json'),
    JSON.stringify({ format: 'weightlab-zoo', version: 2, axes: {}, models: [], data }),
  );
  return folder;
}

test('a data record in zoo.json reads back, and a bad one is a FormatError naming the field', () => {
  assert.deepEqual(openZoo(zooWith(record)).dataset, record);
  const bad: [Partial<Record<keyof CustomZooDataset, unknown>>, string][] = [
    [{ sha256: 'ab' }, 'data.sha256'],
    [{ sha256: 'AB'.repeat(32) }, 'data.sha256'],
    [{ format: 'pickle' }, 'data.format'],
    [{ source: '' }, 'data.source'],
    [{ x: 3 }, 'data.x'],
    [{ name: 'module', format: 'npz' }, 'data.format'],
    [{ name: 'url' }, 'data.name'],
  ];
  for (const [change, field] of bad) {
    const folder = zooWith({ ...record, ...change });
    assert.throws(
      () => openZoo(folder),
      (error: unknown) =>
        error instanceof FormatError &&
        error.details.field === field &&
        error.details.file === path.join(folder, 'zoo.json'),
      JSON.stringify(change),
    );
  }
});

test('identity and label of a record leave out the path and keep the hash', () => {
  const moved = { ...record, source: '/elsewhere/train.npz' };
  assert.deepEqual(datasetIdentity(moved), datasetIdentity(record));
  assert.ok(!('source' in datasetIdentity(record)));
  assert.notDeepEqual(datasetIdentity({ ...record, sha256: 'cd'.repeat(32) }), datasetIdentity(record));
  assert.equal(datasetLabel(record), `file({"testFraction":0.2,"seed":0})@${'ab'.repeat(32)}`);
  assert.equal(datasetLabel({ name: 'digits', options: { seed: 0 } }), 'digits({"seed":0})');
});

test('a spec naming a file or module is checked before anything is read', () => {
  const spec = { name: 'own', axes: { width: [4] }, seeds: [0], epochs: 1 };
  checkSpec({ ...spec, dataset: { file: 'nowhere.npz' } });
  checkSpec({ ...spec, dataset: { module: 'nowhere.js' } });
  assert.throws(
    () => checkSpec({ ...spec, dataset: { file: 'data.npz' }, datasetOptions: { seed: 1 } }),
    (error: unknown) => error instanceof ArgumentError && error.details.field === 'datasetOptions',
  );
  assert.throws(
    () => checkSpec({ ...spec, dataset: { path: 'data.npz' } as never }),
    (error: unknown) => error instanceof ArgumentError && error.details.field === 'dataset',
  );
});
