// Hugging Face folders read as one checkpoint: a tiny GPT-2 saved by independent tools (numpy's
// safetensors writer from the spec, torch.save) as a single file, two shards + index, a
// pytorch_model.bin with its tied head, and a hub cache snapshot of symlinks into blobs/. Each must
// give the tensors numpy holds, bit for bit; the tied head must not be a second layer; hostile
// folders (missing shard, unlisted tensor, a tensor in two shards, a link out of the cache) fail typed.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze, ArgumentError, FormatError, loadWeights, type WeightSet } from 'weightlab';
import { readSafetensors, writeSafetensors } from 'weightlab/internal';
import { huggingFaceFixtures } from './huggingface-fixtures';
import { tempDir } from './helpers';

const BIN = path.resolve(__dirname, '..', '..', '..', 'kernel', 'bin', 'weightlab.js');
const REVISION = '0123456789abcdef0123456789abcdef01234567';
const TIED = { 'lm_head.weight': 'transformer.wte.weight' };

function assertBitEqual(weights: WeightSet, expectedNames: string[]): void {
  const { oracle } = huggingFaceFixtures();
  assert.deepEqual([...weights.names].sort(), [...expectedNames].sort());
  for (const name of expectedNames) {
    const tensor = weights.get(name);
    const expected = oracle.tensors[name === 'lm_head.weight' ? 'transformer.wte.weight' : name];
    assert.equal(tensor.dtype, 'float32', name);
    assert.deepEqual([...tensor.shape], expected.shape, name);
    assert.deepEqual([...tensor.toFloat64()], expected.values, name);
  }
}

const modelNames = () => Object.keys(huggingFaceFixtures().oracle.tensors);

test('a save_pretrained folder with one model.safetensors reads bit-equal, config.json in the metadata', async () => {
  const { root } = huggingFaceFixtures();
  const weights = await loadWeights(path.join(root, 'single'));
  assertBitEqual(weights, modelNames());
  assert.equal(weights.metadata.format, 'huggingface');
  assert.equal(weights.metadata.weightFormat, 'safetensors');
  const config = weights.metadata.huggingFace as Record<string, unknown>;
  assert.equal(config.architecture, 'GPT2LMHeadModel');
  assert.equal(config.modelType, 'gpt2');
  assert.equal(config.tieWordEmbeddings, true);
  // The file has no head (the safetensors writer drops tied tensors): the metadata says where it went.
  assert.deepEqual(weights.metadata.tiedWeights, TIED);
});

test('two shards and model.safetensors.index.json read as one set, in index order', async () => {
  const { root } = huggingFaceFixtures();
  const weights = await loadWeights(path.join(root, 'sharded'));
  assertBitEqual(weights, modelNames());
  const index = JSON.parse(fs.readFileSync(path.join(root, 'sharded', 'model.safetensors.index.json'), 'utf8'));
  assert.deepEqual(weights.names, Object.keys(index.weight_map));
  assert.equal(weights.metadata.weightFormat, 'safetensors-sharded');
});

test('pytorch_model.bin: the tied lm_head (same storage as wte) is dropped; with tie_word_embeddings false it stays', async () => {
  const { root } = huggingFaceFixtures();
  const tied = await loadWeights(path.join(root, 'torch'));
  assertBitEqual(tied, modelNames());
  assert.deepEqual(tied.metadata.tiedWeights, TIED);
  const untied = await loadWeights(path.join(root, 'untied'));
  assertBitEqual(untied, [...modelNames(), 'lm_head.weight']);
  assert.equal(untied.metadata.tiedWeights, undefined);
});

test('pytorch_model.bin shards and their index read as one set; the tied head is dropped there too', async () => {
  const { root } = huggingFaceFixtures();
  const weights = await loadWeights(path.join(root, 'torch-sharded'));
  assertBitEqual(weights, modelNames());
  assert.equal(weights.metadata.weightFormat, 'sharded');
  assert.deepEqual(weights.metadata.tiedWeights, TIED);
});

test('hub cache: the repository folder and its snapshot read through the symlinks into blobs/', async () => {
  const { root } = huggingFaceFixtures();
  const repository = path.join(root, 'hub', 'models--tiny--gpt2');
  const viaRoot = await loadWeights(repository);
  assertBitEqual(viaRoot, modelNames());
  assert.equal(viaRoot.metadata.folder, path.join(repository, 'snapshots', REVISION));
  assertBitEqual(await loadWeights(path.join(repository, 'snapshots', REVISION)), modelNames());
  assertBitEqual(await loadWeights(repository, { revision: 'main' }), modelNames());
  assertBitEqual(await loadWeights(repository, { revision: REVISION }), modelNames());
  await assert.rejects(loadWeights(repository, { revision: 'deadbeef' }), (error: unknown) => {
    assert.ok(error instanceof ArgumentError);
    assert.equal(error.details.found, 'deadbeef');
    assert.match(String(error.details.expected), new RegExp(REVISION));
    return true;
  });
});

test('a refs/main naming no snapshot is a FormatError naming refs/main', async () => {
  const { root } = huggingFaceFixtures();
  const repository = path.join(tempDir('weightlab-hf-refs-'), 'models--tiny--gpt2');
  fs.cpSync(path.join(root, 'hub', 'models--tiny--gpt2'), repository, { recursive: true, verbatimSymlinks: true });
  fs.writeFileSync(path.join(repository, 'refs', 'main'), '../../../etc');
  await assert.rejects(loadWeights(repository), (error: unknown) => {
    assert.ok(error instanceof FormatError);
    assert.equal(error.details.field, 'refs/main');
    assert.equal(error.details.found, '../../../etc');
    return true;
  });
});

test('HTSR on the folders: the layers of the model, the tied head not counted twice', async () => {
  const { root, oracle } = huggingFaceFixtures();
  const matrices = Object.entries(oracle.tensors)
    .filter(([, tensor]) => tensor.shape.length === 2)
    .map(([name]) => name.replace(/\.weight$/, ''))
    .sort();
  for (const folder of ['single', 'sharded', 'torch', 'torch-sharded', path.join('hub', 'models--tiny--gpt2')]) {
    const result = await analyze(await loadWeights(path.join(root, folder)));
    assert.deepEqual(result.layers.map((layer) => layer.row.name).sort(), matrices, folder);
  }
  const untied = await analyze(await loadWeights(path.join(root, 'untied')));
  assert.deepEqual(untied.layers.map((layer) => layer.row.name).sort(), [...matrices, 'lm_head'].sort());
});

test('weightlab htsr DIR --json on a pytorch_model.bin folder: one row per layer, no lm_head', () => {
  const { root, oracle } = huggingFaceFixtures();
  const run = spawnSync(process.execPath, [BIN, 'htsr', path.join(root, 'torch'), '--json'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const names = run.stdout
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { name: string }).name);
  const matrices = Object.entries(oracle.tensors).filter(([, tensor]) => tensor.shape.length === 2);
  assert.equal(names.length, matrices.length);
  assert.ok(!names.includes('lm_head'));
});

/** A copy of the sharded folder whose index is rewritten by `edit`. */
function shardedCopy(edit: (weightMap: Record<string, string>, folder: string) => void): string {
  const { root } = huggingFaceFixtures();
  const folder = path.join(tempDir('weightlab-hf-hostile-'), 'model');
  fs.cpSync(path.join(root, 'sharded'), folder, { recursive: true });
  const indexFile = path.join(folder, 'model.safetensors.index.json');
  const index = JSON.parse(fs.readFileSync(indexFile, 'utf8'));
  edit(index.weight_map, folder);
  fs.writeFileSync(indexFile, JSON.stringify(index));
  return folder;
}

test('an index naming a missing shard is a FormatError naming the index and the entry', async () => {
  const folder = shardedCopy((map) => {
    map['transformer.extra.weight'] = 'model-00003-of-00003.safetensors';
  });
  await assert.rejects(loadWeights(folder), (error: unknown) => {
    assert.ok(error instanceof FormatError);
    assert.equal(error.details.file, path.join(folder, 'model.safetensors.index.json'));
    assert.equal(error.details.field, 'weight_map.transformer.extra.weight');
    return true;
  });
});

test('a shard holding a tensor the index does not list is a FormatError naming the shard and tensor', async () => {
  let shard = '';
  const folder = shardedCopy((map) => {
    shard = map['transformer.ln_f.bias'];
    delete map['transformer.ln_f.bias'];
  });
  await assert.rejects(loadWeights(folder), (error: unknown) => {
    assert.ok(error instanceof FormatError);
    assert.equal(error.details.file, path.join(folder, shard));
    assert.equal(error.details.field, 'transformer.ln_f.bias');
    assert.equal(error.details.found, 'not listed');
    return true;
  });
});

test('a tensor in two shards is a FormatError naming the shard the index does not send it to', async () => {
  const folder = shardedCopy((map, at) => {
    // A third shard repeating the first shard's wte next to a tensor of its own.
    const first = readSafetensors(path.join(at, map['transformer.wte.weight']));
    writeSafetensors(path.join(at, 'model-extra.safetensors'), {
      'transformer.wte.weight': first.get('transformer.wte.weight'),
      'transformer.extra.weight': first.get('transformer.wpe.weight'),
    });
    map['transformer.extra.weight'] = 'model-extra.safetensors';
  });
  await assert.rejects(loadWeights(folder), (error: unknown) => {
    assert.ok(error instanceof FormatError);
    assert.equal(error.details.file, path.join(folder, 'model-extra.safetensors'));
    assert.equal(error.details.field, 'transformer.wte.weight');
    assert.match(String(error.details.found), /listed under model-00001-of-00002\.safetensors/);
    return true;
  });
});

test('a snapshot symlink escaping the hub repository folder is a FormatError naming the link', async () => {
  const { root } = huggingFaceFixtures();
  const cache = tempDir('weightlab-hf-escape-');
  const repository = path.join(cache, 'models--tiny--gpt2');
  fs.cpSync(path.join(root, 'hub', 'models--tiny--gpt2'), repository, { recursive: true, verbatimSymlinks: true });
  const outside = path.join(cache, 'outside.safetensors');
  fs.copyFileSync(path.join(root, 'single', 'model.safetensors'), outside);
  const link = path.join(repository, 'snapshots', REVISION, 'model.safetensors');
  fs.rmSync(link);
  fs.symlinkSync(path.join('..', '..', '..', 'outside.safetensors'), link);
  for (const named of [repository, path.join(repository, 'snapshots', REVISION)]) {
    await assert.rejects(loadWeights(named), (error: unknown) => {
      assert.ok(error instanceof FormatError);
      assert.equal(error.details.file, link);
      assert.match(String(error.details.expected), /models--tiny--gpt2/);
      return true;
    });
  }
  // The untouched copy still reads: links into the repository's own blobs/ are inside the rule.
  fs.rmSync(link);
  fs.symlinkSync(path.join('..', '..', 'blobs', 'blob-model-safetensors'), link);
  assertBitEqual(await loadWeights(repository), modelNames());
});

test('a model.safetensors symlink out of a plain model folder is refused too', async () => {
  const { root } = huggingFaceFixtures();
  const parent = tempDir('weightlab-hf-plain-');
  const folder = path.join(parent, 'model');
  fs.mkdirSync(folder);
  fs.copyFileSync(path.join(root, 'single', 'config.json'), path.join(folder, 'config.json'));
  fs.symlinkSync(path.join(root, 'single', 'model.safetensors'), path.join(folder, 'model.safetensors'));
  await assert.rejects(loadWeights(folder), (error: unknown) => {
    assert.ok(error instanceof FormatError);
    assert.equal(error.details.file, path.join(folder, 'model.safetensors'));
    return true;
  });
});
