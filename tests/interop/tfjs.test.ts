// tfjs interop against the real @tensorflow/tfjs (cpu backend): tensors and a Dense + Conv2D
// LayersModel round-trip with bit-identical float32 values (no arithmetic happens, so equality
// is exact), layouts are marked, and bad weight sets are rejected before anything is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import {
  Tensor,
  WeightSet,
  fromTfjsTensor,
  toTfjsTensor,
  weightSetFromLayersModel,
  assignToLayersModel,
  ShapeError,
  DTypeError,
} from 'weightlab/internal';

// tfjs prints a banner about tfjs-node on first use; the cpu backend is what we test.
void tf.setBackend('cpu');

function buildModel(seed: number): tf.Sequential {
  const model = tf.sequential({ name: `net${seed}` });
  model.add(
    tf.layers.conv2d({
      inputShape: [6, 6, 2],
      filters: 3,
      kernelSize: 3,
      name: 'conv',
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
      biasInitializer: 'randomNormal',
    }),
  );
  model.add(tf.layers.flatten({ name: 'flat' }));
  model.add(
    tf.layers.dense({
      units: 4,
      name: 'head',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
      biasInitializer: 'randomNormal',
    }),
  );
  return model;
}

test('tensors: float32, int32 and bool convert both ways with values and shape kept', () => {
  const t = tf.tensor([1.5, -2, 3.25, 4, 5, 6], [2, 3], 'float32');
  const ours = fromTfjsTensor(t);
  assert.equal(ours.dtype, 'float32');
  assert.deepEqual(ours.shape, [2, 3]);
  assert.deepEqual(Array.from(ours.data as Float32Array), [1.5, -2, 3.25, 4, 5, 6]);
  assert.equal(fromTfjsTensor(tf.tensor([1, 2], [2], 'int32')).dtype, 'int32');
  assert.deepEqual(Array.from(fromTfjsTensor(tf.tensor([true, false], [2], 'bool')).data as Uint8Array), [1, 0]);
  const back = toTfjsTensor(new Tensor('float64', Float64Array.of(0.5, 0.25), [1, 2]), tf) as tf.Tensor;
  assert.equal(back.dtype, 'float32');
  assert.deepEqual(back.shape, [1, 2]);
  assert.deepEqual(Array.from(back.dataSync()), [0.5, 0.25]);
  assert.equal((toTfjsTensor(new Tensor('int8', Int8Array.of(-3), [1]), tf) as tf.Tensor).dtype, 'int32');
  assert.throws(() => toTfjsTensor(new Tensor('int64', BigInt64Array.of(2n ** 40n), [1]), tf), DTypeError);
  assert.throws(() => fromTfjsTensor(tf.complex([1], [2])), DTypeError);
});

test('fromTfjsTensor copies: later writes to our tensor do not reach tfjs', () => {
  const t = tf.tensor([1, 2, 3]);
  const ours = fromTfjsTensor(t);
  (ours.data as Float32Array)[0] = 99;
  assert.equal(t.dataSync()[0], 1);
});

test('a Dense + Conv2D model round-trips through a WeightSet with identical values', () => {
  const source = buildModel(1);
  const weights = weightSetFromLayersModel(source);
  assert.deepEqual(weights.names, ['conv.kernel', 'conv.bias', 'head.kernel', 'head.bias']);
  assert.deepEqual(weights.info('conv.kernel').shape, [3, 3, 2, 3]);
  assert.deepEqual(weights.info('head.kernel').shape, [48, 4]);
  assert.equal(weights.metadata.kernelLayout, 'keras');
  const head = weights.layers.find((layer) => layer.name === 'head');
  assert.deepEqual([head?.kind, head?.layout, head?.bias], ['linear', 'in-out', 'head.bias']);
  assert.equal(weights.layers.find((layer) => layer.name === 'conv')?.kind, 'conv2d');

  const target = buildModel(7);
  assert.notDeepEqual(
    Array.from(target.layers[2].getWeights()[0].dataSync()),
    Array.from(source.layers[2].getWeights()[0].dataSync()),
  );
  assignToLayersModel(target, weights); // tf found through the loaded engine
  for (const index of [0, 2]) {
    const want = source.layers[index].getWeights();
    const got = target.layers[index].getWeights();
    want.forEach((w, i) => assert.deepEqual(Array.from(got[i].dataSync()), Array.from(w.dataSync())));
  }
  const input = tf.randomNormal([2, 6, 6, 2], 0, 1, 'float32', 3);
  assert.deepEqual(
    Array.from((target.predict(input) as tf.Tensor).dataSync()),
    Array.from((source.predict(input) as tf.Tensor).dataSync()),
  );

  // With an explicit tf module, and from float64 tensors (exact here: values came from float32).
  const widened = weights.map((tensor) => tensor.astype('float64'));
  const third = buildModel(9);
  assignToLayersModel(third, widened, tf);
  assert.deepEqual(
    Array.from(third.layers[0].getWeights()[0].dataSync()),
    Array.from(source.layers[0].getWeights()[0].dataSync()),
  );
});

test('assignToLayersModel rejects missing or misshapen tensors before writing anything', () => {
  const model = buildModel(2);
  const before = Array.from(model.layers[0].getWeights()[0].dataSync());
  const weights = weightSetFromLayersModel(buildModel(3));
  const missing = weights.filter((name) => name !== 'head.bias');
  assert.throws(
    () => assignToLayersModel(model, missing),
    (e: unknown) => e instanceof ShapeError && e.details.field === 'head.bias',
  );
  const misshapen = new WeightSet(
    weights.names.map(
      (name) =>
        [name, name === 'head.kernel' ? Tensor.zeros([4, 48], 'float32') : weights.get(name)] as [string, Tensor],
    ),
  );
  assert.throws(
    () => assignToLayersModel(model, misshapen),
    (e: unknown) => e instanceof ShapeError && e.details.field === 'head.kernel',
  );
  assert.deepEqual(Array.from(model.layers[0].getWeights()[0].dataSync()), before);
});
