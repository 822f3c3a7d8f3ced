// `weightlab htsr` on tfjs checkpoints as a user runs it: a model.json prints one row per
// dense/conv layer (and --json one object per row); a checkpoint with nothing analysable exits 1
// and lists every skipped layer, its tensors and why, instead of an empty table with exit 0.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, temporaryFolder } from '../support/paths';
import { layerZoo, saveArtifacts, tf, writeModelJson, writeWeightsManifest } from '../io/tfjs-models';

test('weightlab htsr on a tfjs model.json prints its dense/conv/embedding layers', async () => {
  const folder = temporaryFolder('htsr-tfjs');
  try {
    const modelJson = writeModelJson(folder, await saveArtifacts(layerZoo()));
    const text = runCli(['htsr', modelJson]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /^HTSR analysis: 6 layers analysed, 3 skipped; mean alpha \d/);
    const tableNames = text.stdout
      .split('\n')
      .slice(2, 8)
      .map((line) => line.split(/\s+/)[1]);
    assert.deepEqual(tableNames.sort(), ['conv', 'embed', 'head', 'hidden', 'separable', 'seq_conv']);
    assert.match(
      text.stdout,
      /skipped:\n {2}bn \[bn\/gamma, bn\/beta, bn\/moving_mean, bn\/moving_variance\]: norm layers are not analysed/,
    );
    const json = runCli(['htsr', folder, '--json']);
    assert.equal(json.status, 0, json.stderr);
    const rows = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(rows.map((row) => row.layer_type).sort(), [
      'conv1d',
      'conv2d',
      'conv2d',
      'dense',
      'dense',
      'embedding',
    ]);
    assert.ok(rows.every((row) => typeof row.alpha === 'number' && (row.alpha as number) > 1));
    assert.match(json.stderr, /skipped depthwise \[depthwise\/depthwise_kernel, depthwise\/bias\]: depthwise kernel/);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
});

test('weightlab htsr exits 1 and lists the reasons when nothing can be analysed', async () => {
  const folder = temporaryFolder('htsr-nothing');
  try {
    // A weights manifest of a batch norm, a depthwise kernel and a Dense layer too small for minEvals.
    const manifest = await writeWeightsManifest(folder, 'weights_manifest.json', {
      'bn/gamma': tf.ones([8]),
      'bn/beta': tf.zeros([8]),
      'bn/moving_mean': tf.zeros([8]),
      'bn/moving_variance': tf.ones([8]),
      'dw/depthwise_kernel': tf.randomNormal([3, 3, 8, 1], 0, 1, 'float32', 1),
      'tiny/kernel': tf.randomNormal([8, 4], 0, 1, 'float32', 2),
      'tiny/bias': tf.zeros([4]),
    });
    for (const target of [manifest, folder]) {
      const result = runCli(['htsr', target]);
      assert.equal(result.status, 1, result.stdout);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, /no layer of .* could be analysed \(3 skipped\)/);
      assert.match(
        result.stderr,
        /bn \[bn\/gamma, bn\/beta, bn\/moving_mean, bn\/moving_variance\]: norm layers are not analysed/,
      );
      assert.match(result.stderr, /dw \[dw\/depthwise_kernel\]: depthwise kernel \[3, 3, 8, 1\]/);
      assert.match(result.stderr, /tiny \[tiny\/kernel, tiny\/bias\]: M\*rf = 4 < minEvals = 10/);
    }
    // The same file analyses once the filter lets the small layer through.
    const relaxed = runCli(['htsr', manifest, '--min-evals', '2', '--json']);
    assert.equal(relaxed.status, 0, relaxed.stderr);
    assert.equal(relaxed.stdout.trim().split('\n').length, 1);
    // And a file of biases alone (no layer at all) says so per tensor.
    const biases = path.join(folder, 'biases');
    fs.mkdirSync(biases);
    await writeWeightsManifest(biases, 'weights_manifest.json', {
      'a/b': tf.zeros([3]),
      c: tf.zeros([2]),
      words: tf.tensor1d(['x', 'y'], 'string'),
    });
    const none = runCli(['htsr', biases]);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /a\/b: no layer recognised for tensor \[3\]/);
    assert.match(none.stderr, /c: no layer recognised for tensor \[2\]/);
    assert.match(none.stderr, /not read from the file: words \(string\)/);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
});
