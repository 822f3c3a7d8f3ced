// What a zoo is made of: a grid of hyperparameter axes x seeds over one dataset and one
// architecture family, expanded into model jobs with stable ids and PTMZ-named params.json.
// Pure functions of the spec, so the builder, its workers and a resumed build agree on
// every model without talking to each other.

import { ArgumentError } from '../../errors';
import { checkOptionKeys, resolveOptions, type OptionDefaults } from '../../options/resolve';
import { convectionProblem } from '../../data/synthetic';
import type { DatasetSplit } from '../../data/dataset';
import { mlp, parameterCount, type MlpActivation, type MlpArchitecture } from '../../train/mlp';
import { cnn, convGeometry } from '../../train/cnn';
import { pinnArchitecture, pinnTask } from '../../train/pinn';
import { supervisedTask, type TrainingTask } from '../../train/task';
import type { NetworkArchitecture } from '../../train/network';
import type { TrainingJob } from '../../train/sgd';
import { AXIS_NAMES, PTMZ_AXIS_KEYS, type AxisName } from '../ptmz-keys';
import * as path from 'node:path';
import {
  cellData,
  customDatasetRecord,
  datasetIdentity,
  datasetSplit,
  DATASET_NAMES,
  type DatasetSource,
  type ZooDataset,
} from '../dataset';
import { isDataFileSource, isDataModuleSource, openDataSource } from '../data-source';

export type { AxisName } from '../ptmz-keys';
export type { DatasetName, DatasetSource } from '../dataset';

/**
 * A zoo to build: a grid over some axes (snake_case names, the same as the table columns and the
 * model ids), seeds per cell, one dataset and one architecture family. Optional fields take the
 * defaults in ZOO_SPEC_DEFAULTS; an unknown field is an ArgumentError listing the known ones.
 */
export interface ZooSpec {
  /** Free-text name written to zoo.json. */
  name: string;
  /**
   * A bundled or generated dataset's name, or your own data: `{ file: 'data.npz' }` (.npz, .npy,
   * .safetensors or .csv; see DataFileSource) or `{ module: 'data.js' }` (a CommonJS module whose
   * export gives { x, y } or a split; see DataModuleSource). zoo.json records the data's SHA-256,
   * and a resumed build, the cache and zoo.trainingData() refuse data that changed.
   */
  dataset: DatasetSource;
  /**
   * Options of the dataset's generator (size, seed, ...; the split seed is part of them); for
   * 'convection', the PDE problem's point counts and seed. Your own data takes its split options
   * (testFraction, seed) in the dataset object instead.
   * @default {}
   */
  datasetOptions?: Record<string, number>;
  /**
   * 'mlp' or 'cnn' (image datasets: 3x3 convs, strides 1, 2, 2, ..., global average pooling,
   * linear). A convection zoo is always a tanh MLP of (x, t).
   * @default 'mlp'
   */
  architecture?: 'mlp' | 'cnn';
  /**
   * The hidden layers' activation.
   * @default undefined (ReLU for classifiers, tanh for the PINN)
   */
  activation?: MlpActivation;
  /**
   * 'sgd' (PyTorch SGD with momentum) or 'adam' (betas (momentum, 0.999)).
   * @default 'sgd'
   */
  optimizer?: 'sgd' | 'adam';
  /** The grid: axis -> values, e.g. `{ width: [8, 32], batch_size: [32, 256] }`. Axes not listed take their value from `defaults`. */
  axes: Partial<Record<AxisName, number[]>>;
  /** Model seeds per grid cell (initialisation and data order). */
  seeds: number[];
  /**
   * Values of the axes that are not swept (missing ones: DEFAULT_HYPERPARAMETERS; depth 2 for a CNN).
   * @default {}
   */
  defaults?: Partial<Record<AxisName, number>>;
  epochs: number;
  /**
   * SGD momentum (Adam's first beta).
   * @default 0.9
   */
  momentum?: number;
  /**
   * Write a checkpoint every k epochs (and always at epoch 0 and the last epoch).
   * @default undefined (= epochs: only the first and the last epoch)
   */
  checkpointEvery?: number;
}

/** Every ZooSpec field with its default (undefined: required, or no default; see ZooSpec). */
export const ZOO_SPEC_DEFAULTS = {
  name: undefined,
  dataset: undefined,
  datasetOptions: {},
  architecture: 'mlp',
  activation: undefined,
  optimizer: 'sgd',
  axes: undefined,
  seeds: undefined,
  defaults: {},
  epochs: undefined,
  momentum: 0.9,
  checkpointEvery: undefined,
} as const satisfies OptionDefaults<ZooSpec>;

/** The values of the axes a spec neither sweeps nor sets in `defaults`. */
export const DEFAULT_HYPERPARAMETERS: Readonly<Record<AxisName, number>> = {
  width: 32,
  depth: 1,
  batch_size: 32,
  learning_rate: 0.05,
  weight_decay: 5e-4,
  data_fraction: 1,
  label_noise: 0,
  beta: 1,
};

/** Depth when neither the grid nor the defaults set it: 2 conv layers for a CNN, else 1 hidden layer. */
function defaultDepth(spec: ZooSpec): number {
  return (spec.architecture ?? ZOO_SPEC_DEFAULTS.architecture) === 'cnn' ? 2 : DEFAULT_HYPERPARAMETERS.depth;
}

/**
 * The spec's data, read once: the dataset as zoo.json records it (the user's data with its
 * absolute path and SHA-256) and its train/test split (undefined for convection).
 */
export function specData(spec: ZooSpec): { record: ZooDataset; split?: DatasetSplit } {
  const source = spec.dataset;
  if (typeof source === 'string') {
    const record: ZooDataset = { name: source, options: { ...spec.datasetOptions } };
    return { record, split: source === 'convection' ? undefined : datasetSplit(record) };
  }
  const opened = openDataSource(source);
  return { record: customDatasetRecord(source, opened), split: opened.split };
}

/** The spec's dataset as zoo.json records it. */
export function specDatasetOf(spec: ZooSpec): ZooDataset {
  return specData(spec).record;
}

/**
 * What makes two specs build the same zoo: the spec with the user's data (a file or module)
 * replaced by its identity (format, array names, split options and SHA-256, not its path), so
 * moving the data file changes nothing and changing its bytes changes everything.
 */
export function specIdentity(spec: ZooSpec, record: ZooDataset): ZooSpec {
  if (typeof spec.dataset === 'string') return spec;
  return { ...spec, dataset: datasetIdentity(record) as unknown as DatasetSource };
}

/** A short name of the spec's dataset for params.json and messages: the name, or the file or module's base name. */
export function datasetName(source: DatasetSource): string {
  if (typeof source === 'string') return source;
  if (isDataModuleSource(source)) return path.basename(String(source.module));
  return path.basename(String(source.file));
}

export interface ModelJob {
  id: string;
  /** Grid coordinates (every axis, swept or not) and the seed. */
  values: Record<AxisName, number>;
  seed: number;
  params: Record<string, unknown>;
  training: TrainingJob;
  /** The convection problem's options (beta, point counts, seed) when the zoo is a PINN zoo. */
  convection?: Parameters<typeof convectionProblem>[0];
  /** Epochs that get a checkpoint. */
  checkpointEpochs: number[];
  /** Relative cost, for scheduling the biggest jobs first. */
  cost: number;
}

function formatValue(value: number): string {
  return String(value).replace(/e-/g, 'em').replace(/e\+/g, 'e');
}

/** Loads the spec's dataset with its fixed split (before per-model subsets and label noise). */
export function specDataset(spec: ZooSpec): DatasetSplit {
  const { split } = specData(spec);
  if (!split)
    throw new ArgumentError('the convection zoo has no dataset: its models are trained on the PDE', {
      field: 'dataset',
    });
  return split;
}

/**
 * The training task of one model: classification of its cell's data (data fraction, label noise)
 * with an MLP or CNN, or the convection PINN at its cell's beta. `split` is specDataset(spec)
 * (loaded once per thread; unused for convection).
 */
export function jobTask(job: ModelJob, split?: DatasetSplit): TrainingTask {
  if (job.convection) return pinnTask(job.training.architecture as MlpArchitecture, convectionProblem(job.convection));
  if (!split) throw new ArgumentError('a classification job needs its dataset split', { field: job.id });
  const data = cellData(split, job.values);
  // The evaluation chunk of the original MLP trainer, so zoos rebuild byte for byte.
  return supervisedTask(job.training.architecture, data, {
    chunk: Math.max(Math.min(job.training.batchSize, data.train.size), 256),
  });
}

/** Inputs, outputs and image shape of the models of a spec (`split`: specDataset(spec), when already loaded). */
export function specShape(
  spec: ZooSpec,
  split?: DatasetSplit,
): {
  inputs: number;
  outputs: number;
  image?: readonly [number, number, number];
} {
  if (spec.dataset === 'convection') return { inputs: 2, outputs: 1 };
  const { train } = split ?? specDataset(spec);
  return { inputs: train.features, outputs: train.classes, image: train.image };
}

export function checkSpec(spec: ZooSpec): void {
  // resolveOptions rejects a non-object and unknown fields (listing the known ones).
  resolveOptions('zoo spec', ZOO_SPEC_DEFAULTS, spec);
  if (typeof spec.name !== 'string')
    throw new ArgumentError('a zoo spec needs a name', {
      field: 'name',
      expected: 'a string',
      found: typeof spec.name,
    });
  if (isDataFileSource(spec.dataset) || isDataModuleSource(spec.dataset)) {
    if (Object.keys(spec.datasetOptions ?? {}).length > 0)
      throw new ArgumentError('your own data takes its split options in the dataset object, not datasetOptions', {
        field: 'datasetOptions',
        expected: '{ file (or module), testFraction, seed }',
        found: JSON.stringify(spec.datasetOptions),
      });
  } else if (!DATASET_NAMES.includes(spec.dataset))
    throw new ArgumentError('unknown dataset', {
      field: 'dataset',
      expected: `${DATASET_NAMES.join(', ')}, { file } or { module }`,
      found: typeof spec.dataset === 'object' ? JSON.stringify(spec.dataset) : String(spec.dataset),
    });
  if (!spec.axes || typeof spec.axes !== 'object')
    throw new ArgumentError('axes must be an object of axis -> values', { field: 'axes', found: String(spec.axes) });
  checkOptionKeys('zoo spec axes', DEFAULT_HYPERPARAMETERS, Object.keys(spec.axes));
  if (spec.defaults !== undefined)
    checkOptionKeys('zoo spec defaults', DEFAULT_HYPERPARAMETERS, Object.keys(spec.defaults));
  if (!Array.isArray(spec.seeds) || spec.seeds.length === 0 || !spec.seeds.every(Number.isSafeInteger))
    throw new ArgumentError('seeds must be a non-empty list of integers', { field: 'seeds' });
  if (!(Number.isInteger(spec.epochs) && spec.epochs >= 1))
    throw new ArgumentError('epochs must be a positive integer', { field: 'epochs', found: String(spec.epochs) });
  for (const [axis, values] of Object.entries(spec.axes)) {
    if (
      !Array.isArray(values) ||
      values.length === 0 ||
      !values.every((v) => typeof v === 'number' && Number.isFinite(v))
    )
      throw new ArgumentError('axis values must be a non-empty list of numbers', { field: axis });
  }
  if (spec.architecture !== undefined && spec.architecture !== 'mlp' && spec.architecture !== 'cnn')
    throw new ArgumentError('unknown architecture', {
      field: 'architecture',
      expected: 'mlp | cnn',
      found: String(spec.architecture),
    });
  if (spec.architecture === 'cnn' && spec.dataset === 'convection')
    throw new ArgumentError('the convection PINN is an MLP of (x, t); a CNN needs an image dataset', {
      field: 'architecture',
    });
  if (spec.axes.beta && spec.dataset !== 'convection')
    throw new ArgumentError('beta is the convection coefficient: only a convection zoo sweeps it', { field: 'beta' });
}

/** The architecture of one cell: MLP, CNN (width = channels, depth = conv layers) or the PINN's tanh MLP. */
function cellArchitecture(
  spec: ZooSpec,
  values: Record<AxisName, number>,
  inputs: number,
  outputs: number,
  image?: readonly [number, number, number],
): NetworkArchitecture {
  const widths = Array.from({ length: values.depth }, () => values.width);
  if (spec.dataset === 'convection') return pinnArchitecture(widths, spec.activation ?? 'tanh');
  if (spec.architecture === 'cnn') {
    if (!image)
      throw new ArgumentError('a CNN zoo needs an image dataset (rows with an image shape)', {
        field: 'dataset',
        found: datasetName(spec.dataset),
      });
    return cnn([...image] as [number, number, number], widths, outputs, { activation: spec.activation ?? 'relu' });
  }
  return mlp(inputs, widths, outputs, spec.activation ?? 'relu');
}

/** Multiply-adds of one forward pass per example (scheduling weight: biggest jobs first). */
function forwardCost(arch: NetworkArchitecture): number {
  if (arch.kind !== 'cnn') return parameterCount(arch);
  return (
    convGeometry(arch).reduce((sum, g) => sum + g.positions * g.patch * g.outC, 0) +
    arch.channels[arch.channels.length - 1] * arch.outputs
  );
}

/** Every model of the grid in grid order (axes in AXIS_NAMES order, seeds innermost). */
export function expandGrid(
  spec: ZooSpec,
  inputs: number,
  outputs: number,
  image?: readonly [number, number, number],
): ModelJob[] {
  checkSpec(spec);
  const swept = AXIS_NAMES.filter((axis) => spec.axes[axis] !== undefined);
  // An axis given as undefined in `defaults` keeps its default (undefined never erases one).
  const given = Object.fromEntries(Object.entries(spec.defaults ?? {}).filter(([, value]) => value !== undefined));
  const base: Record<AxisName, number> = { ...DEFAULT_HYPERPARAMETERS, depth: defaultDepth(spec), ...given };
  const cells: Record<AxisName, number>[] = [{ ...base }];
  for (const axis of swept) {
    const next: Record<AxisName, number>[] = [];
    for (const cell of cells) for (const value of spec.axes[axis]!) next.push({ ...cell, [axis]: value });
    cells.splice(0, cells.length, ...next);
  }
  const every = spec.checkpointEvery ?? spec.epochs;
  const checkpointEpochs = [
    ...new Set([0, ...Array.from({ length: Math.floor(spec.epochs / every) }, (_, i) => (i + 1) * every), spec.epochs]),
  ].sort((a, b) => a - b);
  const pinn = spec.dataset === 'convection';
  const activation = spec.activation ?? (pinn ? 'tanh' : 'relu');
  const jobs: ModelJob[] = [];
  for (const values of cells) {
    for (const seed of spec.seeds) {
      const id = modelId(Object.fromEntries(swept.map((axis) => [axis, values[axis]])), seed);
      const architecture = cellArchitecture(spec, values, inputs, outputs, image);
      const params: Record<string, unknown> = {
        'model::type': pinn ? 'PINN' : architecture.kind === 'cnn' ? 'CNN' : 'MLP',
        'model::i_dim': inputs,
        'model::o_dim': outputs,
        'model::width': values.width,
        'model::depth': values.depth,
        'model::nlin': activation,
        'model::init_type': 'kaiming_uniform',
        ...(architecture.kind === 'cnn'
          ? {
              'model::image': architecture.image,
              'model::channels': architecture.channels,
              'model::strides': architecture.strides,
              'model::kernel': architecture.kernel,
              'model::pooling': 'global_average',
            }
          : {}),
        'optim::optimizer': spec.optimizer ?? ZOO_SPEC_DEFAULTS.optimizer,
        'optim::lr': values.learning_rate,
        'optim::momentum': spec.momentum ?? ZOO_SPEC_DEFAULTS.momentum,
        'optim::wd': values.weight_decay,
        seed,
        'training::batchsize': values.batch_size,
        'training::epochs_train': spec.epochs,
        'training::output_epoch': every,
        'training::data_fraction': values.data_fraction,
        'training::label_noise': values.label_noise,
        'training::loss': pinn ? 'pinn_convection' : 'crossentropy',
        'dataset::name': datasetName(spec.dataset),
        ...(pinn ? { 'dataset::beta': values.beta } : {}),
      };
      const convection = pinn ? { ...spec.datasetOptions, beta: values.beta } : undefined;
      const examples = pinn ? (spec.datasetOptions?.collocation ?? 1000) : 2000;
      jobs.push({
        id,
        values,
        seed,
        params,
        checkpointEpochs,
        training: {
          architecture,
          seed,
          batchSize: values.batch_size,
          learningRate: values.learning_rate,
          momentum: spec.momentum ?? ZOO_SPEC_DEFAULTS.momentum,
          weightDecay: values.weight_decay,
          epochs: spec.epochs,
          ...(spec.optimizer ? { optimizer: spec.optimizer } : {}),
        },
        ...(convection ? { convection } : {}),
        cost:
          forwardCost(architecture) * spec.epochs * values.data_fraction + (examples * spec.epochs) / values.batch_size,
      });
    }
  }
  return jobs;
}

/** zoo.json axes under PTMZ keys (the serialised contract): only the swept axes. */
export function manifestAxes(spec: ZooSpec): Record<string, number[]> {
  const axes: Record<string, number[]> = {};
  for (const axis of AXIS_NAMES) if (spec.axes[axis]) axes[PTMZ_AXIS_KEYS[axis]] = [...spec.axes[axis]!];
  return axes;
}

/**
 * A model's id from its swept axes and seed: `axis=value` parts joined by '_', seed last, e.g.
 * `width=64_batch_size=32_seed=0` (the axis names of the table, so an id reads as its row; only
 * letters, digits and `._=+-`, so it is a safe folder name everywhere).
 */
export function modelId(swept: Partial<Record<AxisName, number>>, seed: number): string {
  const parts = AXIS_NAMES.filter((axis) => swept[axis] !== undefined).map(
    (axis) => `${axis}=${formatValue(swept[axis]!)}`,
  );
  return [...parts, `seed=${seed}`].join('_');
}
