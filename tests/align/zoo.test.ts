// The options of weightMatching, alignZoo and alignedAverage (issue #17): the defaults objects are
// what the verbs use (an explicit `undefined` keeps them, so results equal the no-option call),
// unknown keys fail naming the valid ones, and alignedAverage passes its alignment options through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  rng,
  mlpPermutationSpec,
  applyPermutations,
  weightMatching,
  alignZoo,
  alignedAverage,
  ArgumentError,
  WEIGHT_MATCHING_DEFAULTS,
  ALIGN_ZOO_DEFAULTS,
  ALIGNED_AVERAGE_DEFAULTS,
  type Permutations,
} from 'weightlab/internal';
import { randomMlp } from './networks';

function zoo(count: number) {
  const base = randomMlp(3, [6, 8, 5, 3]);
  const spec = mlpPermutationSpec(base);
  return Array.from({ length: count }, (_, i) => {
    const noise = rng(100 + i).normal(base.numParameters, 0, 0.05);
    const shifted = base.unflatten(base.flatten().map((v, k) => v + noise[k]));
    const perms: Permutations = Object.fromEntries(
      Object.entries(spec.groups).map(([g, n]) => [g, rng(200 + i).permutation(n)]),
    );
    return applyPermutations(shifted, spec, perms);
  });
}

test('the defaults objects list every option with the documented values', () => {
  assert.deepEqual(WEIGHT_MATCHING_DEFAULTS, { spec: undefined, maxIterations: 100, seed: 0 });
  assert.deepEqual(ALIGN_ZOO_DEFAULTS, { reference: 0, spec: undefined, maxIterations: 100, seed: 0 });
  assert.deepEqual(ALIGNED_AVERAGE_DEFAULTS, {
    ...ALIGN_ZOO_DEFAULTS,
    alreadyAligned: false,
    batchNormStatistics: undefined,
  });
});

test('an explicit undefined keeps each default: same permutations as the call without options', () => {
  const models = zoo(4);
  const plain = weightMatching(models[0], models[1]);
  const explicit = weightMatching(models[0], models[1], { maxIterations: undefined, seed: undefined, spec: undefined });
  assert.deepEqual(explicit.permutations, plain.permutations);
  assert.equal(explicit.iterations, plain.iterations);
  const aligned = alignZoo(models, { reference: undefined, maxIterations: undefined });
  assert.equal(aligned.reference, 0);
  assert.deepEqual(aligned.permutations, alignZoo(models).permutations);
  assert.deepEqual(alignedAverage(models, { alreadyAligned: undefined }).flatten(), alignedAverage(models).flatten());
});

test('unknown keys are ArgumentErrors listing the valid ones; alignedAverage forwards alignment options', () => {
  const models = zoo(3);
  const rejects = (run: () => unknown, verb: string, defaults: object, near: string) =>
    assert.throws(run, (error: unknown) => {
      assert.ok(error instanceof ArgumentError);
      assert.match(error.message, new RegExp(`${verb} has no option .*did you mean '${near}'`));
      assert.equal(error.details.expected, `one of ${Object.keys(defaults).join(', ')}`);
      return true;
    });
  rejects(
    () => weightMatching(models[0], models[1], { maxIteration: 3 } as never),
    'weightMatching',
    WEIGHT_MATCHING_DEFAULTS,
    'maxIterations',
  );
  rejects(() => alignZoo(models, { refrence: 1 } as never), 'alignZoo', ALIGN_ZOO_DEFAULTS, 'reference');
  rejects(
    () => alignedAverage(models, { alreadyAlinged: true } as never),
    'alignedAverage',
    ALIGNED_AVERAGE_DEFAULTS,
    'alreadyAligned',
  );
  // Aligning to model 1 instead of model 0 gives the average in model 1's frame: equal to aligning
  // the zoo to model 1 and averaging by hand.
  const byHand = alignZoo(models, { reference: 1 }).models.map((m) => m.flatten());
  const expected = byHand[0].map((_, k) => byHand.reduce((s, v) => s + v[k], 0) / byHand.length);
  const averaged = alignedAverage(models, { reference: 1 }).flatten();
  assert.ok(averaged.every((v, k) => Math.abs(v - expected[k]) < 1e-12));
});
