// Vectorisation and tokenisation: the MNIST CNN-s index_dict published with the Model Zoos
// dataset (specs/zoos-and-phases.md §3.2) as the oracle for buildIndexDict, hand-computed SANE
// tokens for a small checkpoint, and exact round trips on random checkpoints.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import {
  ShapeError,
  Tensor,
  WeightSet,
  buildIndexDict,
  detokeniseCheckpoint,
  rng,
  tokeniseCheckpoint,
  unvectoriseCheckpoint,
  vectoriseCheckpoint,
} from 'weightlab/internal';

function mnistCnnS(seed: number): WeightSet {
  const random = rng(seed);
  const shapes: [string, number[]][] = [
    ['module_list.0.weight', [8, 1, 5, 5]],
    ['module_list.0.bias', [8]],
    ['module_list.3.weight', [6, 8, 5, 5]],
    ['module_list.3.bias', [6]],
    ['module_list.6.weight', [4, 6, 2, 2]],
    ['module_list.6.bias', [4]],
    ['module_list.9.weight', [20, 36]],
    ['module_list.9.bias', [20]],
    ['module_list.11.weight', [10, 20]],
    ['module_list.11.bias', [10]],
  ];
  return new WeightSet(
    shapes.map(([name, shape]): [string, Tensor] => [
      name,
      Tensor.from(random.normal(shape.reduce((a, b) => a * b, 1)), shape, 'float32'),
    ]),
  );
}

test('index_dict of the MNIST CNN-s matches the one published with the Model Zoos dataset', () => {
  const weights = mnistCnnS(0);
  assert.deepEqual(buildIndexDict(weights), {
    layer: [
      [0, 'conv2d'],
      [3, 'conv2d'],
      [6, 'conv2d'],
      [9, 'fc'],
      [11, 'fc'],
    ],
    idx_start: [0, 208, 1414, 1514, 2254],
    idx_length: [208, 1206, 100, 740, 210],
    kernel_no: [8, 6, 4, 20, 10],
    kernel_size: [25, 25, 4, 9, 1],
    channels_in: [1, 8, 6, 4, 20],
  });
});

test('vectorise puts each weight before its bias, in layer order, and inverts exactly', () => {
  const weights = mnistCnnS(1);
  const vector = vectoriseCheckpoint(weights);
  assert.equal(vector.length, 2464);
  const conv3 = weights.get('module_list.3.weight').toFloat64();
  const bias3 = weights.get('module_list.3.bias').toFloat64();
  assert.deepEqual([...vector.subarray(208, 208 + 1200)], [...conv3]);
  assert.deepEqual([...vector.subarray(1408, 1414)], [...bias3]);
  const back = unvectoriseCheckpoint(vector, weights);
  for (const name of weights.names)
    assert.deepEqual([...back.get(name).toFloat64()], [...weights.get(name).toFloat64()], name);
  assert.throws(() => unvectoriseCheckpoint(vector.subarray(1), weights), ShapeError);
  assert.equal(vectoriseCheckpoint(weights, { useBias: false }).length, 2464 - 48);
});

function smallCheckpoint(): WeightSet {
  return new WeightSet([
    ['fc1.weight', Tensor.from([1, 2, 3, 4, 5, 6], [2, 3], 'float32')],
    ['fc1.bias', Tensor.from([10, 20], [2], 'float32')],
    ['bn.weight', Tensor.from([7, 8], [2], 'float32')],
    ['bn.bias', Tensor.from([0.5, 0.25], [2], 'float32')],
    ['bn.running_mean', Tensor.from([1, 2], [2], 'float32')],
    ['bn.running_var', Tensor.from([3, 4], [2], 'float32')],
    ['bn.num_batches_tracked', Tensor.from([9], [], 'int64')],
  ]);
}

test('SANE tokens of a small checkpoint, computed by hand', () => {
  const { tokens, mask, positions, tokenSize } = tokeniseCheckpoint(smallCheckpoint(), { tokenSize: 3 });
  assert.equal(tokenSize, 3);
  assert.deepEqual(tokens.toArray(), [
    [1, 2, 3],
    [10, 0, 0],
    [4, 5, 6],
    [20, 0, 0], // fc1 rows with bias appended, split in two tokens
    [7, 0.5, 0],
    [8, 0.25, 0], // bn.weight rows with bn.bias appended
    [1, 0, 0],
    [2, 0, 0],
    [3, 0, 0],
    [4, 0, 0], // running mean and var, one value per channel
  ]);
  assert.deepEqual(mask.toArray(), [
    [1, 1, 1],
    [1, 0, 0],
    [1, 1, 1],
    [1, 0, 0],
    [1, 1, 0],
    [1, 1, 0],
    [1, 0, 0],
    [1, 0, 0],
    [1, 0, 0],
    [1, 0, 0],
  ]);
  assert.equal(positions.dtype, 'int16');
  assert.deepEqual(positions.toArray(), [
    [0, 0, 0],
    [1, 0, 0],
    [2, 0, 1],
    [3, 0, 1],
    [4, 1, 0],
    [5, 1, 1],
    [6, 2, 0],
    [7, 2, 1],
    [8, 3, 0],
    [9, 3, 1],
  ]);
  const fcOnly = tokeniseCheckpoint(smallCheckpoint(), { ignoreBatchNorm: true });
  assert.equal(fcOnly.tokenSize, 4, 'tokenSize 0 uses the longest row');
  assert.deepEqual(fcOnly.tokens.toArray(), [
    [1, 2, 3, 10],
    [4, 5, 6, 20],
  ]);
});

test('detokenise restores every tensor exactly (random checkpoints, several token sizes)', () => {
  for (const seed of [0, 1, 2]) {
    const weights = mnistCnnS(seed);
    for (const tokenSize of [0, 7, 25, 288]) {
      const { tokens } = tokeniseCheckpoint(weights, { tokenSize });
      const back = detokeniseCheckpoint(tokens, weights);
      assert.deepEqual(back.names, weights.names);
      for (const name of weights.names)
        assert.deepEqual([...back.get(name).toFloat32()], [...weights.get(name).toFloat32()], `${name} @ ${tokenSize}`);
    }
  }
  const small = smallCheckpoint();
  const back = detokeniseCheckpoint(tokeniseCheckpoint(small, { tokenSize: 2 }).tokens, small);
  assert.deepEqual(back.get('bn.running_var').toArray(), [3, 4]);
  assert.deepEqual(back.get('bn.num_batches_tracked').toArray(), 9, 'untokenised entries come from the reference');
  assert.throws(() => detokeniseCheckpoint(Tensor.zeros([3, 2], 'float32'), small), ShapeError);
});
