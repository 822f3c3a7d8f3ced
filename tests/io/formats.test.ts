// tfjs, ONNX and HDF5 readers checked against second implementations: tfjs itself saves the
// model whose weights we read; onnxruntime executes Identity nodes over the initializers we
// decode; h5py (via a committed fixture) wrote the HDF5 file.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  DTypeError,
  FormatError,
  loadWeights,
  readOnnx,
  readOnnxBytes,
  readTfjs,
  readWeights,
} from 'weightlab/internal';
import { ascii, bytesField, concat, FIXTURES, onnxModel, tempDir, textField, varint, varintField } from './helpers';

test('tfjs: reads what @tensorflow/tfjs saves (weights span shard files)', async () => {
  const tf = require('@tensorflow/tfjs');
  tf.util.seedrandom?.('0');
  const model = tf.sequential();
  model.add(
    tf.layers.dense({
      units: 5,
      inputShape: [3],
      kernelInitializer: tf.initializers.randomNormal({ seed: 1 }),
      biasInitializer: 'ones',
    }),
  );
  model.add(tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.randomNormal({ seed: 2 }) }));
  let artifacts:
    { weightSpecs: unknown[]; weightData: ArrayBuffer | ArrayBuffer[]; modelTopology: unknown } | undefined;
  await model.save(
    tf.io.withSaveHandler(async (saved: typeof artifacts) => {
      artifacts = saved;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const data = new Uint8Array(
    Array.isArray(artifacts!.weightData)
      ? concat(...artifacts!.weightData.map((b) => new Uint8Array(b)))
      : new Uint8Array(artifacts!.weightData),
  );
  const dir = tempDir();
  // Cut at byte 10, inside the first kernel, the way tfjs's 4 MB sharding cuts inside tensors.
  fs.writeFileSync(path.join(dir, 'group1-shard1of2.bin'), data.subarray(0, 10));
  fs.writeFileSync(path.join(dir, 'group1-shard2of2.bin'), data.subarray(10));
  fs.writeFileSync(
    path.join(dir, 'model.json'),
    JSON.stringify({
      format: 'layers-model',
      modelTopology: artifacts!.modelTopology,
      weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: artifacts!.weightSpecs }],
    }),
  );
  const weights = readWeights(dir);
  const expected = model.getWeights() as { shape: number[]; dataSync(): Float32Array }[];
  assert.equal(weights.size, expected.length);
  weights.names.forEach((name, i) => {
    assert.deepEqual(weights.info(name).shape, expected[i].shape, name);
    assert.deepEqual([...weights.get(name).toFloat32()], [...expected[i].dataSync()], name);
  });
});

test('tfjs: quantized weights dequantize as q * scale + min; missing shards are errors', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'w.bin'), Uint8Array.of(0, 1, 255, 0x00, 0x3c /* float16 1.0 */));
  const manifest = (weights: unknown[]) => JSON.stringify({ weightsManifest: [{ paths: ['w.bin'], weights }] });
  fs.writeFileSync(
    path.join(dir, 'model.json'),
    manifest([
      { name: 'q', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
      { name: 'h', shape: [1], dtype: 'float32', quantization: { dtype: 'float16' } },
    ]),
  );
  const weights = readTfjs(path.join(dir, 'model.json'));
  assert.deepEqual(weights.get('q').toArray(), [-1, -0.5, 126.5]);
  assert.deepEqual(weights.get('h').toArray(), [1]);
  fs.writeFileSync(path.join(dir, 'model.json'), manifest([{ name: 'big', shape: [10], dtype: 'float32' }]));
  assert.throws(
    () => readTfjs(path.join(dir, 'model.json')),
    (error: unknown) => error instanceof FormatError && error.details.field === 'big',
  );
  fs.writeFileSync(path.join(dir, 'model.json'), manifest([{ name: 'd', shape: [1], dtype: 'float64' }]));
  assert.throws(
    () => readTfjs(path.join(dir, 'model.json')),
    (error: unknown) => error instanceof DTypeError && error.details.field === 'd',
  );
});

test('ONNX: raw_data, packed int32_data (float16 bits), int64_data and external data match onnxruntime', async () => {
  const dir = tempDir();
  const raw = new Uint8Array(Float32Array.of(1.5, -2, 3, 4, 5, 6).buffer);
  const w = concat(varintField(1, 2), varintField(1, 3), varintField(2, 1), textField(8, 'W'), bytesField(9, raw));
  const halfBits = [0x3c00, 0xc000, 0x7bff]; // 1, -2, 65504
  const h = concat(
    varintField(1, 3),
    varintField(2, 10),
    bytesField(5, concat(...halfBits.map((b) => varint(b)))),
    textField(8, 'H'),
  );
  const longs = [-(2n ** 40n), 7n];
  const l = concat(
    bytesField(1, Uint8Array.from(varint(2))),
    varintField(2, 7),
    bytesField(7, concat(...longs.map((v) => varint(v)))),
    textField(8, 'L'),
  );
  fs.writeFileSync(
    path.join(dir, 'weights.bin'),
    concat(new Uint8Array(8), new Uint8Array(Float64Array.of(0.25, -8).buffer)),
  );
  const entry = (k: string, v: string) => bytesField(13, concat(textField(1, k), textField(2, v)));
  const e = concat(
    varintField(1, 2),
    varintField(2, 11),
    textField(8, 'E'),
    entry('location', 'weights.bin'),
    entry('offset', '8'),
    entry('length', '16'),
    varintField(14, 1),
  );
  const model = onnxModel(
    [w, h, l, e],
    [
      ['W', 'Y', 1, [2, 3]],
      ['H', 'Z', 10, [3]],
      ['L', 'V', 7, [2]],
      ['E', 'U', 11, [2]],
    ],
  );
  const file = path.join(dir, 'model.onnx');
  fs.writeFileSync(file, model);

  const weights = readWeights(file);
  assert.deepEqual(weights.names, ['W', 'H', 'L', 'E']);
  const ort = require('onnxruntime-node');
  const session = await ort.InferenceSession.create(file);
  const result = await session.run({});
  assert.deepEqual([...weights.get('W').toFloat32()], [...result.Y.data]);
  assert.deepEqual(weights.get('W').shape, result.Y.dims);
  assert.equal(weights.get('H').dtype, 'float16');
  assert.deepEqual(
    [...(weights.get('H').data as Uint16Array)],
    [...new Uint16Array(result.Z.data.buffer, result.Z.data.byteOffset, 3)],
  );
  assert.deepEqual(weights.get('H').toArray(), [1, -2, 65504]);
  assert.deepEqual([...(weights.get('L').data as BigInt64Array)], [...result.V.data]);
  assert.deepEqual([...weights.get('E').toFloat64()], [...result.U.data]);
  assert.deepEqual(weights.get('E').toArray(), [0.25, -8]);
  await session.release?.();

  // Corruptions: raw_data shorter than dims, a length running past the message, external data out of range.
  const short = onnxModel(
    [concat(varintField(1, 4), varintField(2, 1), textField(8, 'S'), bytesField(9, raw.subarray(0, 12)))],
    [],
  );
  assert.throws(
    () => readOnnxBytes(short, 'short.onnx'),
    (error: unknown) => error instanceof FormatError && error.details.field === 'S',
  );
  assert.throws(() => readOnnxBytes(model.subarray(0, model.length - 20), 'cut.onnx'), FormatError);
  const far = concat(
    varintField(1, 4),
    varintField(2, 11),
    textField(8, 'F'),
    entry('location', 'weights.bin'),
    entry('offset', '8'),
    varintField(14, 1),
  );
  fs.writeFileSync(file, onnxModel([far], []));
  assert.throws(
    () => readOnnx(file),
    (error: unknown) => error instanceof FormatError && error.details.field === 'F',
  );
});

test('HDF5: a Keras 3 layout written by h5py, optimizer state skipped by default', async () => {
  const file = path.join(FIXTURES, 'keras.weights.h5');
  const weights = await loadWeights(file);
  assert.deepEqual(weights.names, ['layers.dense.vars.0', 'layers.dense.vars.1', 'layers.norm.vars.0']);
  assert.deepEqual(weights.get('layers.dense.vars.0').toArray(), [
    [0, 1, 2],
    [3, 4, 5],
  ]);
  assert.equal(weights.get('layers.dense.vars.1').dtype, 'float64');
  assert.deepEqual(weights.get('layers.dense.vars.1').toArray(), [1, 2, 3], 'big-endian dataset');
  assert.equal(weights.get('layers.norm.vars.0').dtype, 'float16');
  assert.deepEqual(weights.get('layers.norm.vars.0').toArray(), [0.5, -1.5]);
  const all = await loadWeights(file, { includeOptimizer: true });
  assert.equal(all.get('optimizer.vars.0').toArray(), 5);
  assert.throws(() => readWeights(file), /asynchronously/);
  const dir = tempDir();
  const bad = path.join(dir, 'bad.h5');
  fs.writeFileSync(bad, concat(ascii('\x89HDF\r\n\x1a\n'), new Uint8Array(100)));
  await assert.rejects(loadWeights(bad), FormatError);
});
