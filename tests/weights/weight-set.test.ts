// WeightSet: layer grouping from PyTorch, GPT-2 and Keras naming; lazy reads; flatten round trip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tensor, WeightSet, ShapeError, ArgumentError } from 'weightlab/internal';

const zeros = (...shape: number[]) => Tensor.zeros(shape, 'float32');

test('layers are inferred from PyTorch-style names', () => {
  const set = new WeightSet([
    ['embed.weight', zeros(100, 16)],
    ['conv1.weight', zeros(8, 3, 3, 3)],
    ['conv1.bias', zeros(8)],
    ['bn1.weight', zeros(8)],
    ['bn1.bias', zeros(8)],
    ['bn1.running_mean', zeros(8)],
    ['bn1.running_var', zeros(8)],
    ['h.0.attn.c_attn.weight', zeros(16, 48)],
    ['fc.weight', zeros(10, 16)],
    ['fc.bias', zeros(10)],
  ]);
  const byName = Object.fromEntries(set.layers.map((l) => [l.name, l]));
  assert.equal(byName.embed.kind, 'embedding');
  assert.equal(byName.conv1.kind, 'conv2d');
  assert.equal(byName.conv1.bias, 'conv1.bias');
  assert.equal(byName.bn1.kind, 'norm');
  assert.equal(byName.bn1.extras?.running_var, 'bn1.running_var');
  assert.equal(byName['h.0.attn.c_attn'].layout, 'in-out');
  assert.equal(byName.fc.kind, 'linear');
  assert.equal(byName.fc.layout, 'out-in');
  assert.equal(set.numParameters, 1600 + 216 + 8 + 32 + 768 + 160 + 10);
});

test('lazy tensors load once, on demand, and must match what they announced', () => {
  let reads = 0;
  const set = new WeightSet({
    w: {
      dtype: 'float64',
      shape: [2, 2],
      load: () => {
        reads++;
        return Tensor.from([1, 2, 3, 4], [2, 2]);
      },
    },
    bad: { dtype: 'float64', shape: [3], load: () => Tensor.from([1, 2], [2]) },
  });
  assert.deepEqual(set.info('w').shape, [2, 2]);
  assert.equal(reads, 0);
  set.get('w');
  set.get('w');
  assert.equal(reads, 1);
  assert.throws(() => set.get('bad'), ShapeError);
  assert.throws(() => set.get('missing'), ArgumentError);
});

test('flatten and unflatten are inverse', () => {
  const set = new WeightSet({ a: Tensor.from([1, 2, 3, 4], [2, 2]), b: Tensor.from([5, 6], [2]) });
  const vector = set.flatten();
  assert.deepEqual(Array.from(vector), [1, 2, 3, 4, 5, 6]);
  const back = set.unflatten(vector.map((x) => x * 10));
  assert.deepEqual(back.get('a').toArray(), [
    [10, 20],
    [30, 40],
  ]);
  assert.throws(() => set.unflatten([1, 2]), ShapeError);
  // Each tensor's offset points at its first value in the flat vector.
  assert.deepEqual(
    [...set.flatOffsets()],
    [
      ['a', 0],
      ['b', 4],
    ],
  );
  assert.equal(vector[set.flatOffsets().get('b')!], 5);
});
