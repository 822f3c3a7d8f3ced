// Options of the data generators: an unknown key is an ArgumentError listing the valid keys (a
// zoo spec's datasetOptions with a typo now fails instead of being ignored), and an explicit
// undefined keeps the default: the same rows, the same name, as the documented value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ArgumentError,
  CONVECTION_DEFAULTS,
  GAUSSIAN_BLOBS_DEFAULTS,
  MODULAR_ADDITION_DEFAULTS,
  PARITY_DEFAULTS,
  SPIRALS_DEFAULTS,
  SPLIT_DEFAULTS,
  TEACHER_STUDENT_DEFAULTS,
  TWO_MOONS_DEFAULTS,
  convectionProblem,
  digits,
  gaussianBlobs,
  modularAddition,
  parity,
  spirals,
  teacherStudent,
  twoMoons,
  type DatasetSplit,
} from 'weightlab/internal';
import { rejectsUnknownKey } from '../support/options';

function same(a: DatasetSplit, b: DatasetSplit): void {
  assert.equal(a.train.name, b.train.name);
  assert.deepEqual(Array.from(a.train.x), Array.from(b.train.x));
  assert.deepEqual(Array.from(a.test.y), Array.from(b.test.y));
}

test('synthetic generators: unknown keys rejected with the valid ones listed', () => {
  assert.throws(
    () => teacherStudent({ width: 8 } as never),
    (e) => rejectsUnknownKey(e, 'teacherStudent', 'width', TEACHER_STUDENT_DEFAULTS),
  );
  assert.throws(
    () => gaussianBlobs({ sd: 1 } as never),
    (e) => rejectsUnknownKey(e, 'gaussianBlobs', 'sd', GAUSSIAN_BLOBS_DEFAULTS),
  );
  assert.throws(() => twoMoons({ nosie: 0.2 } as never), /twoMoons has no option 'nosie' \(did you mean 'noise'\?\)/);
  assert.throws(
    () => twoMoons({ nosie: 0.2 } as never),
    (e) => rejectsUnknownKey(e, 'twoMoons', 'nosie', TWO_MOONS_DEFAULTS),
  );
  assert.throws(
    () => spirals({ arm: 3 } as never),
    (e) => rejectsUnknownKey(e, 'spirals', 'arm', SPIRALS_DEFAULTS),
  );
  assert.throws(
    () => parity({ bit: 3 } as never),
    (e) => rejectsUnknownKey(e, 'parity', 'bit', PARITY_DEFAULTS),
  );
  assert.throws(
    () => modularAddition({ p: 7 } as never),
    (e) => rejectsUnknownKey(e, 'modularAddition', 'p', MODULAR_ADDITION_DEFAULTS),
  );
  assert.throws(
    () => convectionProblem({ speed: 2 } as never),
    (e) => rejectsUnknownKey(e, 'convectionProblem', 'speed', CONVECTION_DEFAULTS),
  );
  assert.throws(
    () => digits({ testfraction: 0.5 } as never),
    (e) => rejectsUnknownKey(e, 'digits', 'testfraction', SPLIT_DEFAULTS),
  );
});

test('synthetic generators: undefined keeps the documented default', () => {
  same(
    twoMoons({ noise: undefined, size: undefined }),
    twoMoons({ noise: 0.1, size: 1000, testFraction: 0.2, seed: 0 }),
  );
  same(spirals({ arms: undefined, turns: undefined }), spirals({ arms: 2, turns: 1.5, noise: 0.05 }));
  same(gaussianBlobs({ std: undefined }), gaussianBlobs({ size: 1000, features: 2, classes: 3, spread: 5, std: 1 }));
  same(
    teacherStudent({ teacherWidth: undefined }),
    teacherStudent({ size: 2000, features: 16, classes: 4, teacherWidth: 8 }),
  );
  // parity: size unset with <= 16 features means all 2^features inputs; features unset means = bits.
  const exhaustive = parity({ size: undefined, features: undefined });
  assert.equal(exhaustive.train.size + exhaustive.test.size, 2 ** 4);
  const modular = modularAddition({ testFraction: undefined });
  assert.equal(modular.test.size, Math.round(23 * 23 * 0.5));
  const convection = convectionProblem({ grid: undefined, beta: undefined });
  assert.equal(convection.beta, 1);
  assert.equal(convection.test.values.length, 64 * 64);
  assert.equal(convection.collocation.length, 2 * 1000);
  // digits: 20 % of each class held out, rounded per class (1,438 / 359 of 1,797 rows).
  const split = digits({ seed: undefined, testFraction: undefined });
  const counts = new Map<number, number>();
  for (const label of [...split.train.y, ...split.test.y]) counts.set(label, (counts.get(label) ?? 0) + 1);
  const held = [...counts.values()].reduce((sum, count) => sum + Math.round(0.2 * count), 0);
  assert.deepEqual([split.train.size, split.test.size], [1797 - held, held]);
});
