// The one mapping between zoo axis names and the PTMZ keys of params.json/zoo.json: PTMZ's own
// names (spelled out here as the PTMZ README and training scripts write them) map to the axis
// names and back, keys that are not axes are kept as written, and when a file holds both
// spellings of an axis the PTMZ key (the one PTMZ tools read) is the value shown.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AXIS_NAMES, PTMZ_AXIS_KEYS, axisNameOfKey, hyperparametersOf } from 'weightlab/internal';

test('PTMZ keys map to axis names and back; other keys are kept', () => {
  const ptmz = {
    'model::width': 'width',
    'training::batchsize': 'batch_size',
    'optim::lr': 'learning_rate',
    'optim::wd': 'weight_decay',
  };
  for (const [key, axis] of Object.entries(ptmz)) {
    assert.equal(axisNameOfKey(key), axis);
    assert.equal(PTMZ_AXIS_KEYS[axis as keyof typeof PTMZ_AXIS_KEYS], key);
  }
  // Every axis has its own key, and every key maps back to its axis.
  assert.equal(new Set(Object.values(PTMZ_AXIS_KEYS)).size, AXIS_NAMES.length);
  for (const axis of AXIS_NAMES) assert.equal(axisNameOfKey(PTMZ_AXIS_KEYS[axis]), axis);
  assert.equal(axisNameOfKey('model::nlin'), 'model::nlin');
  assert.equal(axisNameOfKey('seed'), 'seed');
  assert.deepEqual(hyperparametersOf({ 'optim::lr': 0.1, 'model::nlin': 'relu', seed: 2 }), {
    learning_rate: 0.1,
    'model::nlin': 'relu',
    seed: 2,
  });
  assert.deepEqual(hyperparametersOf({ width: 3, 'model::width': 8 }), { width: 8 });
  assert.deepEqual(hyperparametersOf({ 'model::width': 8, width: 3 }), { width: 8 });
});
