// The in-memory dataset every zoo builder, trainer and landscape metric consumes: a dense
// float64 feature matrix plus integer class labels (or real targets), with the seeded
// operations the load axes of a phase diagram need (subsets, label noise, fixed splits).

import { ArgumentError, ShapeError } from '../errors';
import { rng } from '../random/rng';
import { resolveOptions, type OptionDefaults } from '../options/resolve';

export interface Dataset {
  /** Short id used in zoo manifests and cache keys, e.g. 'digits' or 'two-moons(n=512,noise=0.1,seed=0)'. */
  name: string;
  /** Row-major features, `size x features`. */
  x: Float64Array;
  /** Class index per row (classification); for regression a zero-filled array. */
  y: Int32Array;
  /** Real-valued targets per row (regression, `size x outputs`), absent for classification. */
  targets?: Float64Array;
  size: number;
  features: number;
  /** Number of classes (0 for regression). */
  classes: number;
  /** Image layout when rows are images (channels, height, width), for the small CNN. */
  image?: readonly [number, number, number];
}

export interface DatasetSplit {
  train: Dataset;
  test: Dataset;
}

/** Builds and checks a dataset from its parts (throws ShapeError on inconsistent lengths). */
export function dataset(
  name: string,
  x: Float64Array,
  y: Int32Array,
  features: number,
  classes: number,
  extra: Partial<Dataset> = {},
): Dataset {
  const size = y.length;
  if (x.length !== size * features)
    throw new ShapeError('feature matrix does not match labels', {
      field: name,
      expected: `${size} x ${features}`,
      found: `${x.length} values`,
    });
  for (let i = 0; i < size && classes > 0; i++) {
    if (y[i] < 0 || y[i] >= classes)
      throw new ArgumentError('label out of range', {
        field: name,
        expected: `0..${classes - 1}`,
        found: String(y[i]),
      });
  }
  return { name, x, y, size, features, classes, ...extra };
}

/** The rows `indices` of `data`, in that order. */
export function selectRows(data: Dataset, indices: ArrayLike<number>, name = data.name): Dataset {
  const f = data.features;
  const x = new Float64Array(indices.length * f);
  const y = new Int32Array(indices.length);
  const outputs = data.targets ? data.targets.length / data.size : 0;
  const targets = data.targets ? new Float64Array(indices.length * outputs) : undefined;
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r];
    x.set(data.x.subarray(i * f, (i + 1) * f), r * f);
    y[r] = data.y[i];
    if (targets) targets.set(data.targets!.subarray(i * outputs, (i + 1) * outputs), r * outputs);
  }
  return { ...data, name, x, y, targets, size: indices.length };
}

export interface SplitOptions {
  /**
   * Fraction of each class held out as the test set.
   * @default 0.2
   */
  testFraction?: number;
  /**
   * Seed of the permutation.
   * @default 0
   */
  seed?: number;
}

/** The defaults of splitDataset and digits (see SplitOptions). */
export const SPLIT_DEFAULTS = { testFraction: 0.2, seed: 0 } as const satisfies OptionDefaults<SplitOptions>;

/**
 * A fixed train/test split: a seeded permutation, the first `testFraction` of it as test.
 * Stratified per class for classification so small test sets still hold every class.
 */
export function splitDataset(data: Dataset, options: SplitOptions = {}): DatasetSplit {
  const { testFraction, seed } = resolveOptions('splitDataset', SPLIT_DEFAULTS, options);
  if (!(testFraction > 0 && testFraction < 1))
    throw new ArgumentError('testFraction must be in (0, 1)', { field: 'testFraction', found: String(testFraction) });
  const random = rng(seed).fold('split');
  const train: number[] = [];
  const test: number[] = [];
  const groups = data.classes > 0 ? data.classes : 1;
  for (let c = 0; c < groups; c++) {
    const members: number[] = [];
    for (let i = 0; i < data.size; i++) if (data.classes === 0 || data.y[i] === c) members.push(i);
    const order = random.fold(c).permutation(members.length);
    const cut = Math.round(members.length * testFraction);
    for (let k = 0; k < members.length; k++) (k < cut ? test : train).push(members[order[k]]);
  }
  train.sort((a, b) => a - b);
  test.sort((a, b) => a - b);
  return { train: selectRows(data, train, `${data.name}/train`), test: selectRows(data, test, `${data.name}/test`) };
}

/** A seeded subset holding `fraction` of the rows (the data-amount load axis of Yang et al.). */
export function subsample(data: Dataset, fraction: number, seed = 0): Dataset {
  if (!(fraction > 0 && fraction <= 1))
    throw new ArgumentError('fraction must be in (0, 1]', { found: String(fraction) });
  if (fraction === 1) return data;
  const order = rng(seed).fold('subsample').permutation(data.size);
  const keep = Array.from(order.subarray(0, Math.max(1, Math.round(fraction * data.size)))).sort((a, b) => a - b);
  return selectRows(data, keep, `${data.name}[fraction=${fraction}]`);
}

/**
 * Replaces the labels of a seeded `fraction` of the rows by a different class drawn
 * uniformly (the label-noise load axis; the noisy rows never keep their true label).
 */
export function withLabelNoise(data: Dataset, fraction: number, seed = 0): Dataset {
  if (!(fraction >= 0 && fraction <= 1))
    throw new ArgumentError('label noise fraction must be in [0, 1]', { found: String(fraction) });
  if (data.classes < 2) throw new ArgumentError('label noise needs a classification dataset');
  if (fraction === 0) return data;
  const random = rng(seed).fold('label-noise');
  const order = random.permutation(data.size);
  const count = Math.round(fraction * data.size);
  const shifts = random.integers(count, 1, data.classes);
  const y = Int32Array.from(data.y);
  for (let k = 0; k < count; k++) y[order[k]] = (y[order[k]] + shifts[k]) % data.classes;
  return { ...data, name: `${data.name}[noise=${fraction}]`, y };
}

/** Per-feature standardisation with statistics from `reference` (the train set), so test rows use train statistics. */
export function standardize(data: Dataset, reference: Dataset = data): Dataset {
  const f = data.features;
  const mean = new Float64Array(f);
  const scale = new Float64Array(f);
  for (let i = 0; i < reference.size; i++) for (let j = 0; j < f; j++) mean[j] += reference.x[i * f + j];
  for (let j = 0; j < f; j++) mean[j] /= reference.size;
  for (let i = 0; i < reference.size; i++)
    for (let j = 0; j < f; j++) scale[j] += (reference.x[i * f + j] - mean[j]) ** 2;
  // Constant pixels (digits' border) have zero spread: leave them centred, not divided by 0.
  for (let j = 0; j < f; j++) scale[j] = scale[j] > 0 ? Math.sqrt(scale[j] / reference.size) : 1;
  const x = new Float64Array(data.x.length);
  for (let i = 0; i < data.size; i++)
    for (let j = 0; j < f; j++) x[i * f + j] = (data.x[i * f + j] - mean[j]) / scale[j];
  return { ...data, x };
}
