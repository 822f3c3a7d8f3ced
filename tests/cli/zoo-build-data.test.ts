// `weightlab zoo build` on the user's own data through the real CLI: a preset's grid trained on
// a numpy .npz (--dataset), the same grid from a spec file whose paths are the spec's folder's
// (--spec), and bad data refused with exit code 1 and a message naming the file and the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openZoo } from 'weightlab/internal';
import { runCli, temporaryFolder } from '../support/paths';
import { python, writePythonData } from '../support/python-data';

test('weightlab zoo build --dataset data.npz and --spec spec.json train on the user’s data', () => {
  const folder = temporaryFolder('cli-own-data');
  const data = writePythonData(folder, 80, 4, 2);
  const out = path.join(folder, 'zoo');
  const run = runCli(
    ['zoo', 'build', '--preset', 'digits-mlp-grid', '--small', '--dataset', 'data.npz', '--out', out, '--json'],
    { cwd: folder },
  );
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.equal(report.trained.length, report.models);
  assert.deepEqual(report.failed, []);
  const zoo = openZoo(out);
  const manifest = zoo.manifest as { data: { name: string; source: string; sha256: string; format: string } };
  assert.equal(manifest.data.sha256, data.sha256['data.npz']);
  assert.equal(manifest.data.format, 'npz');
  assert.equal(manifest.data.source, path.join(folder, 'data.npz')); // relative to the working folder, recorded absolute
  assert.equal(zoo.trainingData(zoo.models[0]).train.features, 4);
  // A spec file: its dataset path is taken from the spec's folder, wherever the command runs.
  fs.mkdirSync(path.join(folder, 'specs'));
  fs.writeFileSync(
    path.join(folder, 'specs', 'own.json'),
    JSON.stringify({
      name: 'own',
      dataset: { file: '../data.csv', testFraction: 0.25 },
      axes: { width: [3, 5] },
      seeds: [0],
      epochs: 1,
    }),
  );
  const fromSpec = path.join(folder, 'zoo-spec');
  const built = runCli(['zoo', 'build', '--spec', path.join(folder, 'specs', 'own.json'), '--out', fromSpec, '--json']);
  assert.equal(built.status, 0, built.stderr);
  assert.equal(JSON.parse(built.stdout).models, 2);
  const own = openZoo(fromSpec);
  assert.equal((own.manifest as { data: { sha256: string } }).data.sha256, data.sha256['data.csv']);
  const split = own.trainingData(own.models[0]);
  assert.equal(split.test.size, 20); // a quarter of each class of 40
});

test('weightlab zoo build refuses bad data and changed data with exit code 1 and the reason', () => {
  const folder = temporaryFolder('cli-bad-data');
  writePythonData(folder, 40, 3, 2);
  python(
    folder,
    `np.savez(f'{folder}/bad.npz', x=np.ones((10, 3)), y=np.arange(10) - 1)
open(f'{folder}/ragged.csv', 'w').write('a,b,label\\n1,2,0\\n3,4\\n')`,
  );
  const out = path.join(folder, 'zoo');
  const bad = runCli(['zoo', 'build', '--preset', 'digits-mlp-grid', '--small', '--dataset', 'bad.npz', '--out', out], {
    cwd: folder,
  });
  assert.equal(bad.status, 1);
  assert.match(
    bad.stderr,
    /FormatError: .*bad\.npz, 'y\[0\]': label out of range \(expected an integer >= 0, found -1\)/,
  );
  const ragged = runCli(
    ['zoo', 'build', '--preset', 'digits-mlp-grid', '--small', '--dataset', 'ragged.csv', '--out', out],
    {
      cwd: folder,
    },
  );
  assert.equal(ragged.status, 1);
  assert.match(ragged.stderr, /ragged\.csv, 'row 3': CSV row has a different number of cells/);
  const usage = runCli(['zoo', 'build', '--preset', 'digits-mlp-grid', '--labels', 'y', '--out', out]);
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /--labels goes with --dataset FILE/);
  // A finished zoo, then the same command after the data changed: refused, naming both hashes.
  const args = ['zoo', 'build', '--spec', 'spec.json', '--out', out, '--json'];
  fs.writeFileSync(
    path.join(folder, 'spec.json'),
    JSON.stringify({ name: 'x', dataset: { file: 'x.npy', y: 'y.npy' }, axes: { width: [3] }, seeds: [0], epochs: 1 }),
  );
  assert.equal(runCli(args, { cwd: folder }).status, 0);
  python(folder, `np.save(f'{folder}/y.npy', 1 - np.load(f'{folder}/y.npy'))`);
  const changed = runCli(args, { cwd: folder });
  assert.equal(changed.status, 1);
  assert.match(
    changed.stderr,
    /ArgumentError: .*built from other data: its SHA-256 was [0-9a-f]{64}, this data's is [0-9a-f]{64}/,
  );
});
