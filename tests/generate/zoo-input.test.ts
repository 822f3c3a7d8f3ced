// Bad input fails early and says which model and why: mixed architectures, NaN weights, too few
// models for the requested PCA rank.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  WeightSet,
  Tensor,
  checkZoo,
  fitPca,
  flowMatching,
  GaussianPcaBaseline,
  ShapeError,
  NumericalError,
  ArgumentError,
  initialMlp,
} from 'weightlab/internal';

test('a zoo of mixed architectures names the model and the tensor', () => {
  const zoo = [initialMlp([4, 3, 2], 0), initialMlp([4, 3, 2], 1), initialMlp([4, 5, 2], 2)];
  assert.throws(
    () => checkZoo(zoo),
    (error: Error) =>
      error instanceof ShapeError &&
      /model 2/.test(error.message) &&
      /fc0\.weight/.test(error.message) &&
      /\[3, 4\]/.test(error.message) &&
      /\[5, 4\]/.test(error.message),
  );
  const renamed = [initialMlp([4, 3, 2], 0), initialMlp([4, 3, 2], 1).rename((n) => n.replace('fc1', 'head'))];
  assert.throws(
    () => checkZoo(renamed),
    (error: Error) => error instanceof ShapeError && /model 1/.test(error.message) && /fc1\.weight/.test(error.message),
  );
});

test('NaN weights name the model, the tensor and the index', async () => {
  const bad = initialMlp([4, 3, 2], 1).map((t, name) => {
    if (name !== 'fc1.bias') return t;
    const values = t.toFloat64();
    values[1] = NaN;
    return new Tensor('float64', values, t.shape);
  });
  const zoo = [initialMlp([4, 3, 2], 0), bad, initialMlp([4, 3, 2], 2)];
  assert.throws(
    () => checkZoo(zoo),
    (error: Error) =>
      error instanceof NumericalError &&
      /model 1/.test(error.message) &&
      /fc1\.bias\[1\]/.test(error.message) &&
      /NaN/.test(error.message),
  );
  await assert.rejects(flowMatching({ steps: 1 }).fit(zoo), NumericalError);
});

test('too few models for the PCA rank says how many are needed', async () => {
  const zoo = [0, 1, 2, 3].map((s) => initialMlp([4, 3, 2], s));
  assert.throws(
    () =>
      fitPca(
        zoo.map((m) => m.flatten()),
        4,
      ),
    (error: Error) =>
      error instanceof ArgumentError &&
      /4 models span at most 3/.test(error.message) &&
      /at least 5 models/.test(error.message),
  );
  await assert.rejects(new GaussianPcaBaseline({ rank: 8 }).fit(zoo), /too few models for PCA rank 8/);
  await assert.rejects(flowMatching({ rank: 10, steps: 1 }).fit(zoo), /too few models for PCA rank 10/);
  await assert.rejects(flowMatching({ steps: 1 }).fit([zoo[0]]), /too few models for flow matching/);
});

test('a model with metadata names is reported by name', () => {
  const named = new WeightSet([['w.weight', Tensor.from([1, NaN], [1, 2])]], { metadata: { name: 'seed-17' } });
  const good = new WeightSet([['w.weight', Tensor.from([1, 2], [1, 2])]]);
  assert.throws(() => checkZoo([good, named]), /model 1 \(seed-17\)/);
});
