// A user's own data read from files that numpy, Python's csv module and a by-the-definition
// safetensors writer made, and from a CommonJS module: every source gives the same split, the
// recorded SHA-256 is hashlib's, images keep their shape, and hostile files get typed errors
// naming the file and the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ArgumentError, FormatError, openDataSource, type DatasetSplit } from 'weightlab/internal';
import { temporaryFolder } from '../support/paths';
import { python, writePythonData } from '../support/python-data';

const bytes = (array: Float64Array | Int32Array) => Buffer.from(array.buffer, array.byteOffset, array.byteLength);

function sameSplit(a: DatasetSplit, b: DatasetSplit): void {
  for (const part of ['train', 'test'] as const) {
    assert.deepEqual(bytes(a[part].x), bytes(b[part].x));
    assert.deepEqual(bytes(a[part].y), bytes(b[part].y));
    assert.equal(a[part].features, b[part].features);
    assert.equal(a[part].classes, b[part].classes);
  }
}

test('npz, npy, safetensors, csv and a module give the same split; file hashes are hashlib’s', () => {
  const folder = temporaryFolder('data-source');
  const { sha256 } = writePythonData(folder);
  const json = JSON.parse(fs.readFileSync(path.join(folder, 'data.json'), 'utf8')) as { x: number[][]; y: number[] };
  const module = openDataSource({ module: path.join(folder, 'data.js') });
  assert.equal(module.format, 'module');
  const { train, test: held } = module.split;
  assert.equal(train.size + held.size, 150);
  assert.equal(held.size, 30); // 20% of each class of 50
  assert.equal(train.features, 5);
  assert.equal(train.classes, 3);
  // Rows are numpy's numbers exactly (Python's repr and JSON round-trip doubles): find each train row in the JSON.
  const rows = new Map(json.x.map((row, i) => [row.join(','), json.y[i]]));
  for (let i = 0; i < train.size; i++)
    assert.equal(rows.get(Array.from(train.x.subarray(i * 5, (i + 1) * 5)).join(',')), train.y[i]);
  const cases: [string, Parameters<typeof openDataSource>[0], string][] = [
    ['npz', { file: path.join(folder, 'data.npz') }, sha256['data.npz']],
    ['npy', { file: path.join(folder, 'x.npy'), y: 'y.npy' }, sha256['x.npy+y.npy']],
    ['safetensors', { file: path.join(folder, 'data.safetensors') }, sha256['data.safetensors']],
    ['csv', { file: path.join(folder, 'data.csv') }, sha256['data.csv']],
    ['csv', { file: path.join(folder, 'data.csv'), y: 'label' }, sha256['data.csv']],
  ];
  for (const [format, source, digest] of cases) {
    const opened = openDataSource(source);
    assert.equal(opened.format, format);
    assert.equal(opened.sha256, digest, format);
    sameSplit(opened.split, module.split);
  }
  // A relative path is taken from the base folder; another seed or test fraction is another split.
  assert.equal(openDataSource({ file: 'data.npz' }, folder).sha256, sha256['data.npz']);
  const other = openDataSource({ file: 'data.npz', seed: 1 }, folder).split;
  assert.notDeepEqual(bytes(other.test.x), bytes(held.x));
  assert.equal(openDataSource({ file: 'data.npz', testFraction: 0.5 }, folder).split.test.size, 75);
});

test('a CSV without a header, a label column by name, images and a ready split from a module', () => {
  const folder = temporaryFolder('data-shapes');
  python(
    folder,
    `import csv
with open(f'{folder}/plain.csv', 'w', newline='') as f:
    w = csv.writer(f)
    for i in range(20): w.writerow([i * 0.5, -i, i % 2])
with open(f'{folder}/first.csv', 'w', newline='') as f:
    w = csv.writer(f)
    w.writerow(['label', 'a', 'b'])
    for i in range(20): w.writerow([i % 2, i * 0.5, -i])
images = np.arange(24 * 2 * 3 * 3, dtype=np.float32).reshape(24, 2, 3, 3) / 7
np.savez(f'{folder}/images.npz', x=images, y=np.arange(24) % 4)
np.savez(f'{folder}/gray.npz', pixels=images[:, 0], labels=(np.arange(24) % 2).astype(np.uint8))`,
  );
  // No header: the first row is data too, and the label is the last column.
  const plain = openDataSource({ file: path.join(folder, 'plain.csv') }).split;
  assert.equal(plain.train.size + plain.test.size, 20);
  assert.equal(plain.train.features, 2);
  for (let i = 0; i < plain.test.size; i++) assert.equal(plain.test.y[i], (2 * plain.test.x[2 * i]) % 2);
  const named = openDataSource({ file: path.join(folder, 'first.csv'), y: 'label' }).split;
  assert.equal(named.train.size + named.test.size, 20);
  assert.equal(named.train.features, 2);
  for (let i = 0; i < named.train.size; i++) {
    const a = named.train.x[2 * i];
    assert.equal(named.train.x[2 * i + 1] + 2 * a, 0); // b = -i, a = i / 2
    assert.equal(named.train.y[i], (2 * a) % 2); // label = i % 2
  }
  const images = openDataSource({ file: path.join(folder, 'images.npz') }).split;
  assert.deepEqual(images.train.image, [2, 3, 3]);
  assert.equal(images.train.features, 18);
  assert.equal(images.train.classes, 4);
  // float32 pixels become float64 of the same value (Math.fround is the float32 rounding).
  for (const value of images.train.x.subarray(0, 18)) assert.equal(value, Math.fround(value));
  const gray = openDataSource({ file: path.join(folder, 'gray.npz'), x: 'pixels', y: 'labels' }).split;
  assert.deepEqual(gray.train.image, [1, 3, 3]);
  assert.equal(gray.train.classes, 2);
  fs.writeFileSync(
    path.join(folder, 'split.js'),
    `const { data } = require(${JSON.stringify(require.resolve('weightlab'))});
exports.blobs = () => data.gaussianBlobs({ size: 90, seed: 3 });
exports.later = async () => ({ x: [[1, 2]], y: [0] });
exports.flat = { x: new Float64Array([1, 2, 3, 4, 5, 6, 7, 8]), shape: [4, 2], y: [0, 1, 0, 1] };
`,
  );
  const ready = openDataSource({ module: path.join(folder, 'split.js'), export: 'blobs' });
  const { data } = require('weightlab') as typeof import('weightlab');
  sameSplit(ready.split, data.gaussianBlobs({ size: 90, seed: 3 }));
  const flat = openDataSource({ module: path.join(folder, 'split.js'), export: 'flat', testFraction: 0.5 }).split;
  assert.equal(flat.train.size + flat.test.size, 4);
  assert.equal(flat.train.features, 2);
  assert.throws(
    () => openDataSource({ module: path.join(folder, 'split.js'), export: 'later' }),
    (error) => error instanceof ArgumentError && /not a Promise/.test(error.message),
  );
  assert.throws(
    () => openDataSource({ module: path.join(folder, 'split.js'), export: 'missing' }),
    (error) => error instanceof ArgumentError && error.details.found === 'missing',
  );
});

test('hostile data files give typed errors naming the file and the field', () => {
  const folder = temporaryFolder('data-hostile');
  writePythonData(folder, 30, 3, 2);
  python(
    folder,
    `x = np.ones((10, 3)); y = np.arange(10) % 2
np.savez(f'{folder}/negative.npz', x=x, y=y - 1)
np.savez(f'{folder}/fraction.npz', x=x, y=y + 0.5)
np.savez(f'{folder}/nan.npz', x=np.where(np.arange(30).reshape(10, 3) == 7, np.nan, x), y=y)
np.savez(f'{folder}/short.npz', x=x, y=y[:9])
np.savez(f'{folder}/flat.npz', x=np.ones(10), y=y)
np.savez(f'{folder}/one-class.npz', x=x, y=np.zeros(10, dtype=int))
np.savez(f'{folder}/two-classes.npz', x=x, y=y * 2)
data = open(f'{folder}/data.npz', 'rb').read()
open(f'{folder}/truncated.npz', 'wb').write(data[: len(data) // 2])
open(f'{folder}/ragged.csv', 'w').write('a,b,label\\n1,2,0\\n3,4\\n5,6,1\\n')
open(f'{folder}/nan.csv', 'w').write('a,b,label\\n1,2,0\\n3,nan,1\\n5,6,1\\n')
open(f'{folder}/words.csv', 'w').write('a,b,label\\n1,2,0\\n3,four,1\\n')`,
  );
  const file = (name: string) => path.join(folder, name);
  const fails = (
    source: Parameters<typeof openDataSource>[0],
    type: new (...args: never[]) => Error,
    pattern: RegExp,
    field?: RegExp,
  ) =>
    assert.throws(
      () => openDataSource(source),
      (error: unknown) => {
        assert.ok(error instanceof type, `${String(error)} is not a ${type.name}`);
        assert.match((error as Error).message, pattern);
        if (field) assert.match(String((error as FormatError).details.field), field);
        return true;
      },
    );
  fails({ file: file('truncated.npz') }, FormatError, /truncated\.npz/);
  fails({ file: file('negative.npz') }, FormatError, /label out of range.*found -1/, /^y\[0\]$/);
  fails({ file: file('fraction.npz') }, FormatError, /label out of range.*found 0\.5/, /^y\[0\]$/);
  fails(
    { file: file('two-classes.npz'), classes: 2 },
    FormatError,
    /expected an integer in 0\.\.1, found 2/,
    /^y\[1\]$/,
  );
  fails({ file: file('nan.npz') }, FormatError, /not finite.*found NaN/, /^x\[2, 1\]$/);
  fails({ file: file('short.npz') }, FormatError, /one per row.*expected shape \[10\], found \[9\]/);
  fails({ file: file('flat.npz') }, FormatError, /rows x features/, /^x$/);
  fails({ file: file('one-class.npz') }, FormatError, /only one class/);
  fails({ file: file('data.npz'), x: 'features' }, FormatError, /no such array.*found x, y/, /^features$/);
  fails({ file: file('ragged.csv') }, FormatError, /ragged\.csv.*different number of cells/, /^row 3$/);
  fails({ file: file('nan.csv') }, FormatError, /not finite/, /^features\[1, 1\]$/);
  fails({ file: file('words.csv') }, FormatError, /not a number.*"four"/, /^row 3, column 'b'$/);
  fails({ file: file('data.csv'), y: 'nope' }, FormatError, /no such label column/);
  fails({ file: file('x.npy') }, ArgumentError, /needs y/);
  fails({ file: file('data.json') }, ArgumentError, /unknown data file format.*found \.json/);
  fails({ file: file('missing.npz') }, ArgumentError, /no such data file/);
  fails({ file: file('data.npz'), testFraction: 1 }, ArgumentError, /testFraction/);
  fails({ file: file('data.npz'), colour: 1 } as never, ArgumentError, /colour/);
  fails({ module: file('data.csv') }, ArgumentError, /failed to load/); // not JavaScript
});
