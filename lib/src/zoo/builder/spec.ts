// What a zoo is made of: a grid of hyperparameter axes x seeds over one dataset and one
// architecture family, expanded into model jobs with stable ids and PTMZ-named params.json.
// Pure functions of the spec, so the builder, its workers and a resumed build agree on
// every model without talking to each other.

import { ArgumentError } from '../../errors';
import { digits } from '../../data/digits';
import { gaussianBlobs, modularAddition, parity, spirals, teacherStudent, twoMoons } from '../../data/synthetic';
import { subsample, withLabelNoise, type DatasetSplit } from '../../data/dataset';
import { mlp, parameterCount, type MlpActivation, type MlpArchitecture } from '../../train/mlp';
import type { TrainingJob } from '../../train/sgd';

/** Hyperparameters a zoo can sweep (width and data fraction are load-like; batch size and learning rate temperature-like). */
export type AxisName = 'width' | 'depth' | 'batchSize' | 'learningRate' | 'weightDecay' | 'dataFraction' | 'labelNoise';

/** Each axis's PTMZ/ModelZoos key in params.json and zoo.json, and its short tag in model ids. */
export const AXIS_KEYS: Record<AxisName, { key: string; tag: string }> = {
  width: { key: 'model::width', tag: 'w' },
  depth: { key: 'model::depth', tag: 'd' },
  batchSize: { key: 'training::batchsize', tag: 'b' },
  learningRate: { key: 'optim::lr', tag: 'lr' },
  weightDecay: { key: 'optim::wd', tag: 'wd' },
  dataFraction: { key: 'training::data_fraction', tag: 'f' },
  labelNoise: { key: 'training::label_noise', tag: 'n' },
};

export type DatasetName = 'digits' | 'teacher-student' | 'blobs' | 'two-moons' | 'spirals' | 'parity' | 'modular-addition';

export interface ZooSpec {
  /** Free-text name written to zoo.json. */
  name: string;
  dataset: DatasetName;
  /** Options of the synthetic generator (size, seed, ...); the split seed is part of them. */
  datasetOptions?: Record<string, number>;
  activation?: MlpActivation;
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
  width: 32, depth: 1, batchSize: 32, learningRate: 0.05, weightDecay: 5e-4, dataFraction: 1, labelNoise: 0,
};

export interface ModelJob {
  id: string;
  /** Grid coordinates (every axis, swept or not) and the seed. */
  values: Record<AxisName, number>;
  seed: number;
  params: Record<string, unknown>;
  training: TrainingJob;
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

export function checkSpec(spec: ZooSpec): void {
  if (!spec || typeof spec !== 'object') throw new ArgumentError('a zoo spec is an object');
  if (!Array.isArray(spec.seeds) || spec.seeds.length === 0 || !spec.seeds.every(Number.isSafeInteger)) throw new ArgumentError('seeds must be a non-empty list of integers', { field: 'seeds' });
  if (!(Number.isInteger(spec.epochs) && spec.epochs >= 1)) throw new ArgumentError('epochs must be a positive integer', { field: 'epochs', found: String(spec.epochs) });
  for (const [axis, values] of Object.entries(spec.axes)) {
    if (!(axis in AXIS_KEYS)) throw new ArgumentError('unknown axis', { field: axis, expected: Object.keys(AXIS_KEYS).join(', ') });
    if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) throw new ArgumentError('axis values must be a non-empty list of numbers', { field: axis });
  }
}

/** Every model of the grid in grid order (axes in AXIS_KEYS order, seeds innermost). */
export function expandGrid(spec: ZooSpec, inputs: number, outputs: number): ModelJob[] {
  checkSpec(spec);
  const swept = (Object.keys(AXIS_KEYS) as AxisName[]).filter((axis) => spec.axes[axis] !== undefined);
  const base: Record<AxisName, number> = { ...DEFAULT_HYPERPARAMETERS, ...spec.defaults };
  const cells: Record<AxisName, number>[] = [{ ...base }];
  for (const axis of swept) {
    const next: Record<AxisName, number>[] = [];
    for (const cell of cells) for (const value of spec.axes[axis]!) next.push({ ...cell, [axis]: value });
    cells.splice(0, cells.length, ...next);
  }
  const every = spec.checkpointEvery ?? spec.epochs;
  const checkpointEpochs = [...new Set([0, ...Array.from({ length: Math.floor(spec.epochs / every) }, (_, i) => (i + 1) * every), spec.epochs])].sort((a, b) => a - b);
  const activation = spec.activation ?? 'relu';
  const jobs: ModelJob[] = [];
  for (const values of cells) {
    for (const seed of spec.seeds) {
      const id = [...swept.map((axis) => `${AXIS_KEYS[axis].tag}${formatValue(values[axis])}`), `s${seed}`].join('_');
      const architecture: MlpArchitecture = mlp(inputs, Array.from({ length: values.depth }, () => values.width), outputs, activation);
      const params: Record<string, unknown> = {
        'model::type': 'MLP',
        'model::i_dim': inputs,
        'model::o_dim': outputs,
        'model::width': values.width,
        'model::depth': values.depth,
        'model::nlin': activation,
        'model::init_type': 'kaiming_uniform',
        'optim::optimizer': 'sgd',
        'optim::lr': values.learningRate,
        'optim::momentum': spec.momentum ?? 0.9,
        'optim::wd': values.weightDecay,
        seed,
        'training::batchsize': values.batchSize,
        'training::epochs_train': spec.epochs,
        'training::output_epoch': every,
        'training::data_fraction': values.dataFraction,
        'training::label_noise': values.labelNoise,
        'training::loss': 'crossentropy',
        'dataset::name': spec.dataset,
      };
      jobs.push({
        id, values, seed, params, checkpointEpochs,
        training: { architecture, seed, batchSize: values.batchSize, learningRate: values.learningRate, momentum: spec.momentum ?? 0.9, weightDecay: values.weightDecay, epochs: spec.epochs },
        cost: parameterCount(architecture) * spec.epochs * values.dataFraction + 2000 * spec.epochs / values.batchSize,
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
