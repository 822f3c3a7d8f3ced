// HTSR on a real tfjs checkpoint: one row per Dense / Conv / Embedding layer, each matching the
// same matrices analysed on a second path, as PyTorch-layout weights (Dense kernels transposed
// to (out, in), Conv2D (kh, kw, in, out) to (out, in, kh, kw), Conv1D (k, in, out) to a (out, in,
// 1, k) Conv2d without the Conv2d scaling); depthwise kernels and batch norm are skipped, each
// with its tensors and a reason.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyze, readWeights, Tensor, WeightSet } from 'weightlab/internal';
import { tempDir } from '../io/helpers';
import { layerZoo, saveArtifacts, writeModelJson } from '../io/tfjs-models';

/** A Keras kernel moved to PyTorch's layout: axes permuted so that (..., in, out) becomes (out, in, ...). */
function torchLayout(kernel: Tensor): Tensor {
  const rank = kernel.rank;
  if (rank === 2) return kernel.transpose().contiguous();
  const spatial = Array.from({ length: rank - 2 }, (_, axis) => axis);
  const permuted = kernel.transpose([rank - 1, rank - 2, ...spatial]).contiguous();
  // Conv1D (out, in, k) becomes a Conv2d (out, in, 1, k): the per-tap slices are the same matrices.
  return rank === 3 ? permuted.reshape([permuted.shape[0], permuted.shape[1], 1, permuted.shape[2]]) : permuted;
}

test('HTSR on a tfjs model: a row per dense/conv/embedding layer, alpha equal to the torch-layout analysis', async () => {
  const dir = tempDir();
  writeModelJson(dir, await saveArtifacts(layerZoo()));
  const weights = readWeights(dir);
  const result = await analyze(weights, { progress: false });
  assert.deepEqual(
    result
      .rows()
      .map((row) => [row.name, row.layer_type])
      .sort(),
    [
      ['conv', 'conv2d'],
      ['embed', 'embedding'],
      ['head', 'dense'],
      ['hidden', 'dense'],
      ['separable', 'conv2d'],
      ['seq_conv', 'conv1d'],
    ],
  );
  const skipped = Object.fromEntries(result.skipped.map((s) => [s.name, s]));
  assert.deepEqual(Object.keys(skipped).sort(), ['bn', 'depthwise', 'separable/depthwise_kernel']);
  assert.match(skipped.depthwise.reason, /depthwise kernel \[3, 3, 16, 2\]/);
  assert.deepEqual(skipped.depthwise.tensors, ['depthwise/depthwise_kernel', 'depthwise/bias']);
  assert.match(skipped.bn.reason, /norm layers are not analysed/);
  assert.deepEqual(skipped.bn.tensors.sort(), ['bn/beta', 'bn/gamma', 'bn/moving_mean', 'bn/moving_variance']);
  assert.match(
    result.toString(),
    /6 layers analysed, 3 skipped[\s\S]*depthwise \[depthwise\/depthwise_kernel, depthwise\/bias\]: depthwise kernel/,
  );

  // The second path: the same kernels as a PyTorch state dict.
  const torch = new WeightSet(
    result.rows().map((row) => {
      const layer = weights.layers.find((l) => l.name === row.name)!;
      const kernel = weights.get(layer.weight);
      return [`${String(row.name)}.weight`, layer.kind === 'embedding' ? kernel : torchLayout(kernel)] as [
        string,
        Tensor,
      ];
    }),
  );
  const oracle = await analyze(torch, { progress: false });
  const unscaled = await analyze(torch, { progress: false, conv2dNorm: false });
  assert.deepEqual(
    oracle.rows().map((row) => row.name),
    result.rows().map((row) => row.name),
  );
  for (const ours of result.rows()) {
    const conv1d = ours.layer_type === 'conv1d';
    const theirs = (conv1d ? unscaled : oracle).rows().find((row) => row.name === ours.name)!;
    assert.equal(theirs.layer_type, conv1d ? 'conv2d' : ours.layer_type, String(ours.name));
    for (const column of ['N', 'M', 'rf', 'num_evals', 'num_pl_spikes', 'status'] as const)
      assert.equal(ours[column], theirs[column], `${ours.name} ${column}`);
    for (const column of ['alpha', 'D', 'xmin', 'lambda_max', 'alpha_weighted', 'log_norm', 'stable_rank'] as const) {
      const [a, b] = [ours[column] as number, theirs[column] as number];
      assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${ours.name} ${column}: ${a} vs ${b}`);
    }
    assert.ok((ours.alpha as number) > 1, `${ours.name} alpha ${ours.alpha}`);
  }
});

test('nothing analysable: the result has no rows and says which tensors were skipped and why', async () => {
  const vector = (length: number) => new Tensor('float32', new Float32Array(length).fill(1), [length]);
  const result = await analyze(
    new WeightSet({
      'bn/gamma': vector(8),
      'bn/beta': vector(8),
      'bn/moving_mean': vector(8),
      'bn/moving_variance': vector(8),
      'dw/depthwise_kernel': new Tensor('float32', new Float32Array(3 * 3 * 8).fill(0.5), [3, 3, 8, 1]),
    }),
    { progress: false },
  );
  assert.equal(result.layers.length, 0);
  assert.deepEqual(result.summary(), {});
  assert.deepEqual(
    result.skipped.map((s) => [s.name, s.tensors]),
    [
      ['bn', ['bn/gamma', 'bn/beta', 'bn/moving_mean', 'bn/moving_variance']],
      ['dw', ['dw/depthwise_kernel']],
    ],
  );
  assert.equal(
    result.toString(),
    [
      'HTSR analysis: no layer analysed, 2 skipped',
      'skipped:',
      '  bn [bn/gamma, bn/beta, bn/moving_mean, bn/moving_variance]: norm layers are not analysed',
      '  dw [dw/depthwise_kernel]: depthwise kernel [3, 3, 8, 1] (one filter per input channel): no in -> out matrix to analyse',
    ].join('\n'),
  );
});
