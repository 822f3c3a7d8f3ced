// tfjs weights as tfjs writes them (model.json of a layers model, a graph-model model.json, a
// bare weights manifest), quantized weights following tfjs's affine uint8/uint16 and float16
// schemes, each value checked against tfjs's own decoder (tf.io.decodeWeights); the layers we
// infer from tfjs names; and the typed errors for manifests that do not fit their shards.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DTypeError, FormatError, readTfjs, readWeights, type WeightSet } from 'weightlab/internal';
import { tempDir } from './helpers';
import { layerZoo, saveArtifacts, tf, writeModelJson, writeShards, writeWeightsManifest } from './tfjs-models';

/** Every tensor of `weights` equals, value for value and in dtype and shape, what tfjs decodes from the same bytes. */
function assertMatchesTfjs(weights: WeightSet, data: Uint8Array, specs: tf.io.WeightsManifestEntry[]): void {
  const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  const decoded = tf.io.decodeWeights(buffer, specs);
  // string and complex64 weights have no weightlab dtype and are left out.
  const readable = specs.filter((spec) => spec.dtype !== 'string' && spec.dtype !== 'complex64');
  assert.deepEqual(
    weights.names,
    readable.map((spec) => spec.name),
  );
  for (const spec of readable) {
    const ours = weights.get(spec.name);
    const theirs = decoded[spec.name];
    assert.equal(ours.dtype, theirs.dtype, spec.name);
    assert.deepEqual(ours.shape, theirs.shape, spec.name);
    const values = ours.dtype === 'int32' ? [...(ours.contiguous().data as Int32Array)] : [...ours.toFloat32()];
    assert.deepEqual(values, [...theirs.dataSync()], spec.name);
  }
}

test('tfjs layers-model: every weight of a model with all layer kinds, shards cut inside tensors, equals tf.io.decodeWeights', async () => {
  const model = layerZoo();
  const artifacts = await saveArtifacts(model);
  const dir = tempDir();
  // 1000-byte shards: tensors span files, as tfjs's 4 MB cut does on real models.
  writeModelJson(dir, artifacts, { shardBytes: 1000 });
  assert.ok(fs.readdirSync(dir).filter((name) => name.endsWith('.bin')).length > 5);
  const weights = readWeights(dir);
  assert.equal(weights.metadata.tfjsFormat, 'layers-model');
  assertMatchesTfjs(weights, artifacts.weightData, artifacts.weightSpecs);
  // And the decoded bytes are the model's own weights.
  for (const variable of model.weights)
    assert.deepEqual(
      [...weights.get(variable.originalName).toFloat32()],
      [...variable.read().dataSync()],
      variable.originalName,
    );
});

test('tfjs names give Keras layers: kinds, (..., in, out) layouts, bias and norm statistics', async () => {
  const dir = tempDir();
  writeModelJson(dir, await saveArtifacts(layerZoo()));
  const weights = readWeights(path.join(dir, 'model.json'));
  const byName = Object.fromEntries(weights.layers.map((layer) => [layer.name, layer]));
  assert.deepEqual(Object.keys(byName).sort(), [
    'bn',
    'conv',
    'depthwise',
    'embed',
    'head',
    'hidden',
    'separable',
    'separable/depthwise_kernel',
    'seq_conv',
  ]);
  const summary = (name: string) => {
    const { kind, weight, bias, layout, convention } = byName[name];
    return { kind, weight, bias, layout, convention, shape: weights.info(weight).shape };
  };
  assert.deepEqual(summary('hidden'), {
    kind: 'linear',
    weight: 'hidden/kernel',
    bias: 'hidden/bias',
    layout: 'in-out',
    convention: 'keras',
    shape: [140, 32],
  });
  assert.deepEqual(summary('head'), {
    kind: 'linear',
    weight: 'head/kernel',
    bias: 'head/bias',
    layout: 'in-out',
    convention: 'keras',
    shape: [32, 10],
  });
  assert.deepEqual(summary('conv'), {
    kind: 'conv2d',
    weight: 'conv/kernel',
    bias: 'conv/bias',
    layout: 'in-out',
    convention: 'keras',
    shape: [3, 3, 3, 16],
  });
  assert.deepEqual(summary('seq_conv'), {
    kind: 'conv1d',
    weight: 'seq_conv/kernel',
    bias: 'seq_conv/bias',
    layout: 'in-out',
    convention: 'keras',
    shape: [3, 12, 20],
  });
  assert.deepEqual(summary('depthwise'), {
    kind: 'depthwise',
    weight: 'depthwise/depthwise_kernel',
    bias: 'depthwise/bias',
    layout: 'in-out',
    convention: 'keras',
    shape: [3, 3, 16, 2],
  });
  // A separable conv: the depthwise half alone, the pointwise 1x1 kernel is the channel-mixing layer with the bias.
  assert.deepEqual(summary('separable/depthwise_kernel'), {
    kind: 'depthwise',
    weight: 'separable/depthwise_kernel',
    bias: undefined,
    layout: 'in-out',
    convention: 'keras',
    shape: [1, 1, 32, 1],
  });
  assert.deepEqual(summary('separable'), {
    kind: 'conv2d',
    weight: 'separable/pointwise_kernel',
    bias: 'separable/bias',
    layout: 'in-out',
    convention: 'keras',
    shape: [1, 1, 32, 24],
  });
  assert.deepEqual(summary('embed'), {
    kind: 'embedding',
    weight: 'embed/embeddings',
    bias: undefined,
    layout: undefined,
    convention: 'keras',
    shape: [50, 16],
  });
  assert.deepEqual(summary('bn'), {
    kind: 'norm',
    weight: 'bn/gamma',
    bias: 'bn/beta',
    layout: undefined,
    convention: 'keras',
    shape: [16],
  });
  assert.deepEqual(byName.bn.extras, { moving_mean: 'bn/moving_mean', moving_variance: 'bn/moving_variance' });
  // Every tensor belongs to exactly one layer.
  const owned = weights.layers.flatMap((layer) => [
    layer.weight,
    ...(layer.bias ? [layer.bias] : []),
    ...Object.values(layer.extras ?? {}),
  ]);
  assert.deepEqual(owned.sort(), [...weights.names].sort());
});

test('tfjs weights manifests (bare JSON array of groups) and graph-model model.json, as a file and as a folder', async () => {
  const dir = tempDir();
  const tensors = {
    'StatefulPartitionedCall/model/fc/MatMul/ReadVariableOp': tf.randomNormal([12, 7], 0, 1, 'float32', 3),
    'StatefulPartitionedCall/model/fc/BiasAdd/ReadVariableOp': tf.randomNormal([7], 0, 1, 'float32', 4),
    'model/steps': tf.tensor1d([3, -1, 4], 'int32'),
    'model/mask': tf.tensor1d([1, 0, 1, 1], 'bool'),
    // A lookup table and a complex constant: no weightlab dtype, stepped over (their bytes still shift what follows).
    'model/vocabulary': tf.tensor1d(['relu', '', 'tanh, sigmoid'], 'string'),
    'model/phase': tf.complex([1, -2], [0.5, 3]),
    'model/scale': tf.tensor1d([0.25, 8]),
  };
  const manifestFile = await writeWeightsManifest(dir, 'tiny-weights_manifest.json', tensors, 30);
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  assert.ok(Array.isArray(manifest) && manifest[0].paths.length > 1);
  const data = new Uint8Array(
    Buffer.concat(manifest[0].paths.map((shard: string) => fs.readFileSync(path.join(dir, shard)))),
  );
  for (const source of [manifestFile, dir]) {
    const weights = readWeights(source);
    assert.equal(weights.metadata.tfjsFormat, 'weights-manifest');
    assertMatchesTfjs(weights, data, manifest[0].weights);
    assert.deepEqual(weights.metadata.skippedWeights, ['model/vocabulary (string)', 'model/phase (complex64)']);
    // A graph constant with no Keras variable name: a (in, out) matrix is a Dense layer by its rank.
    const fc = weights.layers.find(
      (layer) => layer.weight === 'StatefulPartitionedCall/model/fc/MatMul/ReadVariableOp',
    );
    assert.deepEqual([fc?.kind, fc?.layout], ['linear', 'in-out']);
  }
  const graph = path.join(tempDir(), 'model.json');
  for (const shard of manifest[0].paths) fs.copyFileSync(path.join(dir, shard), path.join(path.dirname(graph), shard));
  fs.writeFileSync(
    graph,
    JSON.stringify({ format: 'graph-model', modelTopology: { node: [] }, weightsManifest: manifest }),
  );
  const fromGraph = readWeights(path.dirname(graph));
  assert.equal(fromGraph.metadata.tfjsFormat, 'graph-model');
  assertMatchesTfjs(fromGraph, data, manifest[0].weights);
  // A manifest-less folder and a folder with two manifests say what they expected.
  assert.throws(
    () => readWeights(tempDir()),
    (error: unknown) => error instanceof FormatError && /weights_manifest/.test(error.message),
  );
  fs.copyFileSync(manifestFile, path.join(dir, 'other-weights_manifest.json'));
  assert.throws(
    () => readWeights(dir),
    (error: unknown) => error instanceof FormatError && /several tfjs weights manifests/.test(error.message),
  );
});

/** tfjs-converter's affine quantization: range widened to hold 0, zero point snapped to an integer. */
function quantizeAffine(
  values: Float32Array,
  dtype: 'uint8' | 'uint16',
): { quantized: Uint8Array | Uint16Array; scale: number; min: number } {
  const top = dtype === 'uint8' ? 255 : 65535;
  const low = Math.min(0, ...values),
    high = Math.max(0, ...values);
  const scale = (high - low) / top;
  const min = -Math.round(-low / scale) * scale;
  const quantized = dtype === 'uint8' ? new Uint8Array(values.length) : new Uint16Array(values.length);
  values.forEach((value, i) => {
    quantized[i] = Math.round((Math.min(Math.max(value, min), min + top * scale) - min) / scale);
  });
  return { quantized, scale, min };
}

/** IEEE half-precision bits of a float32 value, rounded to nearest even (normal and subnormal range). */
function halfBits(value: number): number {
  const bits = new Uint32Array(Float32Array.of(value).buffer)[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  let mantissa = bits & 0x7fffff;
  if (exponent >= 0x1f) return sign | 0x7c00;
  let shift = 13;
  let base = exponent << 10;
  if (exponent <= 0) {
    mantissa |= 0x800000;
    shift = 14 - exponent;
    base = 0;
    if (shift > 24) return sign;
  }
  let half = base + (mantissa >>> shift);
  const rest = mantissa & ((1 << shift) - 1),
    middle = 1 << (shift - 1);
  if (rest > middle || (rest === middle && half & 1)) half++;
  return sign | half;
}

test('quantized tfjs weights (uint8, uint16 affine; float16; int32 via uint8) decode exactly as tf.io.decodeWeights', async () => {
  const model = layerZoo();
  const { weightSpecs, weightData } = await saveArtifacts(model);
  const floats = tf.io.decodeWeights(
    weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength) as ArrayBuffer,
    weightSpecs,
  );
  const schemes = ['uint8', 'uint16', 'float16'] as const;
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  weightSpecs.forEach((spec, index) => {
    const values = floats[spec.name].dataSync() as Float32Array;
    const scheme = schemes[index % 3];
    if (scheme === 'float16') {
      parts.push(new Uint8Array(Uint16Array.from(values, halfBits).buffer));
      specs.push({ ...spec, quantization: { dtype: 'float16' } });
    } else {
      const { quantized, scale, min } = quantizeAffine(values, scheme);
      parts.push(new Uint8Array(quantized.buffer));
      specs.push({ ...spec, quantization: { dtype: scheme, scale, min } });
    }
  });
  // An int32 weight quantized to uint8: tfjs rounds the dequantized value.
  parts.push(Uint8Array.of(0, 7, 255, 128));
  specs.push({ name: 'steps', shape: [4], dtype: 'int32', quantization: { dtype: 'uint8', scale: 0.3, min: -2 } });
  const data = new Uint8Array(Buffer.concat(parts));
  const dir = tempDir();
  fs.writeFileSync(
    path.join(dir, 'model.json'),
    JSON.stringify({
      format: 'layers-model',
      weightsManifest: [{ paths: writeShards(dir, 'group1', data, 777), weights: specs }],
    }),
  );
  const weights = readTfjs(dir);
  assertMatchesTfjs(weights, data, specs);
  // Dequantized values stay within half a quantization step (or float16 rounding) of the originals.
  weightSpecs.forEach((spec, index) => {
    const original = floats[spec.name].dataSync() as Float32Array;
    const ours = weights.get(spec.name).toFloat32();
    const q = specs[index].quantization!;
    const tolerance = q.dtype === 'float16' ? 2 ** -10 * Math.max(...original.map(Math.abs)) : q.scale! * 0.5 + 1e-6;
    ours.forEach((value, i) =>
      assert.ok(Math.abs(value - original[i]) <= tolerance, `${spec.name}[${i}]: ${value} vs ${original[i]}`),
    );
  });
});

test('tfjs manifests that do not fit their shards or lack quantization metadata are typed errors naming the file and weight', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'w.bin'), new Uint8Array(12));
  const modelJson = path.join(dir, 'model.json');
  const write = (value: unknown) => fs.writeFileSync(modelJson, JSON.stringify(value));
  const manifest = (weights: unknown[], paths: unknown[] = ['w.bin']) =>
    write({ format: 'layers-model', weightsManifest: [{ paths, weights }] });
  const fails = (kind: typeof FormatError | typeof DTypeError, field: string | undefined, pattern: RegExp) =>
    assert.throws(
      () => readTfjs(modelJson),
      (error: unknown) => {
        assert.ok(error instanceof kind, `${(error as Error).name}: ${(error as Error).message}`);
        assert.equal(error.details.file, modelJson);
        if (field !== undefined) assert.equal(error.details.field, field);
        assert.match(error.message, pattern);
        return true;
      },
    );

  // A uint8 weight with no quantization metadata (was a TypeError reading `scale`).
  manifest([{ name: 'dense/kernel', shape: [3, 4], dtype: 'uint8' }]);
  fails(DTypeError, 'dense/kernel', /quantization/);
  manifest([{ name: 'dense/kernel', shape: [3, 4], dtype: 'float32', quantization: { dtype: 'uint8', min: -1 } }]);
  fails(FormatError, 'dense/kernel', /scale and min/);
  manifest([
    { name: 'dense/kernel', shape: [3, 4], dtype: 'float32', quantization: { dtype: 'int4', scale: 1, min: 0 } },
  ]);
  fails(DTypeError, 'dense/kernel', /quantization dtype/);
  manifest([{ name: 'h', shape: [6], dtype: 'int32', quantization: { dtype: 'float16' } }]);
  fails(DTypeError, 'h', /float16/);
  // Sizes: a weight past the end of the group's shards, and shards longer than the weights.
  manifest([
    { name: 'a', shape: [2], dtype: 'float32' },
    { name: 'dense/kernel', shape: [2, 2], dtype: 'float32' },
  ]);
  fails(FormatError, 'dense/kernel', /runs past the end of weight group 0's shards \(w\.bin\)/);
  manifest([{ name: 'a', shape: [2], dtype: 'float32' }]);
  fails(FormatError, 'a', /hold more bytes than its weights/);
  manifest([{ name: 'a', shape: [3], dtype: 'float32' }], ['w.bin', 'missing.bin']);
  fails(FormatError, 'weightsManifest[0].paths[1]', /cannot open the referenced file: ENOENT/);
  manifest([{ name: 'a', shape: [3], dtype: 'float32' }], ['../w.bin']);
  fails(FormatError, 'weightsManifest[0].paths[0]', /a path inside the model folder/);
  manifest([{ name: 'a', shape: [-3], dtype: 'float32' }]);
  fails(FormatError, 'a', /shape/);
  manifest([
    { name: 'a', shape: [1], dtype: 'float32' },
    { name: 'a', shape: [2], dtype: 'float32' },
  ]);
  fails(FormatError, 'a', /same name/);
  // A string weight's elements are (uint32 length, bytes): four empty strings need 16 bytes, not 12.
  manifest([{ name: 's', shape: [4], dtype: 'string' }]);
  fails(FormatError, 's', /string weight runs past the end/);
  // Not a manifest at all: says what it expected instead of a misleading message.
  write({ format: 'layers-model', modelTopology: {} });
  fails(FormatError, 'weightsManifest', /needs a weightsManifest list/);
  write([{ paths: ['w.bin'] }]);
  fails(FormatError, 'weightsManifest[0]', /paths and weights/);
  write('weights');
  fails(FormatError, undefined, /not a tfjs model\.json or weights manifest/);
  // The bytes that do fit read back.
  manifest([{ name: 'a', shape: [3], dtype: 'float32' }]);
  assert.deepEqual(readTfjs(modelJson).get('a').toArray(), [0, 0, 0]);
});
