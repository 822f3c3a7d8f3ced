// TensorFlow.js weights: a `model.json` (layers-model or graph-model) whose `weightsManifest`
// lists weight groups, or a bare weights manifest (`weights_manifest.json`,
// `<name>-weights_manifest.json`: the JSON array of groups that `tf.io.loadWeights` reads, as
// many tfjs model packages ship). Each group is a list of shard files holding its weights back
// to back (tfjs cuts shards at 4 MB regardless of tensor boundaries, so a tensor may span two
// files). Quantized weights (uint8/uint16 affine with scale/min, or float16) are dequantized on
// load exactly as tfjs does. string and complex64 weights (lookup tables of graph models) have no
// weightlab dtype: they are stepped over and listed in metadata.skippedWeights.
// Format: tfjs-core src/io/types.ts (WeightsManifestConfig) and io_utils.ts (decodeWeights).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { DTypeError, FormatError } from '../errors';
import { decodeHalf } from '../tensor/dtype';
import { Tensor, sizeOf } from '../tensor/tensor';
import { WeightSet, type TensorEntry } from '../weights/weight-set';
import { FileSource, type ByteSource } from './byte-source';
import { containedPath } from './containment';

interface ManifestWeight {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype?: string; scale?: number; min?: number; original_dtype?: string };
}

interface ManifestGroup {
  paths: string[];
  weights: ManifestWeight[];
}

// Bytes per element of the stored (possibly quantized) dtypes tfjs writes.
const SIZES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, complex64: 8 };

/** A run of shard files read as one address space. */
class ShardChain {
  private readonly starts: number[] = [];
  readonly size: number;
  constructor(readonly sources: ByteSource[]) {
    let at = 0;
    for (const source of sources) {
      this.starts.push(at);
      at += source.size;
    }
    this.size = at;
  }
  read(offset: number, length: number, what: string): Uint8Array {
    const out = new Uint8Array(new ArrayBuffer(length));
    let done = 0;
    for (let i = 0; i < this.sources.length && done < length; i++) {
      const start = this.starts[i];
      const end = start + this.sources[i].size;
      const from = offset + done;
      if (from >= end) continue;
      const take = Math.min(length - done, end - from);
      out.set(this.sources[i].read(from - start, take, what), done);
      done += take;
    }
    return out;
  }
}

/** Whether a file name is a bare tfjs weights manifest (`weights_manifest.json`, `*-weights_manifest.json`). */
function isManifestName(name: string): boolean {
  return /(^|[-_.])weights_manifest\.json$/i.test(name);
}

/**
 * The tfjs file a folder holds: its model.json, else its one weights manifest; undefined when it
 * has neither. Several manifests and no model.json is an error (which one is meant?).
 */
export function tfjsFileIn(directory: string): string | undefined {
  const modelJson = path.join(directory, 'model.json');
  if (fs.existsSync(modelJson)) return modelJson;
  const manifests = fs.readdirSync(directory).filter(isManifestName).sort();
  if (manifests.length > 1) {
    throw new FormatError('the folder holds several tfjs weights manifests and no model.json: pass one of them', {
      file: directory,
      found: manifests.join(', '),
    });
  }
  return manifests.length === 1 ? path.join(directory, manifests[0]) : undefined;
}

/** The weight groups of a parsed model.json or weights manifest, and which of the two it is. */
function manifestGroups(parsed: unknown, file: string): { groups: unknown[]; tfjsFormat: string } {
  if (Array.isArray(parsed)) return { groups: parsed, tfjsFormat: 'weights-manifest' };
  if (parsed && typeof parsed === 'object') {
    const model = parsed as { weightsManifest?: unknown; format?: unknown };
    if (Array.isArray(model.weightsManifest))
      return {
        groups: model.weightsManifest,
        tfjsFormat: typeof model.format === 'string' ? model.format : 'model.json',
      };
    throw new FormatError('a tfjs model.json needs a weightsManifest list', {
      file,
      field: 'weightsManifest',
      expected: 'a list of {paths, weights} groups',
      found:
        model.weightsManifest === undefined
          ? `keys ${Object.keys(model).slice(0, 6).join(', ') || '(none)'}`
          : typeof model.weightsManifest,
    });
  }
  throw new FormatError('not a tfjs model.json or weights manifest', {
    file,
    expected: 'an object with weightsManifest, or a list of {paths, weights} groups',
    found: parsed === null ? 'null' : typeof parsed,
  });
}

/** How one manifest entry is stored and what it decodes to. */
interface WeightPlan {
  name: string;
  shape: number[];
  /** The dtype of the bytes in the shard (the quantization dtype when quantized). */
  stored: string;
  /** The dtype of the tensor we return (tfjs's: float32, int32 or bool). */
  dtype: 'float32' | 'int32' | 'bool';
  /** string and complex64 weights have no weightlab dtype: their bytes are stepped over, and they are listed in metadata. */
  unreadable?: boolean;
  scale?: number;
  min?: number;
}

/** Checks one manifest entry the way tfjs's decodeWeights does, with typed errors instead of TypeErrors. */
function planWeight(entry: unknown, file: string, where: string): WeightPlan {
  const weight = (entry ?? {}) as Partial<ManifestWeight>;
  const name = weight.name;
  if (typeof name !== 'string')
    throw new FormatError('weight entry needs a name', {
      file,
      field: where,
      expected: 'a string name',
      found: JSON.stringify(weight.name) ?? 'nothing',
    });
  const shape = weight.shape;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new FormatError('weight entry needs a shape of non-negative integers', {
      file,
      field: name,
      found: JSON.stringify(shape) ?? 'nothing',
    });
  }
  const dtype = weight.dtype;
  const quantization = weight.quantization;
  if ((dtype === 'string' || dtype === 'complex64') && !quantization)
    return { name, shape, stored: dtype, dtype: 'float32', unreadable: true };
  if (quantization === undefined || quantization === null) {
    if (dtype === 'uint8' || dtype === 'uint16' || dtype === 'float16') {
      throw new DTypeError(`a ${dtype} weight is quantized: it needs quantization metadata`, {
        file,
        field: name,
        expected: `dtype float32 with quantization {dtype: '${dtype}'${dtype === 'float16' ? '' : ', scale, min'}}`,
        found: `dtype ${dtype} and no quantization`,
      });
    }
    if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool')
      throw new DTypeError('unknown tfjs dtype', {
        file,
        field: name,
        expected: 'float32, int32 or bool',
        found: String(dtype),
      });
    return { name, shape, stored: dtype, dtype };
  }
  const stored = quantization.dtype;
  if (stored !== 'uint8' && stored !== 'uint16' && stored !== 'float16') {
    throw new DTypeError('unknown tfjs quantization dtype', {
      file,
      field: name,
      expected: 'uint8, uint16 or float16',
      found: String(stored),
    });
  }
  if (stored === 'float16') {
    if (dtype !== 'float32')
      throw new DTypeError('float16 quantization is for float32 weights only', {
        file,
        field: name,
        expected: 'dtype float32',
        found: String(dtype),
      });
    return { name, shape, stored, dtype };
  }
  const { scale, min } = quantization;
  if (typeof scale !== 'number' || typeof min !== 'number' || !Number.isFinite(scale) || !Number.isFinite(min)) {
    throw new FormatError(`${stored} quantization needs numeric scale and min`, {
      file,
      field: name,
      expected: 'finite numbers scale and min',
      found: `scale ${JSON.stringify(scale) ?? 'missing'}, min ${JSON.stringify(min) ?? 'missing'}`,
    });
  }
  if (dtype !== 'float32' && dtype !== 'int32')
    throw new DTypeError(`${stored} quantization is for float32 or int32 weights`, {
      file,
      field: name,
      expected: 'dtype float32 or int32',
      found: String(dtype),
    });
  return { name, shape, stored, dtype, scale, min };
}

/** The bytes of a tfjs string weight at `offset`: each element is a uint32 little-endian length, then that many bytes. */
function stringWeightBytes(
  chain: ShardChain,
  offset: number,
  count: number,
  name: string,
  file: string,
  group: number,
): number {
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (at + 4 > chain.size) {
      throw new FormatError(`string weight runs past the end of weight group ${group}'s shards`, {
        file,
        field: name,
        offset: at,
        expected: `element ${i} of ${count}`,
        found: `${chain.size} bytes`,
      });
    }
    at += 4 + new DataView(chain.read(at, 4, `weight '${name}'`).buffer).getUint32(0, true);
  }
  return at - offset;
}

/** The values of one weight from its stored bytes, as tfjs's decodeWeights computes them. */
function decode(plan: WeightPlan, bytes: Uint8Array): Float32Array | Int32Array | Uint8Array {
  const count = sizeOf(plan.shape);
  switch (plan.stored) {
    case 'float16':
      return decodeHalf(new Uint16Array(bytes.buffer, bytes.byteOffset, count), 'float16');
    case 'uint8':
    case 'uint16': {
      const quantized = plan.stored === 'uint8' ? bytes : new Uint16Array(bytes.buffer, bytes.byteOffset, count);
      const { scale, min } = plan as Required<WeightPlan>;
      if (plan.dtype === 'int32') return Int32Array.from(quantized, (q) => Math.round(q * scale + min));
      return Float32Array.from(quantized, (q) => q * scale + min);
    }
    case 'float32':
      return new Float32Array(bytes.buffer, bytes.byteOffset, count);
    case 'int32':
      return new Int32Array(bytes.buffer, bytes.byteOffset, count);
    default:
      return bytes;
  }
}

/**
 * Opens tfjs weights lazily: a model.json (layers-model or graph-model), a bare weights manifest,
 * or a folder holding either. Shard sizes are checked against the manifest before anything is read.
 */
export function readTfjs(file: string): WeightSet {
  let manifestFile = file;
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) {
    const found = tfjsFileIn(file);
    if (!found)
      throw new FormatError('the folder holds no tfjs model.json or weights manifest', {
        file,
        expected: 'model.json or *weights_manifest.json',
      });
    manifestFile = found;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  } catch (error) {
    throw new FormatError(`cannot read the tfjs JSON: ${(error as Error).message}`, { file: manifestFile });
  }
  const { groups, tfjsFormat } = manifestGroups(parsed, manifestFile);
  const directory = path.dirname(manifestFile);
  const entries: [string, TensorEntry][] = [];
  const seen = new Set<string>();
  const skippedWeights: string[] = [];
  groups.forEach((raw, index) => {
    const where = `weightsManifest[${index}]`;
    const group = (raw ?? {}) as Partial<ManifestGroup>;
    if (!Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new FormatError('weight group needs paths and weights lists', {
        file: manifestFile,
        field: where,
        found:
          typeof raw !== 'object' || raw === null ? String(raw) : `keys ${Object.keys(raw).join(', ') || '(none)'}`,
      });
    }
    const sources = group.paths.map((shard, shardIndex) => {
      // The text and, through every symlink, the real file must stay inside the manifest's folder.
      const file = containedPath(directory, shard, { file: manifestFile, field: `${where}.paths[${shardIndex}]` });
      try {
        return new FileSource(file);
      } catch (error) {
        throw new FormatError(`shard file of weight group ${index}: ${(error as Error).message}`, {
          file: manifestFile,
          field: `${where}.paths[${shardIndex}]`,
          found: String(shard),
        });
      }
    });
    const chain = new ShardChain(sources);
    const shardList = group.paths.join(' + ');
    let at = 0;
    let last = '';
    group.weights.forEach((entry, weightIndex) => {
      const plan = planWeight(entry, manifestFile, `${where}.weights[${weightIndex}]`);
      if (seen.has(plan.name))
        throw new FormatError('two weights of the manifest have the same name', {
          file: manifestFile,
          field: plan.name,
          found: `again in ${where}.weights[${weightIndex}]`,
        });
      seen.add(plan.name);
      const count = sizeOf(plan.shape);
      const byteLength =
        plan.stored === 'string'
          ? stringWeightBytes(chain, at, count, plan.name, manifestFile, index)
          : count * SIZES[plan.stored];
      const offset = at;
      at += byteLength;
      last = plan.name;
      if (at > chain.size) {
        throw new FormatError(`weight runs past the end of weight group ${index}'s shards (${shardList})`, {
          file: manifestFile,
          field: plan.name,
          offset,
          expected: `${at} bytes in the group`,
          found: `${chain.size}`,
        });
      }
      if (plan.unreadable) {
        skippedWeights.push(`${plan.name} (${plan.stored})`);
        return;
      }
      entries.push([
        plan.name,
        {
          dtype: plan.dtype,
          shape: plan.shape,
          load: () =>
            new Tensor(
              plan.dtype,
              decode(plan, chain.read(offset, byteLength, `weight '${plan.name}'`)) as never,
              plan.shape,
            ),
        },
      ]);
    });
    // tfjs writes shards that hold exactly the group's weights; extra bytes mean the manifest
    // describes other data (a wrong dtype or shape somewhere), so every offset would be suspect.
    if (at !== chain.size) {
      throw new FormatError(`weight group ${index}'s shards (${shardList}) hold more bytes than its weights`, {
        file: manifestFile,
        field: last || where,
        expected: `${at} bytes`,
        found: `${chain.size}`,
      });
    }
  });
  return new WeightSet(entries, {
    metadata: { format: 'tfjs', file: manifestFile, tfjsFormat, ...(skippedWeights.length ? { skippedWeights } : {}) },
  });
}
