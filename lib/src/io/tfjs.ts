// TensorFlow.js layers/graph models: `model.json` lists weight groups, each a list of shard
// files holding its weights back to back (tfjs cuts shards at 4 MB regardless of tensor
// boundaries, so a tensor may span two files). Quantized weights (uint8/uint16 with
// scale/min, or float16) are dequantized to float32 on load, as tfjs does.
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
  quantization?: { dtype: string; scale?: number; min?: number; original_dtype?: string };
}

const SIZES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** A run of shard files read as one address space. */
class ShardChain {
  private readonly starts: number[] = [];
  readonly size: number;
  constructor(readonly sources: ByteSource[]) {
    let at = 0;
    for (const source of sources) { this.starts.push(at); at += source.size; }
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

/** Opens a tfjs model.json and its shards lazily. */
export function readTfjs(modelJsonPath: string): WeightSet {
  let model: { weightsManifest?: { paths: string[]; weights: ManifestWeight[] }[]; format?: string };
  try {
    model = JSON.parse(fs.readFileSync(modelJsonPath, 'utf8'));
  } catch (error) {
    throw new FormatError(`cannot read model.json: ${(error as Error).message}`, { file: modelJsonPath });
  }
  if (!Array.isArray(model?.weightsManifest)) throw new FormatError('model.json has no weightsManifest list', { file: modelJsonPath, field: 'weightsManifest' });
  const directory = path.dirname(modelJsonPath);
  const entries: [string, TensorEntry][] = [];
  model.weightsManifest.forEach((group, index) => {
    if (!Array.isArray(group?.paths) || !Array.isArray(group?.weights)) throw new FormatError('weight group needs paths and weights lists', { file: modelJsonPath, field: `weightsManifest[${index}]` });
    const sources = group.paths.map((shard) => new FileSource(containedPath(directory, shard, { file: modelJsonPath, field: `weightsManifest[${index}].paths` })));
    const chain = new ShardChain(sources);
    const label = `${modelJsonPath} group ${index}`;
    let at = 0;
    for (const weight of group.weights) {
      const { name, shape, dtype, quantization } = weight;
      if (typeof name !== 'string' || !Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
        throw new FormatError('weight entry needs a name and a shape of non-negative integers', { file: modelJsonPath, field: String(name) });
      }
      if (dtype === 'string' || dtype === 'complex64') throw new DTypeError(`tfjs ${dtype} weights are not supported`, { file: modelJsonPath, field: name, found: dtype });
      const stored = quantization?.dtype ?? dtype;
      if (!(stored in SIZES) || !(dtype in SIZES)) throw new DTypeError('unknown tfjs dtype', { file: modelJsonPath, field: name, expected: 'float32|int32|bool (quantized: uint8|uint16|float16)', found: stored });
      if (quantization && quantization.dtype !== 'float16' && (typeof quantization.scale !== 'number' || typeof quantization.min !== 'number')) {
        throw new FormatError('quantized weight needs numeric scale and min', { file: modelJsonPath, field: name });
      }
      const count = sizeOf(shape);
      const byteLength = count * SIZES[stored];
      const offset = at;
      at += byteLength;
      if (at > chain.size) {
        throw new FormatError('weights run past the end of the shards', { file: label, field: name, offset, expected: `${at} bytes`, found: `${chain.size}` });
      }
      const outType = dtype === 'float32' || quantization ? 'float32' : dtype === 'int32' ? 'int32' : 'bool';
      entries.push([name, {
        dtype: outType,
        shape,
        load(): Tensor {
          const bytes = chain.read(offset, byteLength, `weight '${name}'`);
          let data: Float32Array | Int32Array | Uint8Array;
          if (stored === 'float16') data = decodeHalf(new Uint16Array(bytes.buffer, 0, count), 'float16');
          else if (stored === 'uint8' || stored === 'uint16') {
            const q = stored === 'uint8' ? bytes : new Uint16Array(bytes.buffer, 0, count);
            data = new Float32Array(count);
            for (let i = 0; i < count; i++) data[i] = q[i] * quantization!.scale! + quantization!.min!;
          } else if (stored === 'float32') data = new Float32Array(bytes.buffer, 0, count);
          else if (stored === 'int32') data = new Int32Array(bytes.buffer, 0, count);
          else data = bytes;
          return new Tensor(outType, data as never, shape);
        },
      }]);
    }
  });
  return new WeightSet(entries, { metadata: { format: 'tfjs', file: modelJsonPath, tfjsFormat: model.format } });
}
