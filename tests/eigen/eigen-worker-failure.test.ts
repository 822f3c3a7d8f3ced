// A job that throws on the worker of the two-thread eigensolver (here a wasm trap: a product over
// memory far past the end) must surface as an error on the main thread, not leave it waiting
// forever; the pool is then retired and later solves run on one thread. Own file: the retirement
// lasts for the rest of the process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rng } from 'weightlab/internal';
import {
  eigenvaluesSideBySide,
  parallelAvailable,
  parallelEigenvalues,
  workerJob,
} from 'weightlab/dist/eigen/eigen-parallel';
import { symmetricEigenvaluesWasm } from 'weightlab/dist/eigen/eigen-wasm';

test('a failed worker job is an error on the main thread, and later solves fall back to one thread', async (t) => {
  if (!parallelAvailable()) {
    t.skip('needs SharedArrayBuffer, worker threads and 2 CPUs');
    return;
  }
  const n = 64;
  const x = rng(1).normal(n * n);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = x[i * n + j] + x[j * n + i];
  await parallelEigenvalues(a, n); // the pool is up
  // bandPanelProduct(a, n, b, work, k, blockBegin, blockEnd, part) with the matrix 3.5 GiB past a small memory: a trap.
  await assert.rejects(
    workerJob('bandProduct', [0xe0000000 | 0, 4096, 8, 0xe0000000 | 0, 0, 0, 64, 0]),
    /worker failed on job 3 \(bandProduct\)/,
  );
  assert.equal(parallelAvailable(), false);
  assert.deepEqual(await parallelEigenvalues(a, n), symmetricEigenvaluesWasm(a, n));
  assert.deepEqual(await eigenvaluesSideBySide({ a, n }, { a, n }), [
    symmetricEigenvaluesWasm(a, n),
    symmetricEigenvaluesWasm(a, n),
  ]);
});
