// Model-level train / validation / test splits for property prediction. A zoo holds several
// checkpoints of every model (and, grouped by configuration, several seeds of one set of
// hyperparameters); checkpoints of one model are near copies, so a row-level split would let a
// predictor look its test models up in the training set. As in ModelZooDataset and SANE, the
// unit of the split is the group: every checkpoint of a group lands on the same side.

import { ArgumentError } from '../errors';
import { rng } from '../random/rng';

/** Which side of the split each row is on, and which groups each side holds. */
export interface GroupSplit {
  /** Row indices of the training side (ascending). */
  train: number[];
  /** Row indices used to choose predictor settings (ridge penalty, MLP stopping epoch). */
  validation: number[];
  /** Row indices the reported metrics are measured on. */
  test: number[];
  /** The groups of each side, sorted. */
  groups: { train: string[]; validation: string[]; test: string[] };
}

/**
 * Splits rows by group: the distinct groups are shuffled by `seed` and cut by `fractions`
 * (train, validation, test; they must sum to 1), each side getting at least one group
 * (the validation side may be empty when its fraction is 0). Rows keep their order within a side.
 */
export function splitByGroup(
  groups: readonly string[],
  fractions: readonly [number, number, number],
  seed: number,
): GroupSplit {
  if (
    !Array.isArray(fractions) ||
    fractions.length !== 3 ||
    fractions.some((f) => typeof f !== 'number' || !(f >= 0)) ||
    Math.abs(fractions[0] + fractions[1] + fractions[2] - 1) > 1e-9 ||
    fractions[0] === 0 ||
    fractions[2] === 0
  )
    throw new ArgumentError('split fractions are [train, validation, test], non-negative, summing to 1', {
      field: 'split',
      expected: 'e.g. [0.6, 0.2, 0.2] with train and test above 0',
      found: JSON.stringify(fractions),
    });
  // Sorted first, so the split depends on the set of groups and the seed, not on row order.
  const distinct = [...new Set(groups)].sort();
  const needed = fractions[1] > 0 ? 3 : 2;
  if (distinct.length < needed)
    throw new ArgumentError('too few models to split into train, validation and test', {
      field: 'groups',
      expected: `at least ${needed} distinct groups`,
      found: `${distinct.length}`,
    });
  const order = rng(seed).fold('split').permutation(distinct.length);
  const shuffled = Array.from(order, (k) => distinct[k]);
  const count = distinct.length;
  let testCount = Math.max(1, Math.round(fractions[2] * count));
  let validationCount = fractions[1] > 0 ? Math.max(1, Math.round(fractions[1] * count)) : 0;
  // Rounding up small sides must leave at least one training group.
  while (testCount + validationCount > count - 1) {
    if (validationCount > 1 && validationCount >= testCount) validationCount--;
    else testCount--;
  }
  const side = new Map<string, 'train' | 'validation' | 'test'>();
  shuffled.forEach((group, k) =>
    side.set(group, k < testCount ? 'test' : k < testCount + validationCount ? 'validation' : 'train'),
  );
  const split: GroupSplit = { train: [], validation: [], test: [], groups: { train: [], validation: [], test: [] } };
  groups.forEach((group, row) => split[side.get(group)!].push(row));
  for (const group of distinct) split.groups[side.get(group)!].push(group);
  return split;
}
