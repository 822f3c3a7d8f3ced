// The native weightlab zoo format: the ray-tune layout that published zoos use (so the same
// tools read both), plus a manifest naming the grid, with safetensors checkpoints that
// PyTorch, JAX and numpy read without pickles. Later issues (the zoo builder) write it with
// the functions below; any reader of ray-tune zoos reads it.
//
// ## weightlab zoo format, version 2 (version 1 still reads: it lacks "data" and "architectures")
//
// ```
// <zoo>/
//   zoo.json                      the manifest (below)
//   <model id>/                   one folder per model; ids are [A-Za-z0-9._=,-]+ (no path separators)
//     params.json                 flat JSON object of hyperparameters, PTMZ key names:
//                                 "model::width", "optim::lr", "training::batchsize", "seed", ...
//     result.json                 JSON Lines, one object per reported epoch, in epoch order.
//                                 Line k reports epoch k: line 0 is the evaluation at initialisation,
//                                 and every line has "training_iteration": k (ModelZoos offset 0).
//                                 Keys: train_loss, train_acc, test_loss, test_acc (accuracies in
//                                 [0, 1]; a PINN model has relative_l2_error instead of accuracies,
//                                 its losses being the PINN loss and the MSE against the exact
//                                 solution), plus any metrics under PTMZ names (log_hessian_top_ev,
//                                 curve_mc_test_error, representation_similarity, ...). NaN is
//                                 written as null (strict JSON); readers also accept Python's NaN.
//     checkpoint_<epoch, 6 digits>/weights.safetensors
//                                 the model's tensors at that epoch (PyTorch state-dict names), with
//                                 __metadata__ {"format": "pt", "weightlab.epoch": "<epoch>"}.
// ```
//
// zoo.json:
// ```
// {
//   "format": "weightlab-zoo",           required, exactly this string
//   "version": 1,                        required; readers refuse versions they do not know
//   "name": "digits-mlp-width-x-batch",  free text
//   "axes": {"model::width": [8, 16], "training::batchsize": [32, 256]},
//                                        the grid: hyperparameter -> its values (each model's
//                                        params.json holds one value per axis)
//   "seeds": [0, 1, 2],                  seeds per grid cell ("seed" in params.json)
//   "dataset": "uci-digits",             dataset id (free text: the split's name)
//   "data": {"name": "digits", "options": {"seed": 0}},
//                                        version 2, optional: the dataset generator (a DatasetName)
//                                        and its options, enough to rebuild the train/test split;
//                                        each model's data_fraction and label_noise (params.json)
//                                        then give the rows it was trained on. The user's own data:
//                                        {"name": "file" | "module", "options": {"testFraction": 0.2,
//                                        "seed": 0}, "source": "data/train.npz" (relative to the zoo
//                                        when inside it, else absolute), "format": "npz" | "npy" |
//                                        "safetensors" | "csv" | "module", "sha256": "<hex>" (of
//                                        the file's bytes; a module's: of the arrays it produced),
//                                        "x"/"y" (array names, .npy labels file or CSV column) or
//                                        "export" (the module's)}; readers refuse data whose
//                                        SHA-256 differs
//   "architectures": {"<model id>": {"kind": "mlp", "inputs": 64, "hidden": [32], "outputs": 10,
//                     "activation": "relu"}, ...}
//                                        version 2, optional: each model's network, as
//                                        weightlab's train module describes it: an MLP (inputs,
//                                        hidden widths, outputs, activation; a PINN is an MLP of
//                                        (x, t)) or a CNN ({"kind": "cnn", image [C, H, W],
//                                        channels, strides, kernel, outputs, activation})
//   "epochs": [0, 1, 2, 5, 10],          epochs that have checkpoints
//   "metricEpochs": [10],                epochs with loss-landscape metrics in result.json
//   "models": ["width=8_batch_size=32_seed=0", ...],
//                                        model folder names, in grid order (version 1 builders
//                                        wrote short tags: "w8_b32_s0")
//   "created": "2025-01-01T00:00:00Z"    ISO 8601
// }
// ```
// Every file is written to a temp name and renamed, so a crashed builder leaves no half files.

import * as path from 'node:path';
import { FormatError, ArgumentError } from '../errors';
import { writeFileAtomic } from '../io/atomic-write';
import { writeSafetensors, type TensorsInput } from '../io/safetensors';
import { isTrialDirectory, nothingReadable, readTrials, skipOf } from './ray-tune';
import { Zoo, type ZooSkip } from './zoo';
import { axisNameOfKey } from './ptmz-keys';
import { DATASET_NAMES, type ZooDataset } from './dataset';
import { DATA_FILE_FORMATS } from './data-source';
import type { NetworkArchitecture } from '../train/network';
import { isReadError, ZooFolder, type ZooReadOptions } from './zoo-folder';

export const ZOO_MANIFEST = 'zoo.json';
export const ZOO_FORMAT = 'weightlab-zoo';
export const ZOO_FORMAT_VERSION = 2;
/** Versions this reader opens. */
export const ZOO_FORMAT_VERSIONS_READ: readonly number[] = [1, 2];

export interface ZooManifest {
  format: typeof ZOO_FORMAT;
  version: number;
  name?: string;
  axes: Record<string, unknown[]>;
  seeds?: number[];
  dataset?: string;
  epochs?: number[];
  metricEpochs?: number[];
  models: string[];
  created?: string;
  /** The dataset generator and its options (version 2; see the format notes above). */
  data?: ZooDataset;
  /** Each model's network by id (version 2; see the format notes above). */
  architectures?: Record<string, NetworkArchitecture>;
}

const MODEL_ID = /^[A-Za-z0-9._=,+-]+$/;

function checkModelId(id: string): void {
  if (!MODEL_ID.test(id) || id === '.' || id === '..')
    throw new ArgumentError('model ids may use letters, digits and . _ = , + - only', { field: 'id', found: id });
}

/** The folder name of an epoch's checkpoint: checkpoint_000012. */
export function checkpointFolder(epoch: number): string {
  if (!Number.isSafeInteger(epoch) || epoch < 0)
    throw new ArgumentError('epoch must be a non-negative integer', { found: String(epoch) });
  return `checkpoint_${String(epoch).padStart(6, '0')}`;
}

function writeJson(file: string, value: unknown): void {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  writeFileAtomic(file, (write) => write(Buffer.from(text)));
}

/** Writes (or replaces) zoo.json. */
export function writeZooManifest(
  root: string,
  manifest: Omit<ZooManifest, 'format' | 'version'> & { version?: number },
): void {
  manifest.models.forEach(checkModelId);
  writeJson(path.join(root, ZOO_MANIFEST), {
    format: ZOO_FORMAT,
    version: ZOO_FORMAT_VERSION,
    created: new Date().toISOString(),
    ...manifest,
  });
}

/** Writes a model's params.json. */
export function writeZooParams(root: string, id: string, params: Record<string, unknown>): void {
  checkModelId(id);
  writeJson(path.join(root, id, 'params.json'), params);
}

/** Writes a model's result.json: one line per epoch, line k = epoch k, `training_iteration` set to the epoch. */
export function writeZooResults(root: string, id: string, results: Record<string, unknown>[]): void {
  checkModelId(id);
  const lines = results.map((row, epoch) => {
    if (row.epoch !== undefined && row.epoch !== epoch)
      throw new ArgumentError('result rows must be epochs 0, 1, 2, ... in order', {
        field: `row ${epoch}`,
        found: `epoch ${String(row.epoch)}`,
      });
    const { epoch: _epoch, ...rest } = row;
    return JSON.stringify({ ...rest, training_iteration: epoch }, (_, value) =>
      typeof value === 'number' && !Number.isFinite(value) ? null : value,
    );
  });
  writeFileAtomic(path.join(root, id, 'result.json'), (write) =>
    write(Buffer.from(lines.join('\n') + (lines.length ? '\n' : ''))),
  );
}

/** Writes checkpoint_<epoch>/weights.safetensors for a model. */
export function writeZooCheckpoint(root: string, id: string, epoch: number, weights: TensorsInput): string {
  checkModelId(id);
  const file = path.join(root, id, checkpointFolder(epoch), 'weights.safetensors');
  writeSafetensors(file, weights, { format: 'pt', 'weightlab.epoch': String(epoch) });
  return file;
}

/**
 * Reads a native zoo: the manifest, then each listed model folder (checkpoints stay lazy). A bad
 * manifest is an error; a listed model that cannot be read is skipped (see ZooReadOptions.strict).
 */
export function readNativeZoo(root: string, options: ZooReadOptions = {}): Zoo {
  const folder = new ZooFolder(root, options);
  const manifestFile = path.join(root, ZOO_MANIFEST);
  const manifest = folder.readJson(manifestFile);
  const m = manifest as Partial<ZooManifest>;
  if (m?.format !== ZOO_FORMAT)
    throw new FormatError('not a weightlab zoo manifest', {
      file: manifestFile,
      field: 'format',
      expected: ZOO_FORMAT,
      found: String(m?.format),
    });
  if (!ZOO_FORMAT_VERSIONS_READ.includes(m.version as number))
    throw new FormatError('unsupported weightlab zoo version', {
      file: manifestFile,
      field: 'version',
      expected: ZOO_FORMAT_VERSIONS_READ.join(' or '),
      found: String(m.version),
    });
  if (!Array.isArray(m.models) || !m.models.every((id) => typeof id === 'string' && MODEL_ID.test(id))) {
    throw new FormatError('manifest models must be a list of folder names', { file: manifestFile, field: 'models' });
  }
  if (typeof m.axes !== 'object' || m.axes === null || Array.isArray(m.axes))
    throw new FormatError('manifest axes must be an object', { file: manifestFile, field: 'axes' });
  const skipped: ZooSkip[] = [];
  const trials: { directory: string; id: string }[] = [];
  for (const id of m.models) {
    const directory = path.join(root, id);
    try {
      const kind = folder.entry(directory);
      if (kind !== 'directory' || !isTrialDirectory(directory)) {
        throw new FormatError('the manifest lists a model folder that is missing or has no params.json', {
          file: directory,
          field: id,
          expected: 'a folder with params.json',
          found: kind === 'directory' ? 'a folder without params.json' : kind,
        });
      }
      trials.push({ directory, id });
    } catch (error) {
      if (folder.strict || !isReadError(error)) throw error;
      skipped.push(skipOf(directory, error));
    }
  }
  const models = readTrials(folder, trials, skipped);
  if (models.length === 0 && skipped.length > 0) throw nothingReadable(root, 'model folder', skipped);
  const architectures = m.architectures ?? {};
  if (typeof architectures !== 'object' || architectures === null || Array.isArray(architectures))
    throw new FormatError('manifest architectures must be an object of model id -> network', {
      file: manifestFile,
      field: 'architectures',
    });
  for (const model of models) {
    const architecture = (architectures as Record<string, unknown>)[model.id];
    if (architecture === undefined) continue;
    const kind = (architecture as { kind?: unknown })?.kind;
    if (kind !== 'mlp' && kind !== 'cnn')
      throw new FormatError('a model architecture must be an MLP or CNN description', {
        file: manifestFile,
        field: `architectures.${model.id}.kind`,
        expected: 'mlp | cnn',
        found: String(kind),
      });
    (model as { architecture?: NetworkArchitecture }).architecture = architecture as NetworkArchitecture;
  }
  // Axes are stored under PTMZ keys (the serialised contract) and shown under their axis names.
  const axes = Object.fromEntries(
    Object.entries(m.axes as Record<string, unknown[]>).map(([key, values]) => [axisNameOfKey(key), values]),
  );
  return new Zoo(
    'weightlab',
    root,
    models,
    axes,
    m as Record<string, unknown>,
    skipped,
    manifestDataset(m, manifestFile),
  );
}

/**
 * The dataset a manifest records: version 2's "data"; a version-1 zoo made by the builder kept it
 * in its spec (under "weightlab.builder"), which is read here so that old zoos keep working.
 */
function manifestDataset(
  m: Partial<ZooManifest> & Record<string, unknown>,
  manifestFile: string,
): ZooDataset | undefined {
  const legacy = (m['weightlab.builder'] as { spec?: { dataset?: unknown; datasetOptions?: unknown } } | undefined)
    ?.spec;
  const data =
    m.data ??
    (legacy?.dataset !== undefined ? { name: legacy.dataset, options: legacy.datasetOptions ?? {} } : undefined);
  if (data === undefined) return undefined;
  const { name, options } = data as { name?: unknown; options?: unknown };
  const custom = name === 'file' || name === 'module';
  if (!custom && !DATASET_NAMES.includes(name as (typeof DATASET_NAMES)[number]))
    throw new FormatError('unknown dataset in the manifest', {
      file: manifestFile,
      field: 'data.name',
      expected: `${DATASET_NAMES.join(', ')}, file or module`,
      found: String(name),
    });
  if (
    typeof options !== 'object' ||
    options === null ||
    Array.isArray(options) ||
    !Object.values(options).every((v) => typeof v === 'number')
  ) {
    throw new FormatError('dataset options must be an object of numbers', {
      file: manifestFile,
      field: 'data.options',
    });
  }
  if (!custom)
    return { name: name as (typeof DATASET_NAMES)[number], options: { ...(options as Record<string, number>) } };
  const record = data as Record<string, unknown>;
  const text = (field: string, valid: (value: string) => boolean, expected: string): string => {
    const value = record[field];
    if (typeof value !== 'string' || !valid(value))
      throw new FormatError('the data record of the manifest is not valid', {
        file: manifestFile,
        field: `data.${field}`,
        expected,
        found: JSON.stringify(value),
      });
    return value;
  };
  const formats = name === 'module' ? ['module'] : DATA_FILE_FORMATS;
  return {
    name,
    options: { ...(options as Record<string, number>) },
    source: text('source', (value) => value.length > 0, 'the path of the data'),
    format: text('format', (value) => formats.includes(value as never), formats.join(' | ')) as never,
    sha256: text('sha256', (value) => /^[0-9a-f]{64}$/.test(value), '64 hex digits'),
    ...(['x', 'y', 'export'] as const).reduce(
      (fields, field) => {
        return record[field] === undefined ? fields : { ...fields, [field]: text(field, () => true, 'a string') };
      },
      {} as Record<string, string>,
    ),
  };
}
