// Real TensorFlow.js checkpoints for the reader, layer-inference, HTSR and CLI tests: models
// built with @tensorflow/tfjs and saved through tfjs's own IO (a save handler hands us the
// artifacts), written to disk in tfjs's file format (model.json + shard files), and bare weights
// manifests of tensors encoded by tf.io.encodeWeights.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';

// tfjs prints a banner about tfjs-node on first use; the cpu backend is what we test.
void tf.setBackend('cpu');

export { tf };

/** What tfjs's save handler receives (the part written to disk). */
export interface SavedArtifacts {
  modelTopology: unknown;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightData: Uint8Array;
}

/** The model's artifacts as tfjs saves them, weight data as one byte array. */
export async function saveArtifacts(model: tf.LayersModel): Promise<SavedArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const data = saved!.weightData!;
  const buffers = Array.isArray(data) ? data : [data];
  const bytes = new Uint8Array(buffers.reduce((sum, buffer) => sum + buffer.byteLength, 0));
  let at = 0;
  for (const buffer of buffers) {
    bytes.set(new Uint8Array(buffer), at);
    at += buffer.byteLength;
  }
  return { modelTopology: saved!.modelTopology, weightSpecs: saved!.weightSpecs!, weightData: bytes };
}

/**
 * Writes model.json + shards the way tfjs's file writers lay them out: one group whose bytes are
 * cut every `shardBytes` (tfjs cuts at 4 MB, inside tensors).
 */
export function writeModelJson(
  directory: string,
  artifacts: SavedArtifacts,
  options: { shardBytes?: number; format?: string } = {},
): string {
  const paths = writeShards(directory, 'group1', artifacts.weightData, options.shardBytes);
  const file = path.join(directory, 'model.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      format: options.format ?? 'layers-model',
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
      convertedBy: null,
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths, weights: artifacts.weightSpecs }],
    }),
  );
  return file;
}

/** Shard files `<prefix>-shardKofN` holding `bytes`, cut every `shardBytes`. */
export function writeShards(
  directory: string,
  prefix: string,
  bytes: Uint8Array,
  shardBytes = 4 * 1024 * 1024,
): string[] {
  const count = Math.max(1, Math.ceil(bytes.length / shardBytes));
  const paths: string[] = [];
  for (let k = 0; k < count; k++) {
    const name = `${prefix}-shard${k + 1}of${count}.bin`;
    fs.writeFileSync(path.join(directory, name), bytes.subarray(k * shardBytes, (k + 1) * shardBytes));
    paths.push(name);
  }
  return paths;
}

/** A bare weights manifest (what tf.io.loadWeights reads) of named tensors, encoded by tfjs itself. */
export async function writeWeightsManifest(
  directory: string,
  fileName: string,
  tensors: Record<string, tf.Tensor>,
  shardBytes?: number,
): Promise<string> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  const paths = writeShards(
    directory,
    fileName.replace(/\.json$/, ''),
    new Uint8Array(data as ArrayBuffer),
    shardBytes,
  );
  const file = path.join(directory, fileName);
  fs.writeFileSync(file, JSON.stringify([{ paths, weights: specs }]));
  return file;
}

/** A seeded initializer, so every build of a model has the same weights. */
const normal = (seed: number) => tf.initializers.randomNormal({ mean: 0, stddev: 0.5, seed });

/**
 * A functional model with one layer of every kind HTSR has to tell apart: Embedding, Conv1D,
 * Conv2D, BatchNormalization, DepthwiseConv2D, SeparableConv2D and Dense. Sizes keep every
 * dense/conv layer above WeightWatcher's minEvals (10 eigenvalues).
 */
export function layerZoo(): tf.LayersModel {
  const tokens = tf.input({ shape: [6], name: 'tokens' });
  const sequence = tf.input({ shape: [10, 12], name: 'sequence' });
  const image = tf.input({ shape: [8, 8, 3], name: 'image' });
  let seed = 1;
  const embedded = tf.layers
    .flatten()
    .apply(
      tf.layers
        .embedding({ inputDim: 50, outputDim: 16, name: 'embed', embeddingsInitializer: normal(seed++) })
        .apply(tokens),
    ) as tf.SymbolicTensor;
  const convolved1d = tf.layers.globalAveragePooling1d({}).apply(
    tf.layers
      .conv1d({
        filters: 20,
        kernelSize: 3,
        name: 'seq_conv',
        kernelInitializer: normal(seed++),
        biasInitializer: normal(seed++),
      })
      .apply(sequence),
  ) as tf.SymbolicTensor;
  let x = tf.layers
    .conv2d({
      filters: 16,
      kernelSize: 3,
      name: 'conv',
      kernelInitializer: normal(seed++),
      biasInitializer: normal(seed++),
    })
    .apply(image) as tf.SymbolicTensor;
  x = tf.layers
    .batchNormalization({
      name: 'bn',
      gammaInitializer: normal(seed++),
      betaInitializer: normal(seed++),
      movingMeanInitializer: normal(seed++),
      movingVarianceInitializer: 'ones',
    })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .depthwiseConv2d({
      kernelSize: 3,
      depthMultiplier: 2,
      name: 'depthwise',
      depthwiseInitializer: normal(seed++),
      biasInitializer: normal(seed++),
    })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .separableConv2d({
      filters: 24,
      kernelSize: 1,
      name: 'separable',
      depthwiseInitializer: normal(seed++),
      pointwiseInitializer: normal(seed++),
      biasInitializer: normal(seed++),
    })
    .apply(x) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(x) as tf.SymbolicTensor;
  const joined = tf.layers.concatenate().apply([embedded, convolved1d, pooled]) as tf.SymbolicTensor;
  const hidden = tf.layers
    .dense({ units: 32, name: 'hidden', kernelInitializer: normal(seed++), biasInitializer: normal(seed++) })
    .apply(joined) as tf.SymbolicTensor;
  const output = tf.layers
    .dense({ units: 10, name: 'head', kernelInitializer: normal(seed++), biasInitializer: normal(seed++) })
    .apply(hidden) as tf.SymbolicTensor;
  return tf.model({ inputs: [tokens, sequence, image], outputs: output, name: 'zoo' });
}
