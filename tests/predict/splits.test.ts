// Model-level splits: no group on two sides, every row of a group together, the fractions kept,
// the split a function of the set of groups and the seed only; typed errors for bad fractions
// and too few groups.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, splitByGroup } from 'weightlab/internal';

/** 30 models with 1 to 4 checkpoints each, rows interleaved as a zoo table by epoch would be. */
function rowsOfModels(): string[] {
  const groups: string[] = [];
  for (let epoch = 0; epoch < 4; epoch++)
    for (let model = 0; model < 30; model++) if (epoch <= model % 4) groups.push(`model-${model}`);
  return groups;
}

test('no model is on two sides, all its checkpoints are together, and every row is placed once', () => {
  const groups = rowsOfModels();
  for (const seed of [0, 1, 2, 3]) {
    const split = splitByGroup(groups, [0.6, 0.2, 0.2], seed);
    const sideOf = new Map<string, string>();
    for (const side of ['train', 'validation', 'test'] as const)
      for (const row of split[side]) {
        const previous = sideOf.get(groups[row]);
        assert.ok(previous === undefined || previous === side, `${groups[row]} on ${previous} and ${side}`);
        sideOf.set(groups[row], side);
      }
    const placed = [...split.train, ...split.validation, ...split.test].sort((a, b) => a - b);
    assert.deepEqual(
      placed,
      groups.map((_, i) => i),
    );
    assert.deepEqual([split.groups.train.length, split.groups.validation.length, split.groups.test.length], [18, 6, 6]);
    for (const side of ['train', 'validation', 'test'] as const)
      for (const group of split.groups[side]) assert.equal(sideOf.get(group), side);
  }
});

test('the split depends on the seed and the set of groups, not on row order', () => {
  const groups = rowsOfModels();
  const a = splitByGroup(groups, [0.6, 0.2, 0.2], 5);
  const reversed = splitByGroup([...groups].reverse(), [0.6, 0.2, 0.2], 5);
  assert.deepEqual(a.groups, reversed.groups);
  assert.notDeepEqual(a.groups, splitByGroup(groups, [0.6, 0.2, 0.2], 6).groups);
});

test('small zoos still get a group on every side; bad fractions and too few groups are ArgumentErrors', () => {
  const split = splitByGroup(['a', 'b', 'c', 'a'], [0.8, 0.1, 0.1], 0);
  assert.deepEqual([split.groups.train.length, split.groups.validation.length, split.groups.test.length], [1, 1, 1]);
  const noValidation = splitByGroup(['a', 'b'], [0.5, 0, 0.5], 0);
  assert.equal(noValidation.validation.length, 0);
  const bad = (error: unknown) => error instanceof ArgumentError && error.details.field === 'split';
  assert.throws(() => splitByGroup(['a', 'b', 'c'], [0.5, 0.2, 0.2], 0), bad);
  assert.throws(() => splitByGroup(['a', 'b', 'c'], [0.8, 0.2, 0], 0), bad);
  assert.throws(
    () => splitByGroup(['a', 'b'], [0.6, 0.2, 0.2], 0),
    (error: unknown) => error instanceof ArgumentError && error.details.field === 'groups',
  );
});
