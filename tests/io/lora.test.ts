// PEFT LoRA adapters merged into their base: the merged weights must equal torch's float64
// W + scale·(B@A) (transposed for GPT-2's Conv1D under fan_in_fan_out and for embeddings; scale
// alpha/r, or alpha/sqrt(r) with rsLoRA and a rank_pattern override) to 1e-12, every other tensor
// must be the base's bit for bit, and adapters that do not fit their config or base fail typed.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArgumentError, FormatError, io, loadWeights, ShapeError, WeightlabError, type WeightSet } from 'weightlab';
import { huggingFaceFixtures } from './huggingface-fixtures';
import { tempDir } from './helpers';

function assertMerged(merged: WeightSet, adapter: 'lora' | 'rslora'): void {
  const { oracle } = huggingFaceFixtures();
  const expected = oracle.merged[adapter];
  assert.deepEqual(merged.names, Object.keys(oracle.base));
  for (const name of merged.names) {
    const values = merged.get(name).toFloat64();
    if (name in expected) {
      let worst = 0;
      for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(values[i] - expected[name][i]));
      assert.ok(worst <= 1e-12, `${name}: max |merged - torch| = ${worst}`);
      // And the merge changed the weight (an adapter that were ignored would fail here).
      assert.notDeepEqual([...values], oracle.base[name], name);
    } else assert.deepEqual([...values], oracle.base[name], name);
  }
}

test('loadWeights(adapter, { merge: base }): Conv1D modules with fan_in_fan_out, scale alpha/r', async () => {
  const { root } = huggingFaceFixtures();
  const merged = await loadWeights(path.join(root, 'lora'), { merge: path.join(root, 'base') });
  assertMerged(merged, 'lora');
  const record = merged.metadata.mergedAdapter as { modules: { module: string; scale: number }[] };
  assert.deepEqual(record.modules.map((module) => module.module).sort(), [
    'transformer.h.0.attn.c_attn',
    'transformer.h.0.attn.c_proj',
    'transformer.h.1.attn.c_attn',
    'transformer.h.1.attn.c_proj',
  ]);
  assert.ok(record.modules.every((module) => module.scale === 8 / 4));
});

test('an adapter_model.bin (torch.save) merges the same way', async () => {
  const { root } = huggingFaceFixtures();
  assertMerged(await loadWeights(path.join(root, 'lora-bin'), { merge: path.join(root, 'base') }), 'lora');
});

test('io.mergeAdapter: rsLoRA (alpha/sqrt(r)) on an embedding and a Linear head with a rank_pattern', async () => {
  const { root } = huggingFaceFixtures();
  const base = await loadWeights(path.join(root, 'base'));
  const adapter = await loadWeights(path.join(root, 'rslora'));
  assert.equal(adapter.metadata.format, 'peft-adapter');
  assert.ok(adapter.has('base_model.model.score.lora_A.weight'));
  assertMerged(io.mergeAdapter(base, adapter), 'rslora');
  // The base WeightSet itself is a valid `merge` too.
  assertMerged(await loadWeights(path.join(root, 'rslora'), { merge: base }), 'rslora');
});

/** A copy of an adapter folder with its adapter_config.json edited. */
function adapterCopy(name: string, edit: (config: Record<string, unknown>) => void): string {
  const { root } = huggingFaceFixtures();
  const folder = path.join(tempDir('weightlab-lora-'), name);
  fs.cpSync(path.join(root, name), folder, { recursive: true });
  const file = path.join(folder, 'adapter_config.json');
  const config = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(config);
  fs.writeFileSync(file, JSON.stringify(config));
  return folder;
}

async function rejectsWith(folder: string, type: new (...args: never[]) => WeightlabError, field: string) {
  const { root } = huggingFaceFixtures();
  await assert.rejects(loadWeights(folder, { merge: path.join(root, 'base') }), (error: unknown) => {
    assert.ok(error instanceof type, String(error));
    assert.equal((error as WeightlabError).details.field, field);
    return true;
  });
}

test('an r that does not match the factors is a FormatError naming the adapter tensor', async () => {
  await rejectsWith(
    adapterCopy('lora', (config) => (config.r = 5)),
    FormatError,
    'base_model.model.transformer.h.0.attn.c_attn.lora_A.weight',
  );
});

test('fan_in_fan_out left out on Conv1D weights: B·A has the transposed shape, a ShapeError', async () => {
  await rejectsWith(
    adapterCopy('lora', (config) => (config.fan_in_fan_out = false)),
    ShapeError,
    'base_model.model.transformer.h.0.attn.c_attn.lora_A.weight',
  );
});

test('modules outside target_modules, DoRA and non-LoRA adapters are refused', async () => {
  await rejectsWith(
    adapterCopy('lora', (config) => (config.target_modules = ['c_attn'])),
    FormatError,
    'base_model.model.transformer.h.0.attn.c_proj.lora_A.weight',
  );
  await rejectsWith(
    adapterCopy('lora', (config) => (config.use_dora = true)),
    FormatError,
    'use_dora',
  );
  await rejectsWith(
    adapterCopy('lora', (config) => (config.peft_type = 'IA3')),
    FormatError,
    'peft_type',
  );
});

test('an adapter for modules the base lacks, and merge on a model folder, are typed errors', async () => {
  const { root } = huggingFaceFixtures();
  // The GPT-2 LM folder has no `score` head.
  await assert.rejects(
    loadWeights(path.join(root, 'rslora'), { merge: path.join(root, 'single') }),
    (error: unknown) => {
      assert.ok(error instanceof FormatError);
      assert.equal(error.details.field, 'base_model.model.score.lora_A.weight');
      return true;
    },
  );
  await assert.rejects(loadWeights(path.join(root, 'single'), { merge: path.join(root, 'base') }), ArgumentError);
});
