// The data a zoo's models were trained on, rebuilt from what the zoo records: the dataset's name and
// generator options, or a user's file or module with the SHA-256 of its content (zoo.json "data"),
// and each model's data_fraction and label_noise. The builder trains on exactly these splits, and
// phase metrics and other readers of a built zoo evaluate on them, so both go through these
// functions instead of re-deriving the rules.

import * as path from 'node:path';
import { ArgumentError, FormatError } from '../errors';
import { digits } from '../data/digits';
import { mnist } from '../data/mnist';
import { gaussianBlobs, modularAddition, parity, spirals, teacherStudent, twoMoons } from '../data/synthetic';
import { subsample, withLabelNoise, type DatasetSplit } from '../data/dataset';
import {
  openDataSource,
  type DataFileSource,
  type DataFormat,
  type DataModuleSource,
  type OpenedData,
} from './data-source';

/** Classification datasets, and 'convection': the 1-D convection PINN (no data; the loss is the PDE's). */
export type DatasetName =
  | 'digits'
  | 'mnist'
  | 'teacher-student'
  | 'blobs'
  | 'two-moons'
  | 'spirals'
  | 'parity'
  | 'modular-addition'
  | 'convection';

export const DATASET_NAMES: readonly DatasetName[] = [
  'digits',
  'mnist',
  'teacher-student',
  'blobs',
  'two-moons',
  'spirals',
  'parity',
  'modular-addition',
  'convection',
];

/** A zoo's dataset: a bundled or generated dataset's name, or the user's own data in a file or module. */
export type DatasetSource = DatasetName | DataFileSource | DataModuleSource;

/** A bundled or generated dataset as recorded in zoo.json: the generator's name and its options (size, seed, split). */
export interface GeneratedZooDataset {
  name: DatasetName;
  /** The generator's options; for 'convection', the PDE problem's (point counts, seed) besides beta. */
  options: Record<string, number>;
}

/** The user's own data as recorded in zoo.json: where it was read from and the SHA-256 that identifies it. */
export interface CustomZooDataset {
  name: 'file' | 'module';
  /** testFraction and seed of the split, and classes when the spec gave it. */
  options: Record<string, number>;
  /** The file or module: relative to the zoo's folder when inside it, else absolute. */
  source: string;
  format: DataFormat;
  /** SHA-256 of the file's bytes, or of the arrays the module produced (see OpenedData.sha256). */
  sha256: string;
  /** The features array's name (.npz, .safetensors). */
  x?: string;
  /** The labels: array name, .npy file (relative to the features file) or CSV column. */
  y?: string;
  /** The module's export. */
  export?: string;
}

/** A zoo's dataset as recorded in zoo.json. */
export type ZooDataset = GeneratedZooDataset | CustomZooDataset;

export function isCustomDataset(dataset: ZooDataset): dataset is CustomZooDataset {
  return dataset.name === 'file' || dataset.name === 'module';
}

/** A spec's data source as it is recorded (the path absolute; buildZoo makes it relative to the zoo when inside). */
export function customDatasetRecord(source: DataFileSource | DataModuleSource, opened: OpenedData): CustomZooDataset {
  const options: Record<string, number> = {
    testFraction: source.testFraction ?? 0.2,
    seed: source.seed ?? 0,
    ...(source.classes !== undefined ? { classes: source.classes } : {}),
  };
  if ('module' in source)
    return {
      name: 'module',
      options,
      source: opened.path,
      format: 'module',
      sha256: opened.sha256,
      export: source.export ?? 'default',
    };
  return {
    name: 'file',
    options,
    source: opened.path,
    format: opened.format,
    sha256: opened.sha256,
    ...(source.x !== undefined ? { x: source.x } : {}),
    ...(source.y !== undefined ? { y: source.y } : {}),
  };
}

/** The source a record was made from, with its path taken from `base` when relative (the zoo's folder). */
export function recordedSource(record: CustomZooDataset, base?: string): DataFileSource | DataModuleSource {
  const where = base === undefined ? record.source : path.resolve(base, record.source);
  const split = {
    testFraction: record.options.testFraction,
    seed: record.options.seed,
    classes: record.options.classes,
  };
  if (record.name === 'module') return { module: where, export: record.export, ...split };
  return { file: where, x: record.x, y: record.y, ...split };
}

/**
 * What identifies a dataset regardless of where its file lies: everything recorded but the
 * path. Two zoos (or a zoo and its resumed build) used the same data when these are equal.
 */
export function datasetIdentity(dataset: ZooDataset): Omit<ZooDataset, 'source'> {
  if (!isCustomDataset(dataset)) return dataset;
  const { source: _source, ...identity } = dataset;
  return identity;
}

/** A dataset's short description for cache keys and messages: `name(options)`, plus `@sha256` for the user's data. */
export function datasetLabel(dataset: ZooDataset): string {
  const text = `${dataset.name}(${JSON.stringify(dataset.options)})`;
  return isCustomDataset(dataset) ? `${text}@${dataset.sha256}` : text;
}

/**
 * Loads a dataset with its fixed train/test split (before per-model subsets and label noise). The
 * user's data is read again from its recorded source (a relative path is taken from `base`, the
 * zoo's folder) and refused with a FormatError when its SHA-256 is no longer the recorded one; a
 * recorded module runs only when $WEIGHTLAB_DATA_MODULES lists it (an ArgumentError otherwise).
 */
export function datasetSplit(dataset: ZooDataset, base?: string): DatasetSplit {
  if (isCustomDataset(dataset)) {
    // 'recorded': a module named only by zoo.json runs only when the user listed it (see DATA_MODULES_VARIABLE).
    const opened = openDataSource(recordedSource(dataset, base), undefined, 'recorded');
    if (opened.sha256 !== dataset.sha256)
      throw new FormatError(
        `the data changed since the zoo recorded it: SHA-256 ${opened.sha256} is not the recorded ${dataset.sha256}`,
        { file: opened.path, field: 'data.sha256', expected: dataset.sha256, found: opened.sha256 },
      );
    return opened.split;
  }
  const o = dataset.options;
  switch (dataset.name) {
    case 'digits':
      return digits({ testFraction: o.testFraction, seed: o.seed });
    case 'mnist':
      return mnist({ testFraction: o.testFraction, seed: o.seed, perClass: o.perClass, size: o.size });
    case 'teacher-student':
      return teacherStudent(o);
    case 'blobs':
      return gaussianBlobs(o);
    case 'two-moons':
      return twoMoons(o);
    case 'spirals':
      return spirals(o);
    case 'parity':
      return parity(o);
    case 'modular-addition':
      return modularAddition(o);
    case 'convection':
      throw new ArgumentError('the convection zoo has no dataset: its models are trained on the PDE', {
        field: 'dataset',
      });
    default:
      throw new ArgumentError('unknown dataset', {
        field: 'dataset',
        expected: DATASET_NAMES.join(', '),
        found: String((dataset as { name: unknown }).name),
      });
  }
}

/**
 * The training data of one model: its cell's data fraction and label noise applied to the split
 * (seeded by the dataset, not the model, so the seeds of a cell see the same rows).
 */
export function cellData(
  split: DatasetSplit,
  hyperparameters: { data_fraction?: number; label_noise?: number },
): DatasetSplit {
  const fraction = hyperparameters.data_fraction ?? 1;
  const noise = hyperparameters.label_noise ?? 0;
  let train = split.train;
  if (fraction < 1) train = subsample(train, fraction, 0);
  if (noise > 0) train = withLabelNoise(train, noise, 0);
  return { train, test: split.test };
}
