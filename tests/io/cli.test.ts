// The two CLI commands of this area, run as a user runs them (a child process of the built
// `weightlab` bin). Expected sums are closed forms of the fixture values.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Tensor, writeZooCheckpoint, writeZooManifest, writeZooParams, writeZooResults } from 'weightlab/internal';
import { FIXTURES, tempDir } from './helpers';

const BIN = path.resolve(__dirname, '..', '..', '..', 'kernel', 'bin', 'weightlab.js');
const run = (...args: string[]) => execFileSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

test('weightlab tensors FILE --json: name, dtype, shape, float64 sum and absmax', () => {
  const rows = JSON.parse(run('tensors', path.join(FIXTURES, 'torch-zip.pt'), '--json')) as {
    name: string;
    dtype: string;
    shape: number[];
    sum: number;
    absmax: number;
  }[];
  const byName = Object.fromEntries(rows.map((row) => [row.name, row]));
  assert.deepEqual(byName['fc.weight'], {
    name: 'fc.weight',
    dtype: 'float32',
    shape: [4, 6],
    sum: (23 * 24) / 2,
    absmax: 23,
  });
  assert.deepEqual(byName['fc.bias'], { name: 'fc.bias', dtype: 'float32', shape: [4], sum: 6 + 7 + 8 + 9, absmax: 9 });
  assert.equal(byName.i.sum, -(2 ** 40) + 7);
  assert.equal(byName.b.dtype, 'bfloat16');
  const text = run('tensors', path.join(FIXTURES, 'stored.npz'));
  assert.match(text, /^name\s+dtype\s+shape\s+sum\s+absmax$/m);
  assert.match(text, /^w\s+float32\s+\[2, 3\]\s+15\s+5$/m);
  const failed = spawnSync(process.execPath, [BIN, 'tensors', path.join(FIXTURES, 'README.md')], { encoding: 'utf8' });
  assert.equal(failed.status, 1);
  assert.match(failed.stderr, /FormatError: .*README\.md.*unrecognised weight file format/);
});

test('weightlab zoo info DIR --json: models, checkpoints per model, axes, table', () => {
  const root = tempDir('weightlab-cli-zoo-');
  const ids = ['a', 'b'];
  ids.forEach((id, i) => {
    writeZooParams(root, id, { 'model::width': 4 * (i + 1), seed: 0 });
    writeZooResults(root, id, [
      { train_acc: 0.5, test_acc: 0.25 },
      { train_acc: 1, test_acc: 0.5 },
    ]);
    for (const epoch of i === 0 ? [0, 1] : [1])
      writeZooCheckpoint(root, id, epoch, { w: Tensor.from([epoch], [1], 'float32') });
  });
  writeZooManifest(root, { axes: { 'model::width': [4, 8] }, models: ids });
  const info = JSON.parse(run('zoo', 'info', root, '--json'));
  assert.equal(info.kind, 'weightlab');
  assert.equal(info.models, 2);
  assert.deepEqual(info.checkpoints_per_model, { a: 2, b: 1 });
  assert.deepEqual(info.axes, { width: [4, 8] }); // the axis name; zoo.json keeps the PTMZ key
  assert.equal(info.table.length, 4);
  assert.deepEqual(
    info.table.map((row: { ggap: number }) => row.ggap),
    [0.25, 0.5, 0.25, 0.5],
  );
  assert.match(run('zoo', 'info', root), /Zoo\(weightlab, 2 models, 3 checkpoints/);
});
