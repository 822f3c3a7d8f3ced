// Hugging Face model folders as one checkpoint: what `save_pretrained` writes (`config.json` next to
// `model.safetensors`, shards listed by `model.safetensors.index.json`, or the older `pytorch_model.bin`
// and its index), the hub cache's layout (`models--org--name/snapshots/REV/` whose files are symlinks
// into `models--org--name/blobs/`), and PEFT LoRA adapter folders (`adapter_config.json` +
// `adapter_model.safetensors`). `config.json` matters for the layer list: a language model whose output
// head is tied to its input embedding (`tie_word_embeddings`, true unless the config says otherwise) has
// one matrix, not two, so the head is dropped when the file stores it (torch.save keeps both names; the
// safetensors writer already drops it) and the tie is recorded in the metadata.
//
// Containment rule: every file is opened through `containedPath`, so nothing outside the folder the user
// named is read, with the hub cache's one exception: inside `models--org--name/`, symlinks from
// `snapshots/REV/` into that same repository folder (its `blobs/`) are followed; a link leading anywhere
// else is a FormatError naming the link.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArgumentError, FormatError } from '../errors';
import { WeightSet } from '../weights/weight-set';
import { containedPath } from './containment';
import { readSafetensors, readSafetensorsIndex } from './safetensors';
import { readTorch, type TorchReadOptions } from './torch';

/** The weight files `save_pretrained` writes, in the order transformers itself prefers them. */
const MODEL_FILES = [
  'model.safetensors.index.json',
  'model.safetensors',
  'pytorch_model.bin.index.json',
  'pytorch_model.bin',
] as const;
/** PEFT adapter weights, newest format first. */
const ADAPTER_FILES = ['adapter_model.safetensors', 'adapter_model.bin'] as const;

/** Hub cache repository folders, as the hub client names them. */
const HUB_REPOSITORY = /^(models|datasets|spaces)--./;
/** A revision folder name: a commit hash or a branch/tag name without path separators. */
const REVISION = /^[A-Za-z0-9._-]+$/;

/** Output heads that transformers ties to the input embedding when `tie_word_embeddings` holds. */
const TIED_HEADS = ['lm_head.weight', 'cls.predictions.decoder.weight', 'pred_layer.proj.weight'];
/** Input embeddings, by the names the common architectures give them. */
const INPUT_EMBEDDING = /(^|\.)(wte|embed_tokens|word_embeddings|tok_embeddings|embed_in|shared)\.weight$/;

export interface HuggingFaceReadOptions extends TorchReadOptions {
  /**
   * In a hub cache repository folder (`models--org--name/`), the snapshot to read: a folder name under
   * `snapshots/` or a branch named in `refs/`.
   * @default 'main' when `refs/main` exists, else the only snapshot (several without `refs/main` is an error)
   */
  revision?: string;
}

/** What config.json says about the model, as far as weights are concerned (the whole file is kept too). */
export interface HuggingFaceConfig {
  /** `architectures[0]`, e.g. 'GPT2LMHeadModel'. */
  architecture?: string;
  /** `model_type`, e.g. 'gpt2', 'bert', 'llama'. */
  modelType?: string;
  /** `tie_word_embeddings` (transformers' default when absent: true). */
  tieWordEmbeddings: boolean;
  /** config.json as parsed. */
  raw: Record<string, unknown>;
}

function readJson(folder: string, name: string, referrer: string): Record<string, unknown> {
  const file = containedPath(folder, name, { file: referrer, field: name });
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new FormatError(`cannot read ${name}: ${(error as Error).message}`, { file });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new FormatError(`${name} must hold a JSON object`, { file, expected: 'an object', found: typeof value });
  return value as Record<string, unknown>;
}

function exists(folder: string, name: string): boolean {
  try {
    fs.lstatSync(path.join(folder, name));
    return true;
  } catch {
    return false;
  }
}

/** True for a hub cache repository folder (`models--org--name` with a `snapshots/` folder). */
function isHubRepository(folder: string): boolean {
  return HUB_REPOSITORY.test(path.basename(path.resolve(folder))) && exists(folder, 'snapshots');
}

/** True for a folder with Hugging Face weights (or an adapter), or a hub cache repository. */
export function isHuggingFaceFolder(folder: string): boolean {
  if (isHubRepository(folder)) return true;
  return ['adapter_config.json', ...MODEL_FILES].some((name) => exists(folder, name));
}

/** The snapshot folder of a hub cache repository: the revision asked for, `refs/main`, or the only one. */
export function hubSnapshot(repository: string, revision?: string): string {
  const snapshots = path.join(repository, 'snapshots');
  let available: string[];
  try {
    available = fs.readdirSync(snapshots).sort();
  } catch (error) {
    throw new FormatError(`cannot list the snapshots: ${(error as Error).message}`, { file: snapshots });
  }
  let chosen = revision;
  if (chosen !== undefined && !available.includes(chosen) && exists(path.join(repository, 'refs'), chosen))
    chosen = fs.readFileSync(containedPath(repository, `refs/${chosen}`, { file: repository }), 'utf8').trim();
  else if (chosen === undefined && exists(path.join(repository, 'refs'), 'main'))
    chosen = fs.readFileSync(containedPath(repository, 'refs/main', { file: repository }), 'utf8').trim();
  else if (chosen === undefined && available.length === 1) chosen = available[0];
  if (chosen === undefined)
    throw new ArgumentError('the hub cache repository has several snapshots and no refs/main: pass { revision }', {
      file: repository,
      field: 'revision',
      expected: available.join(', ') || 'a snapshot folder',
    });
  if (!REVISION.test(chosen) || !available.includes(chosen)) {
    // A revision the caller named is a wrong argument; one that refs/ names is a broken cache.
    const Fault = chosen === revision ? ArgumentError : FormatError;
    throw new Fault('no such snapshot in the hub cache repository', {
      file: snapshots,
      field: chosen === revision ? 'revision' : `refs/${revision ?? 'main'}`,
      expected: available.join(', ') || 'a snapshot folder',
      found: chosen,
    });
  }
  return path.join(snapshots, chosen);
}

/** The weights-relevant fields of a config.json object. */
export function huggingFaceConfig(raw: Record<string, unknown>): HuggingFaceConfig {
  const architectures = raw.architectures;
  return {
    architecture: Array.isArray(architectures) && typeof architectures[0] === 'string' ? architectures[0] : undefined,
    modelType: typeof raw.model_type === 'string' ? raw.model_type : undefined,
    tieWordEmbeddings: raw.tie_word_embeddings !== false,
    raw,
  };
}

/**
 * Drops a tied output head that repeats the input embedding (same shape), so layer lists and spectral
 * analysis see the one matrix the model has. Returns the set and the ties found, head -> embedding,
 * including heads the file left out (safetensors files never store both).
 */
function untie(weights: WeightSet, config: HuggingFaceConfig): { weights: WeightSet; tied: Record<string, string> } {
  if (!config.tieWordEmbeddings) return { weights, tied: {} };
  const embeddings = weights.names.filter((name) => INPUT_EMBEDDING.test(name));
  if (embeddings.length !== 1) return { weights, tied: {} };
  const [embedding] = embeddings;
  const embeddingShape = weights.info(embedding).shape.join('x');
  const tied: Record<string, string> = {};
  const drop = new Set<string>();
  for (const head of TIED_HEADS) {
    if (!weights.has(head)) continue;
    if (weights.info(head).shape.join('x') !== embeddingShape) continue; // not the embedding's transpose-free twin
    tied[head] = embedding;
    drop.add(head);
  }
  // A causal LM saved to safetensors has no head tensor at all: say where it went.
  if (drop.size === 0 && config.architecture !== undefined && /ForCausalLM$|LMHeadModel$/.test(config.architecture))
    tied['lm_head.weight'] = embedding;
  return { weights: drop.size > 0 ? weights.filter((name) => !drop.has(name)) : weights, tied };
}

/** The weights of a model folder (not an adapter): the first of MODEL_FILES present. */
function readModelFiles(folder: string, readOptions: TorchReadOptions): WeightSet {
  // transformers' names are canonical (the index and adapters refer to them): no shared prefix is stripped.
  const options: TorchReadOptions = { stripPrefix: false, ...readOptions };
  const name = MODEL_FILES.find((candidate) => exists(folder, candidate));
  if (name === undefined)
    throw new FormatError('a Hugging Face folder without weights', {
      file: folder,
      expected: [...MODEL_FILES, ...ADAPTER_FILES].join(', '),
      found: safeListing(folder),
    });
  const file = containedPath(folder, name, { file: folder, field: name });
  if (name === 'model.safetensors') return readSafetensors(file);
  if (name === 'pytorch_model.bin') return readTorch(file, options);
  return readSafetensorsIndex(
    file,
    name.startsWith('pytorch') ? (shard) => readTorch(shard, options) : readSafetensors,
  );
}

/** The same tensors (still lazy) under new metadata. */
function withMetadata(weights: WeightSet, metadata: Record<string, unknown>): WeightSet {
  const copy = weights.filter(() => true);
  for (const key of Object.keys(copy.metadata)) delete copy.metadata[key];
  return Object.assign(copy.metadata, metadata) && copy;
}

function safeListing(folder: string): string {
  try {
    return fs.readdirSync(folder).slice(0, 10).join(', ') || 'an empty folder';
  } catch {
    return 'an unreadable folder';
  }
}

/**
 * Reads a Hugging Face folder: a `save_pretrained` model folder, a hub cache repository or one of its
 * snapshots, or a PEFT adapter folder (the adapter's own tensors; merge them into a base model with
 * `mergeAdapter`). Metadata: `format` 'huggingface' (or 'peft-adapter'), `folder`, `weightFile`,
 * `huggingFace` (architecture, modelType, tieWordEmbeddings, config) and `tiedWeights` (head -> embedding).
 */
export function readHuggingFace(folder: string, options: HuggingFaceReadOptions = {}): WeightSet {
  const { revision, ...torchOptions } = options;
  if (revision !== undefined && !isHubRepository(folder))
    throw new ArgumentError('revision applies to hub cache repository folders (models--org--name)', {
      file: folder,
      field: 'revision',
      found: revision,
    });
  const root = isHubRepository(folder) ? hubSnapshot(folder, revision) : folder;
  if (exists(root, 'adapter_config.json')) return readAdapter(root, torchOptions);
  const raw = exists(root, 'config.json') ? readJson(root, 'config.json', root) : undefined;
  const config = huggingFaceConfig(raw ?? {});
  const read = readModelFiles(root, torchOptions);
  const { weights, tied } = raw === undefined ? { weights: read, tied: {} } : untie(read, config);
  return withMetadata(weights, {
    ...read.metadata,
    format: 'huggingface',
    folder: root,
    weightFile: read.metadata.file,
    weightFormat: read.metadata.format,
    ...(raw !== undefined
      ? {
          huggingFace: {
            architecture: config.architecture,
            modelType: config.modelType,
            tieWordEmbeddings: config.tieWordEmbeddings,
            config: raw,
          },
        }
      : {}),
    ...(Object.keys(tied).length > 0 ? { tiedWeights: tied } : {}),
  });
}

/** A PEFT adapter folder's tensors, as stored; `metadata.adapterConfig` holds adapter_config.json. */
export function readAdapter(folder: string, options: TorchReadOptions = {}): WeightSet {
  const adapterConfig = readJson(folder, 'adapter_config.json', folder);
  const name = ADAPTER_FILES.find((candidate) => exists(folder, candidate));
  if (name === undefined)
    throw new FormatError('an adapter folder without adapter weights', {
      file: folder,
      expected: ADAPTER_FILES.join(' or '),
      found: safeListing(folder),
    });
  const file = containedPath(folder, name, { file: folder, field: name });
  const weights = name.endsWith('.safetensors')
    ? readSafetensors(file)
    : readTorch(file, { stripPrefix: false, ...options });
  return withMetadata(weights, {
    ...weights.metadata,
    format: 'peft-adapter',
    folder,
    weightFile: file,
    adapterConfig,
  });
}
