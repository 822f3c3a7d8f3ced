// Keras HDF5 checkpoints as layers: the Keras 2 `model_weights/<layer>/<layer>/<var>:0` layout
// and the Keras 3 `.weights.h5` `layers/<class>/vars/<i>` layout, written here with h5wasm (the
// HDF5 C library) in the group structure each Keras version saves, plus the committed h5py
// fixture. Layer inference must give each Keras layer its kind, its (..., in, out) layout, its
// bias and its norm statistics.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { inferLayers, loadWeights, type Layer } from 'weightlab/internal';
import { FIXTURES, tempDir } from './helpers';

/* eslint-disable @typescript-eslint/no-explicit-any */
const importModule = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<any>;

/** Writes float32 datasets at the given '/'-separated paths (groups made on the way). */
async function writeHdf5(file: string, datasets: [string, number[]][]): Promise<void> {
  const h5 = await importModule('h5wasm/node');
  await h5.ready;
  const handle = new h5.File(file, 'w');
  try {
    for (const [datasetPath, shape] of datasets) {
      const parts = datasetPath.split('/');
      let group = handle;
      for (const part of parts.slice(0, -1))
        group = group.keys().includes(part) ? group.get(part) : (group.create_group(part), group.get(part));
      const size = shape.reduce((a, b) => a * b, 1);
      group.create_dataset({
        name: parts[parts.length - 1],
        data: Float32Array.from({ length: size }, (_, i) => Math.sin(i + 1)),
        shape,
        dtype: '<f',
      });
    }
  } finally {
    handle.close();
  }
}

/** kind, weight, bias, layout and extras of each layer, by name. */
function describe(layers: Layer[]): Record<string, unknown[]> {
  return Object.fromEntries(
    layers.map((layer) => [layer.name, [layer.kind, layer.weight, layer.bias, layer.layout, layer.extras]]),
  );
}

test('Keras 2 HDF5 (model_weights/<layer>/<layer>/<var>:0): Dense, Conv1D/2D, depthwise, separable, embedding, batch norm', async () => {
  const file = path.join(tempDir(), 'model.h5');
  await writeHdf5(file, [
    ['model_weights/dense/dense/kernel:0', [12, 6]],
    ['model_weights/dense/dense/bias:0', [6]],
    ['model_weights/conv1d/conv1d/kernel:0', [3, 4, 5]],
    ['model_weights/conv1d/conv1d/bias:0', [5]],
    ['model_weights/conv2d/conv2d/kernel:0', [3, 3, 2, 5]],
    ['model_weights/conv2d/conv2d/bias:0', [5]],
    ['model_weights/dw/dw/depthwise_kernel:0', [3, 3, 5, 2]],
    ['model_weights/dw/dw/bias:0', [10]],
    ['model_weights/sep/sep/depthwise_kernel:0', [3, 3, 10, 1]],
    ['model_weights/sep/sep/pointwise_kernel:0', [1, 1, 10, 8]],
    ['model_weights/sep/sep/bias:0', [8]],
    ['model_weights/emb/emb/embeddings:0', [40, 6]],
    ['model_weights/bn/bn/gamma:0', [5]],
    ['model_weights/bn/bn/beta:0', [5]],
    ['model_weights/bn/bn/moving_mean:0', [5]],
    ['model_weights/bn/bn/moving_variance:0', [5]],
    ['optimizer_weights/Adam/iter:0', [1]],
  ]);
  const weights = await loadWeights(file);
  const p = (name: string) => `model_weights.${name}`;
  assert.deepEqual(describe(weights.layers), {
    [p('bn.bn')]: [
      'norm',
      p('bn.bn.gamma'),
      p('bn.bn.beta'),
      undefined,
      { moving_mean: p('bn.bn.moving_mean'), moving_variance: p('bn.bn.moving_variance') },
    ],
    [p('conv1d.conv1d')]: ['conv1d', p('conv1d.conv1d.kernel'), p('conv1d.conv1d.bias'), 'in-out', undefined],
    [p('conv2d.conv2d')]: ['conv2d', p('conv2d.conv2d.kernel'), p('conv2d.conv2d.bias'), 'in-out', undefined],
    [p('dense.dense')]: ['linear', p('dense.dense.kernel'), p('dense.dense.bias'), 'in-out', undefined],
    [p('dw.dw')]: ['depthwise', p('dw.dw.depthwise_kernel'), p('dw.dw.bias'), 'in-out', undefined],
    [p('emb.emb')]: ['embedding', p('emb.emb.embeddings'), undefined, undefined, undefined],
    [p('sep.sep.depthwise_kernel')]: ['depthwise', p('sep.sep.depthwise_kernel'), undefined, 'in-out', undefined],
    [p('sep.sep')]: ['conv2d', p('sep.sep.pointwise_kernel'), p('sep.sep.bias'), 'in-out', undefined],
  });
  assert.ok(weights.layers.every((layer) => layer.convention === 'keras'));
});

test('Keras 3 .weights.h5 (layers/<class>/vars/<i>): roles from the class name, bias-free layers, unknown classes by shape', async () => {
  const file = path.join(tempDir(), 'model.weights.h5');
  await writeHdf5(file, [
    ['layers/dense/vars/0', [12, 6]],
    ['layers/dense/vars/1', [6]],
    ['layers/dense_1/vars/0', [6, 4]],
    ['layers/conv1d/vars/0', [3, 4, 5]],
    ['layers/conv1d/vars/1', [5]],
    ['layers/conv2d/vars/0', [3, 3, 2, 5]],
    ['layers/conv2d/vars/1', [5]],
    ['layers/depthwise_conv2d/vars/0', [3, 3, 5, 2]],
    ['layers/depthwise_conv2d/vars/1', [10]],
    ['layers/separable_conv2d/vars/0', [3, 3, 10, 1]],
    ['layers/separable_conv2d/vars/1', [1, 1, 10, 8]],
    ['layers/separable_conv2d/vars/2', [8]],
    ['layers/embedding/vars/0', [40, 6]],
    ['layers/batch_normalization/vars/0', [5]],
    ['layers/batch_normalization/vars/1', [5]],
    ['layers/batch_normalization/vars/2', [5]],
    ['layers/batch_normalization/vars/3', [5]],
    ['layers/my_projection/vars/0', [6, 9]],
    ['layers/my_projection/vars/1', [9]],
    ['layers/sequential/layers/dense/vars/0', [4, 3]],
  ]);
  const weights = await loadWeights(file);
  const v = (layer: string, index: number) => `layers.${layer}.vars.${index}`;
  assert.deepEqual(describe(weights.layers), {
    'layers.batch_normalization': [
      'norm',
      v('batch_normalization', 0),
      v('batch_normalization', 1),
      undefined,
      { moving_mean: v('batch_normalization', 2), moving_variance: v('batch_normalization', 3) },
    ],
    'layers.conv1d': ['conv1d', v('conv1d', 0), v('conv1d', 1), 'in-out', undefined],
    'layers.conv2d': ['conv2d', v('conv2d', 0), v('conv2d', 1), 'in-out', undefined],
    'layers.dense': ['linear', v('dense', 0), v('dense', 1), 'in-out', undefined],
    'layers.dense_1': ['linear', v('dense_1', 0), undefined, 'in-out', undefined],
    'layers.depthwise_conv2d': ['depthwise', v('depthwise_conv2d', 0), v('depthwise_conv2d', 1), 'in-out', undefined],
    'layers.embedding': ['embedding', v('embedding', 0), undefined, undefined, undefined],
    // An unknown class: a lone matrix is a (in, out) kernel, a vector of its output width its bias.
    'layers.my_projection': ['linear', v('my_projection', 0), v('my_projection', 1), 'in-out', undefined],
    [v('separable_conv2d', 0)]: ['depthwise', v('separable_conv2d', 0), undefined, 'in-out', undefined],
    'layers.separable_conv2d': ['conv2d', v('separable_conv2d', 1), v('separable_conv2d', 2), 'in-out', undefined],
    'layers.sequential.layers.dense': [
      'linear',
      'layers.sequential.layers.dense.vars.0',
      undefined,
      'in-out',
      undefined,
    ],
  });
});

test('the committed h5py Keras 3 fixture: a Dense kernel (in, out) with its bias, and a norm vector', async () => {
  const weights = await loadWeights(path.join(FIXTURES, 'keras.weights.h5'));
  assert.deepEqual(describe(weights.layers), {
    'layers.dense': ['linear', 'layers.dense.vars.0', 'layers.dense.vars.1', 'in-out', undefined],
    'layers.norm': ['norm', 'layers.norm.vars.0', undefined, undefined, undefined],
  });
});

test('only Keras variable names or TensorFlow "/" names switch to the Keras convention', () => {
  const info = (...shape: number[]) => ({ dtype: 'float32' as const, shape });
  const layers = inferLayers([
    ['fc.bias', info(4)],
    ['block.weights', info(3, 4)],
    ['head.kernel', info(4, 2)],
    ['tf/block/weights', info(3, 4)],
  ]);
  assert.deepEqual(
    layers.map((layer) => [layer.name, layer.kind, layer.layout, layer.convention]),
    [
      ['fc.bias', 'other', undefined, undefined],
      // TF-Slim's `weights` is trusted only in '/' names: a PyTorch module may own a parameter of that name.
      ['block.weights', 'other', undefined, undefined],
      ['head', 'linear', 'in-out', 'keras'],
      ['tf/block', 'linear', 'in-out', 'keras'],
    ],
  );
});
