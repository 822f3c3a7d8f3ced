// Weight matching and the permutation machinery: a permuted network computes the same function
// (MLP, small CNN with BatchNorm, ResNet basic block), matching undoes a planted permutation,
// one-group matching equals the brute-force optimum, and aligned averaging resets BatchNorm.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  WeightSet,
  Tensor,
  rng,
  mlpPermutationSpec,
  permutationSpec,
  resnetBlockSpec,
  applyPermutations,
  weightMatching,
  alignZoo,
  alignedAverage,
  permuteAxis,
  ShapeError,
  ArgumentError,
  type Permutations,
  type PermutationSpec,
} from 'weightlab/internal';
import { randomMlp, mlpForward, randomTensor, conv3x3, batchNorm, relu, bnTensors } from './networks';

function randomPermutations(spec: PermutationSpec, seed: number): Permutations {
  const source = rng(seed);
  return Object.fromEntries(Object.entries(spec.groups).map(([g, n]) => [g, source.permutation(n)]));
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

test('the automatic MLP spec couples rows of layer l with columns of layer l+1', () => {
  const spec = mlpPermutationSpec(randomMlp(1, [5, 4, 3, 2]));
  assert.deepEqual(spec.groups, { P0: 4, P1: 3 });
  assert.deepEqual(spec.axes['fc0.weight'], ['P0', null]);
  assert.deepEqual(spec.axes['fc1.weight'], ['P1', 'P0']);
  assert.deepEqual(spec.axes['fc2.weight'], [null, 'P1']);
  assert.deepEqual(spec.axes['fc2.bias'], [null]);
});

test('a permuted MLP gives identical outputs (same sums in a different order: 1e-12)', () => {
  const model = randomMlp(2, [6, 8, 7, 3]);
  const spec = mlpPermutationSpec(model);
  const permuted = applyPermutations(model, spec, randomPermutations(spec, 5));
  assert.notDeepEqual(permuted.flatten(), model.flatten());
  for (let k = 0; k < 5; k++) {
    const x = rng(100 + k).normal(6);
    assert.ok(maxAbsDifference(mlpForward(model, x), mlpForward(permuted, x)) < 1e-12);
  }
});

test('weight matching undoes a planted permutation exactly', () => {
  const model = randomMlp(3, [10, 16, 12, 4]);
  const spec = mlpPermutationSpec(model);
  const permuted = applyPermutations(model, spec, randomPermutations(spec, 9));
  const result = weightMatching(model, permuted);
  assert.ok(result.converged);
  assert.ok(result.iterations <= 100);
  assert.deepEqual([...result.aligned.flatten()], [...model.flatten()]);
  assert.ok(result.similarityAfter > result.similarityBefore);
});

test('with one hidden layer, matching equals the brute-force best permutation (6! = 720)', () => {
  const a = randomMlp(4, [3, 6, 2]);
  const b = randomMlp(5, [3, 6, 2]);
  const spec = mlpPermutationSpec(a);
  const objective = (perm: Int32Array) => {
    const permuted = applyPermutations(b, spec, { P0: perm });
    const x = a.flatten(),
      y = permuted.flatten();
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i] * y[i];
    return s;
  };
  let best = -Infinity;
  const perm = new Int32Array(6);
  const used = new Array<boolean>(6).fill(false);
  const search = (i: number): void => {
    if (i === 6) {
      best = Math.max(best, objective(perm));
      return;
    }
    for (let j = 0; j < 6; j++)
      if (!used[j]) {
        used[j] = true;
        perm[i] = j;
        search(i + 1);
        used[j] = false;
      }
  };
  search(0);
  const result = weightMatching(a, b, { spec });
  assert.ok(Math.abs(result.similarityAfter - best) < 1e-9 * Math.abs(best));
});

test('maxIterations bounds the sweeps', () => {
  const a = randomMlp(6, [8, 12, 12, 12, 3]);
  const b = randomMlp(7, [8, 12, 12, 12, 3]);
  assert.equal(weightMatching(a, b, { maxIterations: 1 }).iterations, 1);
  assert.throws(() => weightMatching(a, b, { maxIterations: 0 }), ArgumentError);
});

function smallCnn(seed: number): WeightSet {
  return new WeightSet([
    ['conv1.weight', randomTensor(seed, [4, 2, 3, 3])],
    ['conv1.bias', randomTensor(seed + 1, [4])],
    ...bnTensors(seed + 2, 'bn1', 4),
    ['conv2.weight', randomTensor(seed + 10, [5, 4, 3, 3])],
    ...bnTensors(seed + 12, 'bn2', 5),
    ['fc.weight', randomTensor(seed + 20, [3, 5])],
    ['fc.bias', randomTensor(seed + 21, [3])],
  ]);
}

function cnnForward(w: WeightSet, x: Float64Array, size: number): Float64Array {
  let h = conv3x3(w, 'conv1', x, 2, size);
  let y = relu(batchNorm(w, 'bn1', h.y, 4));
  h = conv3x3(w, 'conv2', y, 4, size);
  y = relu(batchNorm(w, 'bn2', h.y, 5));
  const pooled = Array.from(
    { length: 5 },
    (_, c) => y.slice(c * size * size, (c + 1) * size * size).reduce((a, b) => a + b, 0) / (size * size),
  );
  const fw = w.get('fc.weight').toFloat64(),
    fb = w.get('fc.bias').toFloat64();
  return Float64Array.from({ length: 3 }, (_, o) => fb[o] + pooled.reduce((s, p, c) => s + fw[o * 5 + c] * p, 0));
}

test('a declared small-CNN spec with BatchNorm: the permuted CNN gives identical outputs', () => {
  const model = smallCnn(11);
  const spec = permutationSpec()
    .conv('conv1', { out: 'P1', in: null })
    .norm('bn1', 'P1')
    .conv('conv2', { out: 'P2', in: 'P1' })
    .norm('bn2', 'P2')
    .dense('fc', { out: null, in: 'P2' })
    .build(model);
  assert.deepEqual(spec.groups, { P1: 4, P2: 5 });
  const permuted = applyPermutations(model, spec, randomPermutations(spec, 12));
  const x = rng(13).normal(2 * 5 * 5);
  assert.ok(maxAbsDifference(cnnForward(model, x, 5), cnnForward(permuted, x, 5)) < 1e-12);
  const matched = weightMatching(model, permuted, { spec });
  assert.deepEqual([...matched.aligned.flatten()], [...model.flatten()]);
});

function resnetBlock(seed: number): WeightSet {
  return new WeightSet([
    ['stem.weight', randomTensor(seed, [4, 2, 3, 3])],
    ...bnTensors(seed + 1, 'stem_bn', 4),
    ['block.conv1.weight', randomTensor(seed + 10, [6, 4, 3, 3])],
    ...bnTensors(seed + 11, 'block.bn1', 6),
    ['block.conv2.weight', randomTensor(seed + 20, [4, 6, 3, 3])],
    ...bnTensors(seed + 21, 'block.bn2', 4),
    ['fc.weight', randomTensor(seed + 30, [3, 4])],
    ['fc.bias', randomTensor(seed + 31, [3])],
  ]);
}

function resnetForward(w: WeightSet, x: Float64Array, size: number): Float64Array {
  const stem = relu(batchNorm(w, 'stem_bn', conv3x3(w, 'stem', x, 2, size).y, 4));
  const inner = relu(batchNorm(w, 'block.bn1', conv3x3(w, 'block.conv1', stem, 4, size).y, 6));
  const out = relu(
    batchNorm(w, 'block.bn2', conv3x3(w, 'block.conv2', inner, 6, size).y, 4).map((v, k) => v + stem[k]),
  );
  const area = size * size;
  const pooled = Array.from(
    { length: 4 },
    (_, c) => out.slice(c * area, (c + 1) * area).reduce((a, b) => a + b, 0) / area,
  );
  const fw = w.get('fc.weight').toFloat64(),
    fb = w.get('fc.bias').toFloat64();
  return Float64Array.from({ length: 3 }, (_, o) => fb[o] + pooled.reduce((s, p, c) => s + fw[o * 4 + c] * p, 0));
}

test('a ResNet basic block with BatchNorm and identity shortcut: permutation keeps the function', () => {
  const model = resnetBlock(21);
  const builder = permutationSpec().conv('stem', { out: 'stream', in: null }).norm('stem_bn', 'stream');
  resnetBlockSpec(builder, 'block', 'stream').dense('fc', { out: null, in: 'stream' });
  const spec = builder.build(model);
  assert.deepEqual(spec.groups, { stream: 4, 'block.inner': 6 });
  const permuted = applyPermutations(model, spec, randomPermutations(spec, 22));
  const x = rng(23).normal(2 * 4 * 4);
  assert.ok(maxAbsDifference(resnetForward(model, x, 4), resnetForward(permuted, x, 4)) < 1e-12);
  // An inconsistent declaration (shortcut stream given two sizes) is caught.
  assert.throws(
    () =>
      permutationSpec()
        .conv('stem', { out: 'stream', in: null })
        .conv('block.conv1', { out: 'stream', in: null })
        .build(model),
    ShapeError,
  );
});

test('aligning a zoo of permuted copies and averaging returns the original model', () => {
  const model = randomMlp(31, [5, 7, 3]);
  const spec = mlpPermutationSpec(model);
  const zoo = [model, ...[1, 2, 3].map((s) => applyPermutations(model, spec, randomPermutations(spec, 40 + s)))];
  const aligned = alignZoo(zoo);
  aligned.models.forEach((m) => assert.deepEqual([...m.flatten()], [...model.flatten()]));
  // The mean of 4 equal doubles is exact up to one rounding of the sum: 1e-15 relative.
  assert.ok(maxAbsDifference(alignedAverage(zoo).flatten(), model.flatten()) < 1e-14);
});

test('aligned averaging resets BatchNorm statistics, or recomputes them when told how', () => {
  const a = smallCnn(41),
    b = smallCnn(51);
  const spec = permutationSpec()
    .conv('conv1', { out: 'P1', in: null })
    .norm('bn1', 'P1')
    .conv('conv2', { out: 'P2', in: 'P1' })
    .norm('bn2', 'P2')
    .dense('fc', { out: null, in: 'P2' })
    .build(a);
  const reset = alignedAverage([a, b], { spec });
  assert.deepEqual([...reset.get('bn1.running_mean').toFloat64()], [0, 0, 0, 0]);
  assert.deepEqual([...reset.get('bn2.running_var').toFloat64()], [1, 1, 1, 1, 1]);
  assert.equal(reset.metadata.batchNormRecalibrated, false);
  const aligned = weightMatching(a, b, { spec }).aligned;
  const expectedKernel = a
    .get('conv2.weight')
    .toFloat64()
    .map((v, k) => (v + aligned.get('conv2.weight').toFloat64()[k]) / 2);
  assert.ok(maxAbsDifference(reset.get('conv2.weight').toFloat64(), expectedKernel) < 1e-15);
  const recalibrated = alignedAverage([a, b], {
    spec,
    batchNormStatistics: () => ({
      bn1: { mean: [1, 2, 3, 4], variance: [2, 2, 2, 2] },
      bn2: { mean: [0, 0, 0, 0, 5], variance: [1, 1, 1, 1, 3] },
    }),
  });
  assert.deepEqual([...recalibrated.get('bn2.running_mean').toFloat64()], [0, 0, 0, 0, 5]);
  assert.equal(recalibrated.metadata.batchNormRecalibrated, true);
});

test('permuteAxis moves whole slices along the chosen axis', () => {
  const values = Float64Array.from({ length: 12 }, (_, i) => i); // shape [2, 3, 2]
  assert.deepEqual([...permuteAxis(values, [2, 3, 2], 1, [2, 0, 1])], [4, 5, 0, 1, 2, 3, 10, 11, 6, 7, 8, 9]);
  const t = new Tensor('float64', values, [2, 3, 2]);
  assert.equal(t.size, 12);
});
