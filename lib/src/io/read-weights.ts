// One entry point for "open this weight file": picks the reader from the file's magic bytes
// (extensions lie: ray-tune calls its torch files `checkpoints`, Hugging Face uses `.bin` for
// pickles), then falls back to the extension; a folder is a Hugging Face model, hub cache or
// adapter folder (huggingface.ts) or a tfjs model. `readWeights` is synchronous for every format
// but HDF5; `loadWeights` is the async form that covers HDF5 too.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArgumentError, FormatError } from '../errors';
import { WeightSet } from '../weights/weight-set';
import { FileSource } from './byte-source';
import { readHdf5, type Hdf5ReadOptions } from './hdf5';
import { isHuggingFaceFolder, readHuggingFace, type HuggingFaceReadOptions } from './huggingface';
import { mergeAdapter } from './lora';
import { openNpy } from './npy';
import { readNpz } from './npz';
import { readOnnx } from './onnx';
import { readSafetensors, readSafetensorsIndex } from './safetensors';
import { readTfjs, tfjsFileIn } from './tfjs';
import { readTorch } from './torch';
import { ZipArchive } from './zip';

export type WeightFormat =
  'safetensors' | 'safetensors-index' | 'npy' | 'npz' | 'torch' | 'tfjs' | 'onnx' | 'hdf5' | 'huggingface';

export interface ReadWeightsOptions extends HuggingFaceReadOptions, Hdf5ReadOptions {
  /** Skip detection. */
  format?: WeightFormat;
  /**
   * For a PEFT LoRA adapter folder: the base model (a path loadWeights reads, or its WeightSet) to merge the
   * adapter into, W + scale·B·A (see `mergeAdapter`). Without it an adapter folder reads as its own tensors.
   * @default undefined (no merge)
   */
  merge?: string | WeightSet;
}

/** The format of a weight file, from its first bytes and then its name. */
export function detectWeightFormat(file: string): WeightFormat {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    throw new FormatError(`cannot open file: ${(error as Error).message}`, { file });
  }
  if (stat.isDirectory()) {
    if (isHuggingFaceFolder(file)) return 'huggingface';
    if (tfjsFileIn(file)) return 'tfjs';
    throw new FormatError('a directory that is neither a Hugging Face model or adapter folder nor a tfjs model', {
      file,
      expected:
        'model.safetensors(.index.json), pytorch_model.bin(.index.json), adapter_config.json, a hub cache ' +
        'models--org--name folder, model.json or *weights_manifest.json',
    });
  }
  const name = path.basename(file).toLowerCase();
  if (name.endsWith('.index.json')) return 'safetensors-index';
  if (name.endsWith('.json')) return 'tfjs';
  const source = new FileSource(file);
  const head = source.read(0, Math.min(16, source.size), 'file start');
  const text = Buffer.from(head).toString('latin1');
  if (text.startsWith('\x93NUMPY')) return 'npy';
  if (text.startsWith('\x89HDF\r\n\x1a\n')) return 'hdf5';
  if (text.startsWith('PK\x03\x04') || text.startsWith('PK\x05\x06')) {
    const archive = new ZipArchive(source);
    if (archive.names.some((entry) => /(^|\/)data\.pkl$/.test(entry))) return 'torch';
    if (archive.names.some((entry) => entry === 'model.weights.h5')) {
      throw new FormatError('a .keras archive: unzip it and read model.weights.h5 inside', { file });
    }
    if (archive.names.every((entry) => entry.endsWith('.npy') || entry.endsWith('/'))) return 'npz';
    throw new FormatError('a zip archive that is neither an .npz nor a torch.save checkpoint', {
      file,
      found: archive.names.slice(0, 5).join(', '),
    });
  }
  // safetensors before pickles: a header length whose low byte is 0x80 makes a safetensors file start like a
  // pickle's PROTO opcode. The converse needs a pickle whose bytes 1-7 (protocol, then opcodes) read as a length
  // within the file and whose byte 8 is '{': torch.save never writes one (its bytes 2-11 are the legacy magic).
  if (head.length >= 9 && head[8] === 0x7b /* { */) {
    const length = new DataView(head.buffer, head.byteOffset).getBigUint64(0, true);
    if (length + 8n <= BigInt(source.size)) return 'safetensors';
  }
  if (head[0] === 0x80) return 'torch';
  if (name.endsWith('.safetensors')) return 'safetensors';
  if (name.endsWith('.onnx')) return 'onnx';
  if (head[0] === 0x08) return 'onnx'; // ModelProto starts with field 1 (ir_version), a varint: tag byte 0x08
  throw new FormatError('unrecognised weight file format', {
    file,
    expected: 'safetensors, .npy, .npz, PyTorch, tfjs model.json or weights manifest, ONNX or HDF5',
    found: `first bytes ${Buffer.from(head.subarray(0, 8)).toString('hex')}`,
  });
}

/** The options the Hugging Face reader takes, without the ones only loadWeights knows. */
function huggingFaceOptions(options: ReadWeightsOptions): HuggingFaceReadOptions {
  const { format: _format, merge: _merge, ...rest } = options;
  void _format;
  void _merge;
  return rest;
}

/** Opens any supported weight file except HDF5 (use `loadWeights` for that). */
export function readWeights(file: string, options: ReadWeightsOptions = {}): WeightSet {
  const format = options.format ?? detectWeightFormat(file);
  switch (format) {
    case 'safetensors':
      return readSafetensors(file);
    case 'safetensors-index':
      return readSafetensorsIndex(file);
    case 'npy': {
      const array = openNpy(file, path.basename(file).replace(/\.npy$/i, ''));
      return new WeightSet([[path.basename(file).replace(/\.npy$/i, ''), array]], {
        metadata: { format: 'npy', file, descr: array.header.descr },
      });
    }
    case 'npz':
      return readNpz(file, options);
    case 'torch':
      return readTorch(file, options);
    case 'tfjs':
      return readTfjs(file);
    case 'onnx':
      return readOnnx(file);
    case 'huggingface':
      if (options.merge !== undefined)
        throw new ArgumentError('merging an adapter may read a base model in any format: use `await loadWeights`', {
          file,
          field: 'merge',
        });
      return readHuggingFace(file, huggingFaceOptions(options));
    case 'hdf5':
      throw new FormatError(
        'HDF5 files are read asynchronously: use `await loadWeights(file)` or `await readHdf5(file)`',
        { file },
      );
    default:
      throw new FormatError('unknown format', { file, found: String(format) });
  }
}

/** Opens any supported weight file, HDF5 included. */
export async function loadWeights(file: string, options: ReadWeightsOptions = {}): Promise<WeightSet> {
  const { merge, ...rest } = options;
  const format = rest.format ?? detectWeightFormat(file);
  if (merge !== undefined) {
    const adapter = format === 'huggingface' ? readHuggingFace(file, huggingFaceOptions(rest)) : undefined;
    if (adapter?.metadata.format !== 'peft-adapter')
      throw new ArgumentError('merge applies to PEFT adapter folders (adapter_config.json)', {
        file,
        field: 'merge',
        found: `a ${String(adapter?.metadata.format ?? format)} checkpoint`,
      });
    const base = merge instanceof WeightSet ? merge : await loadWeights(merge);
    return mergeAdapter(base, adapter);
  }
  if (format === 'hdf5') return readHdf5(file, rest);
  return readWeights(file, { ...rest, format });
}
