// `weightlab htsr` with WeightWatcher's other layer iterators as a shell user runs them: --no-pool
// gives kh·kw rows for a Conv2d kernel (one per slice), --vectors adds the eigenvector columns, --peft analyses a LoRA adapter's delta B·A
// alone (r eigenvalues: its rank), and the flags that exclude each other are usage errors (exit 2).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { rng, Tensor, writeNpy, writeSafetensors } from 'weightlab/internal';
import { runCli, temporaryFolder } from '../support/paths';

function jsonRows(stdout: string): Record<string, unknown>[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

test('weightlab htsr --no-pool prints one row per Conv2d slice', () => {
  const folder = temporaryFolder('htsr-slices');
  try {
    const file = path.join(folder, 'conv.npy');
    writeNpy(file, new Tensor('float32', Float32Array.from(rng(3).normal(24 * 16 * 3 * 3)), [24, 16, 3, 3]));
    const pooled = runCli(['htsr', file, '--json']);
    assert.equal(pooled.status, 0, pooled.stderr);
    assert.equal(jsonRows(pooled.stdout).length, 1);
    const sliced = runCli(['htsr', file, '--json', '--no-pool']);
    assert.equal(sliced.status, 0, sliced.stderr);
    const rows = jsonRows(sliced.stdout);
    assert.deepEqual(
      rows.map((row) => row.slice_id),
      [0, 1, 2, 3, 4, 5, 6, 7, 8],
    );
    assert.ok(rows.every((row) => row.rf === 9 && row.num_evals === 16 && row.M === 16));
    // --vectors: for a unit vector of length n, 1 <= ‖v‖₁/‖v‖∞ <= n and 1 <= ‖v‖₂/‖v‖₄ <= n^(1/4).
    const vectors = runCli(['htsr', file, '--json', '--vectors']);
    assert.equal(vectors.status, 0, vectors.stderr);
    const [row] = jsonRows(vectors.stdout);
    const n = row.M as number;
    for (const side of ['bulk', 'tail']) {
      const localization = row[`${side}_mean_loc_ratio`] as number;
      const participation = row[`${side}_mean_part_ratio`] as number;
      assert.ok(localization >= 1 && localization <= n, `${side} loc_ratio ${localization}`);
      assert.ok(participation >= 1 && participation <= n ** 0.25, `${side} part_ratio ${participation}`);
    }
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
});

test('weightlab htsr --peft analyses the adapter delta B·A with r eigenvalues', () => {
  const folder = temporaryFolder('htsr-peft');
  try {
    const file = path.join(folder, 'adapter_model.safetensors');
    const random = rng(5);
    const rank = 12;
    writeSafetensors(file, {
      'base_model.model.layers.0.q_proj.lora_A.weight': new Tensor(
        'float32',
        Float32Array.from(random.normal(rank * 40)),
        [rank, 40],
      ),
      'base_model.model.layers.0.q_proj.lora_B.weight': new Tensor(
        'float32',
        Float32Array.from(random.normal(48 * rank)),
        [48, rank],
      ),
    });
    const result = runCli(['htsr', file, '--json', '--peft']);
    assert.equal(result.status, 0, result.stderr);
    const rows = jsonRows(result.stdout);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].name, 'base_model.model.layers.0.q_proj.lora_BA');
    assert.equal(rows[0].peft, true);
    // B·A is 48 x 40 of rank r: r non-zero eigenvalues, all of them kept, none lost.
    assert.deepEqual([rows[0].N, rows[0].M, rows[0].num_evals, rows[0].rank_loss], [48, 40, rank, 0]);
    const clash = runCli(['htsr', file, '--peft', '--peft-with-base']);
    assert.equal(clash.status, 2);
    assert.match(clash.stderr, /--peft and --peft-with-base exclude each other/);
    const intraPeft = runCli(['htsr', file, '--intra', '--peft']);
    assert.equal(intraPeft.status, 2);
    assert.match(intraPeft.stderr, /intra cannot be combined with peft/);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
});
