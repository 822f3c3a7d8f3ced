// The data a zoo's models were trained on, rebuilt from what the zoo records: the dataset's name and
// generator options (zoo.json "data") and each model's data_fraction and label_noise. The builder
// trains on exactly these splits, and phase metrics and other readers of a built zoo evaluate on
// them, so both go through these functions instead of re-deriving the rules.

import { ArgumentError } from '../errors';
import { digits } from '../data/digits';
import { mnist } from '../data/mnist';
import { gaussianBlobs, modularAddition, parity, spirals, teacherStudent, twoMoons } from '../data/synthetic';
import { subsample, withLabelNoise, type DatasetSplit } from '../data/dataset';

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

/** A zoo's dataset as recorded in zoo.json: the generator's name and its options (size, seed, split). */
export interface ZooDataset {
  name: DatasetName;
  /** The generator's options; for 'convection', the PDE problem's (point counts, seed) besides beta. */
  options: Record<string, number>;
}

/** Loads a dataset with its fixed train/test split (before per-model subsets and label noise). */
export function datasetSplit(dataset: ZooDataset): DatasetSplit {
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
        found: String(dataset.name),
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
