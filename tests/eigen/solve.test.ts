// The eigen engine choice goes through backend's one rule (resolveEngine): an engine the solvers do
// not have is an ArgumentError listing theirs; an explicitly requested engine that cannot run here
// is an ArgumentError with the reason (never a silent fallback); 'auto' keeps two threads for the
// orders where they pay off. analyze() checks its engine option before any work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, matrix, resolveEigenEngine, rng, symmetricEigenvalues, ArgumentError } from 'weightlab/internal';
import { parallelAvailable } from 'weightlab/dist/eigen/eigen-parallel';
import { PARALLEL_MIN_ORDER } from 'weightlab/dist/eigen/reduction';

/** Runs `fn` with WEIGHTLAB_ENGINE set to `engine`, restoring the previous value. */
function withEngine<T>(engine: string, fn: () => T): T {
  const previous = process.env.WEIGHTLAB_ENGINE;
  process.env.WEIGHTLAB_ENGINE = engine;
  try {
    return fn();
  } finally {
    if (previous === undefined) delete process.env.WEIGHTLAB_ENGINE;
    else process.env.WEIGHTLAB_ENGINE = previous;
  }
}

test('an engine the eigensolvers do not have is an ArgumentError listing theirs', async () => {
  await assert.rejects(symmetricEigenvalues(Float64Array.of(1), 1, 'onnx' as never), (error: unknown) => {
    assert.ok(error instanceof ArgumentError);
    assert.equal(error.details.field, 'engine');
    assert.equal(error.details.expected, "'auto' or one of 'parallel', 'wasm', 'js'");
    return true;
  });
});

test('an explicitly requested engine that cannot run is an ArgumentError with the reason', async () => {
  withEngine('js', () => {
    assert.throws(
      () => resolveEigenEngine('symmetricEigenvalues', 'wasm', 64),
      /cannot run on engine 'wasm' here: WEIGHTLAB_ENGINE=js turns the wasm kernels off/,
    );
    assert.throws(
      () => resolveEigenEngine('symmetricEigenvalues', 'parallel', 1024),
      /cannot run on engine 'parallel' here/,
    );
    assert.equal(resolveEigenEngine('symmetricEigenvalues', 'auto', 1024), 'js');
  });
  // analyze() rejects the engine before reading a layer.
  const w = matrix(40, 20, rng(1).normal(800));
  await withEngine('js', () =>
    assert.rejects(
      analyze(w, { engine: 'wasm', progress: false }),
      (error: unknown) => error instanceof ArgumentError && /analyze cannot run on engine 'wasm'/.test(error.message),
    ),
  );
  await assert.rejects(analyze(w, { engine: 'gpu' as never, progress: false }), /analyze has no engine 'gpu'/);
});

test("'auto' solves small orders on one thread; an explicit 'parallel' runs at any order", (t) => {
  if (!parallelAvailable()) {
    t.skip('needs the wasm kernel, SharedArrayBuffer and 2 CPUs');
    return;
  }
  assert.equal(resolveEigenEngine('symmetricEigenvalues', 'auto', PARALLEL_MIN_ORDER - 1), 'wasm');
  assert.equal(resolveEigenEngine('symmetricEigenvalues', undefined, 16), 'wasm');
  assert.equal(resolveEigenEngine('symmetricEigenvalues', 'parallel', 16), 'parallel');
  assert.equal(resolveEigenEngine('symmetricEigenvalues', 'js', 4096), 'js');
});

test('every engine gives the closed-form eigenvalues of a diagonal matrix behind a rotation', async () => {
  // [[a, b], [b, a]] has eigenvalues a - b and a + b.
  const engines = ['js', ...(parallelAvailable() ? (['wasm', 'parallel'] as const) : [])] as const;
  for (const engine of engines) {
    assert.deepEqual([...(await symmetricEigenvalues(Float64Array.of(3, 1, 1, 3), 2, engine))], [2, 4], engine);
  }
});
