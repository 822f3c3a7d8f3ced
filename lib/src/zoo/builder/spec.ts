// What a zoo is made of: a grid of hyperparameter axes x seeds over one dataset and one
// architecture family, expanded into model jobs with stable ids and PTMZ-named params.json.
// Pure functions of the spec, so the builder, its workers and a resumed build agree on
// every model without talking to each other.

import { ArgumentError } from '../../errors';
import { digits } from '../../data/digits';
import { convectionProblem, gaussianBlobs, modularAddition, parity, spirals, teacherStudent, twoMoons } from '../../data/synthetic';
import { subsample, withLabelNoise, type DatasetSplit } from '../../data/dataset';
import { mlp, parameterCount, type MlpActivation, type MlpArchitecture } from '../../train/mlp';
import { cnn, convGeometry } from '../../train/cnn';
import { pinnArchitecture, pinnTask } from '../../train/pinn';
import { supervisedTask, type TrainingTask } from '../../train/task';
import type { NetworkArchitecture } from '../../train/network';
import type { TrainingJob } from '../../train/sgd';

/**
 * Hyperparameters a zoo can sweep (width, data fraction and the PINN's beta are load-like; batch
 * size and learning rate temperature-like). For a CNN, width is the channel count of every conv
 * layer and depth the number of conv layers.
 */
export type AxisName = 'width' | 'depth' | 'batchSize' | 'learningRate' | 'weightDecay' | 'dataFraction' | 'labelNoise' | 'beta';

/** Each axis's PTMZ/ModelZoos key in params.json and zoo.json, and its short tag in model ids. */
export const AXIS_KEYS: Record<AxisName, { key: string; tag: string }> = {
  width: { key: 'model::width', tag: 'w' },
  depth: { key: 'model::depth', tag: 'd' },
  batchSize: { key: 'training::batchsize', tag: 'b' },
  learningRate: { key: 'optim::lr', tag: 'lr' },
  weightDecay: { key: 'optim::wd', tag: 'wd' },
  dataFraction: { key: 'training::data_fraction', tag: 'f' },
  labelNoise: { key: 'training::label_noise', tag: 'n' },
  beta: { key: 'dataset::beta', tag: 'beta' },
};

/** Classification datasets, and 'convection': the 1-D convection PINN (no data; the loss is the PDE's). */
export type DatasetName = 'digits' | 'teacher-student' | 'blobs' | 'two-moons' | 'spirals' | 'parity' | 'modular-addition' | 'convection';

export interface ZooSpec {
  /** Free-text name written to zoo.json. */
  name: string;
  dataset: DatasetName;
  /** Options of the synthetic generator (size, seed, ...); the split seed is part of them. */
  datasetOptions?: Record<string, number>;
  /** 'mlp' (default) or 'cnn' (image datasets: 3x3 convs, strides 1, 2, 2, ..., global average pooling, linear). A convection zoo is always a tanh MLP of (x, t). */
  architecture?: 'mlp' | 'cnn';
  /** Default ReLU for classifiers, tanh for the PINN. */
  activation?: MlpActivation;
  /** 'sgd' (default; PyTorch SGD with momentum) or 'adam' (betas (momentum, 0.999)). */
  optimizer?: 'sgd' | 'adam';
  /** The grid: axis -> values. Axes not listed take their value from `defaults`. */
  axes: Partial<Record<AxisName, number[]>>;
  /** Model seeds per grid cell (initialisation and data order). */
  seeds: number[];
  /** Values of the axes that are not swept. */
  defaults?: Partial<Record<AxisName, number>>;
  epochs: number;
  momentum?: number;
  /** Write a checkpoint every k epochs (and always at epoch 0 and the last epoch). */
  checkpointEvery?: number;
}

export const DEFAULT_HYPERPARAMETERS: Record<AxisName, number> = {
  width: 32, depth: 1, batchSize: 32, learningRate: 0.05, weightDecay: 5e-4, dataFraction: 1, labelNoise: 0, beta: 1,
};

/** Depth when neither the grid nor the defaults set it: 2 conv layers for a CNN, else 1 hidden layer. */
function defaultDepth(spec: ZooSpec): number {
  return spec.architecture === 'cnn' ? 2 : DEFAULT_HYPERPARAMETERS.depth;
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
  const o = spec.datasetOptions ?? {};
  switch (spec.dataset) {
    case 'digits': return digits({ testFraction: o.testFraction, seed: o.seed });
    case 'teacher-student': return teacherStudent(o);
    case 'blobs': return gaussianBlobs(o);
    case 'two-moons': return twoMoons(o);
    case 'spirals': return spirals(o);
    case 'parity': return parity(o);
    case 'modular-addition': return modularAddition(o);
    case 'convection': throw new ArgumentError('the convection zoo has no dataset: its models are trained on the PDE (see jobTask)', { field: 'dataset' });
    default: throw new ArgumentError('unknown dataset', { field: 'dataset', found: String(spec.dataset) });
  }
}

/** The training data of one model: the data fraction and label noise of its cell (seeded by the dataset, not the model, so seeds of a cell see the same rows). */
export function jobData(split: DatasetSplit, values: Record<AxisName, number>): DatasetSplit {
  let train = split.train;
  if (values.dataFraction < 1) train = subsample(train, values.dataFraction, 0);
  if (values.labelNoise > 0) train = withLabelNoise(train, values.labelNoise, 0);
  return { train, test: split.test };
}

/**
 * The training task of one model: classification of its cell's data (data fraction, label noise)
 * with an MLP or CNN, or the convection PINN at its cell's beta. `split` is specDataset(spec)
 * (loaded once per thread; unused for convection).
 */
export function jobTask(job: ModelJob, split?: DatasetSplit): TrainingTask {
  if (job.convection) return pinnTask(job.training.architecture as MlpArchitecture, convectionProblem(job.convection));
  if (!split) throw new ArgumentError('a classification job needs its dataset split', { field: job.id });
  const data = jobData(split, job.values);
  // The evaluation chunk of the original MLP trainer, so zoos rebuild byte for byte.
  return supervisedTask(job.training.architecture, data, { chunk: Math.max(Math.min(job.training.batchSize, data.train.size), 256) });
}

/** Inputs, outputs and image shape of the models of a spec. */
export function specShape(spec: ZooSpec): { inputs: number; outputs: number; image?: readonly [number, number, number] } {
  if (spec.dataset === 'convection') return { inputs: 2, outputs: 1 };
  const { train } = specDataset(spec);
  return { inputs: train.features, outputs: train.classes, image: train.image };
}

export function checkSpec(spec: ZooSpec): void {
  if (!spec || typeof spec !== 'object') throw new ArgumentError('a zoo spec is an object');
  if (!Array.isArray(spec.seeds) || spec.seeds.length === 0 || !spec.seeds.every(Number.isSafeInteger)) throw new ArgumentError('seeds must be a non-empty list of integers', { field: 'seeds' });
  if (!(Number.isInteger(spec.epochs) && spec.epochs >= 1)) throw new ArgumentError('epochs must be a positive integer', { field: 'epochs', found: String(spec.epochs) });
  for (const [axis, values] of Object.entries(spec.axes)) {
    if (!(axis in AXIS_KEYS)) throw new ArgumentError('unknown axis', { field: axis, expected: Object.keys(AXIS_KEYS).join(', ') });
    if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) throw new ArgumentError('axis values must be a non-empty list of numbers', { field: axis });
  }
  if (spec.architecture !== undefined && spec.architecture !== 'mlp' && spec.architecture !== 'cnn') throw new ArgumentError('unknown architecture', { field: 'architecture', expected: 'mlp | cnn', found: String(spec.architecture) });
  if (spec.architecture === 'cnn' && spec.dataset === 'convection') throw new ArgumentError('the convection PINN is an MLP of (x, t); a CNN needs an image dataset', { field: 'architecture' });
  if (spec.axes.beta && spec.dataset !== 'convection') throw new ArgumentError('beta is the convection coefficient: only a convection zoo sweeps it', { field: 'beta' });
}

/** The architecture of one cell: MLP, CNN (width = channels, depth = conv layers) or the PINN's tanh MLP. */
function cellArchitecture(spec: ZooSpec, values: Record<AxisName, number>, inputs: number, outputs: number, image?: readonly [number, number, number]): NetworkArchitecture {
  const widths = Array.from({ length: values.depth }, () => values.width);
  if (spec.dataset === 'convection') return pinnArchitecture(widths, spec.activation ?? 'tanh');
  if (spec.architecture === 'cnn') {
    if (!image) throw new ArgumentError('a CNN zoo needs an image dataset (rows with an image shape)', { field: 'dataset', found: spec.dataset });
    return cnn([...image] as [number, number, number], widths, outputs, { activation: spec.activation ?? 'relu' });
  }
  return mlp(inputs, widths, outputs, spec.activation ?? 'relu');
}

/** Multiply-adds of one forward pass per example (scheduling weight: biggest jobs first). */
function forwardCost(arch: NetworkArchitecture): number {
  if (arch.kind !== 'cnn') return parameterCount(arch);
  return convGeometry(arch).reduce((sum, g) => sum + g.positions * g.patch * g.outC, 0) + arch.channels[arch.channels.length - 1] * arch.outputs;
}

/** Every model of the grid in grid order (axes in AXIS_KEYS order, seeds innermost). */
export function expandGrid(spec: ZooSpec, inputs: number, outputs: number, image?: readonly [number, number, number]): ModelJob[] {
  checkSpec(spec);
  const swept = (Object.keys(AXIS_KEYS) as AxisName[]).filter((axis) => spec.axes[axis] !== undefined);
  const base: Record<AxisName, number> = { ...DEFAULT_HYPERPARAMETERS, depth: defaultDepth(spec), ...spec.defaults };
  const cells: Record<AxisName, number>[] = [{ ...base }];
  for (const axis of swept) {
    const next: Record<AxisName, number>[] = [];
    for (const cell of cells) for (const value of spec.axes[axis]!) next.push({ ...cell, [axis]: value });
    cells.splice(0, cells.length, ...next);
  }
  const every = spec.checkpointEvery ?? spec.epochs;
  const checkpointEpochs = [...new Set([0, ...Array.from({ length: Math.floor(spec.epochs / every) }, (_, i) => (i + 1) * every), spec.epochs])].sort((a, b) => a - b);
  const pinn = spec.dataset === 'convection';
  const activation = spec.activation ?? (pinn ? 'tanh' : 'relu');
  const jobs: ModelJob[] = [];
  for (const values of cells) {
    for (const seed of spec.seeds) {
      const id = [...swept.map((axis) => `${AXIS_KEYS[axis].tag}${formatValue(values[axis])}`), `s${seed}`].join('_');
      const architecture = cellArchitecture(spec, values, inputs, outputs, image);
      const params: Record<string, unknown> = {
        'model::type': pinn ? 'PINN' : architecture.kind === 'cnn' ? 'CNN' : 'MLP',
        'model::i_dim': inputs,
        'model::o_dim': outputs,
        'model::width': values.width,
        'model::depth': values.depth,
        'model::nlin': activation,
        'model::init_type': 'kaiming_uniform',
        ...(architecture.kind === 'cnn' ? { 'model::image': architecture.image, 'model::channels': architecture.channels, 'model::strides': architecture.strides, 'model::kernel': architecture.kernel, 'model::pooling': 'global_average' } : {}),
        'optim::optimizer': spec.optimizer ?? 'sgd',
        'optim::lr': values.learningRate,
        'optim::momentum': spec.momentum ?? 0.9,
        'optim::wd': values.weightDecay,
        seed,
        'training::batchsize': values.batchSize,
        'training::epochs_train': spec.epochs,
        'training::output_epoch': every,
        'training::data_fraction': values.dataFraction,
        'training::label_noise': values.labelNoise,
        'training::loss': pinn ? 'pinn_convection' : 'crossentropy',
        'dataset::name': spec.dataset,
        ...(pinn ? { 'dataset::beta': values.beta } : {}),
      };
      const convection = pinn ? { ...spec.datasetOptions, beta: values.beta } : undefined;
      const examples = pinn ? (spec.datasetOptions?.collocation ?? 1000) : 2000;
      jobs.push({
        id, values, seed, params, checkpointEpochs,
        training: { architecture, seed, batchSize: values.batchSize, learningRate: values.learningRate, momentum: spec.momentum ?? 0.9, weightDecay: values.weightDecay, epochs: spec.epochs, ...(spec.optimizer ? { optimizer: spec.optimizer } : {}) },
        ...(convection ? { convection } : {}),
        cost: forwardCost(architecture) * spec.epochs * values.dataFraction + examples * spec.epochs / values.batchSize,
      });
    }
  }
  return jobs;
}

/** zoo.json axes under PTMZ keys: only the swept axes. */
export function manifestAxes(spec: ZooSpec): Record<string, number[]> {
  const axes: Record<string, number[]> = {};
  for (const axis of Object.keys(AXIS_KEYS) as AxisName[]) if (spec.axes[axis]) axes[AXIS_KEYS[axis].key] = [...spec.axes[axis]!];
  return axes;
}
