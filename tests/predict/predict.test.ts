// predictProperty end to end on small zoos built here: the metrics table has the mean baseline and
// every (feature set, predictor) pair; no test model was trained on (by model, and by configuration
// when every seed of a configuration is grouped); the table's R² and tau are those of its own
// test predictions; the weight statistics predict accuracy far better than the mean predictor;
// the result is reproducible by seed and displays as a chart without HTML; the flattened, aligned
// and token features run on a one-architecture zoo and fail with a ShapeError naming the file on a
// mixed one; bad options are typed errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  ArgumentError,
  buildZoo,
  kendallTau,
  mimeBundle,
  predictProperty,
  rSquared,
  ShapeError,
  standardisedMatrices,
  type Zoo,
  type ZooSpec,
} from 'weightlab/internal';
import { temporaryFolder } from '../support/paths';

const root = temporaryFolder('predict');

async function build(name: string, axes: ZooSpec['axes']): Promise<Zoo> {
  const spec: ZooSpec = {
    name,
    dataset: 'digits',
    axes,
    seeds: [0, 1, 2],
    defaults: { weight_decay: 5e-4, batch_size: 64 },
    epochs: 4,
    momentum: 0.9,
    checkpointEvery: 2,
  };
  return (await buildZoo(spec, { out: path.join(root, name), workers: 0, progress: false })).zoo;
}

let mixed: Promise<Zoo> | undefined;
const mixedZoo = () => (mixed ??= build('mixed', { width: [4, 16], learning_rate: [0.01, 0.1] }));

test('metrics per pair, the mean baseline first, computed from the test predictions it reports', async () => {
  const zoo = await mixedZoo();
  const result = await predictProperty(zoo, { features: ['hyperparameters', 'statistics'], resamples: 200 });
  const rows = result.table.rows();
  assert.deepEqual(
    rows.map((r) => `${r.features}/${r.predictor}`),
    ['none/mean', 'hyperparameters/ridge', 'hyperparameters/mlp', 'statistics/ridge', 'statistics/mlp'],
  );
  for (const row of rows) {
    const predictions = result.predictions
      .rows()
      .filter((p) => p.features === row.features && p.predictor === row.predictor);
    assert.equal(predictions.length, row.test_checkpoints);
    const truth = predictions.map((p) => p.truth);
    const predicted = predictions.map((p) => p.predicted);
    assert.equal(row.r2, rSquared(truth, predicted));
    if (row.predictor !== 'mean') assert.equal(row.kendall_tau, kendallTau(truth, predicted));
    assert.ok(row.r2_lower <= row.r2_upper);
  }
  // The truth is the zoo's own test accuracy at that checkpoint.
  const table = zoo.table().rows();
  for (const p of result.predictions.rows().slice(0, 10))
    assert.equal(p.truth, table.find((r) => r.model === p.model && r.epoch === p.epoch)!.test_acc);
  // Unterthiner et al.'s finding in miniature: weight statistics predict accuracy far better than the mean.
  const statistics = result.row({ features: 'statistics', predictor: 'ridge' });
  const mean = result.row({ features: 'none', predictor: 'mean' });
  assert.ok(statistics.r2 > 0.5 && statistics.r2_lower > mean.r2_upper, `${statistics.r2} vs ${mean.r2}`);
  const gain = result.compare({ features: 'statistics', predictor: 'ridge' }, { features: 'none', predictor: 'mean' });
  assert.ok(gain.lower > 0 && gain.difference === statistics.r2 - mean.r2);
  assert.throws(
    () => result.row({ features: 'htsr', predictor: 'ridge' }),
    (error: unknown) => error instanceof ArgumentError && error.details.field === 'choice',
  );
});

test('no test model is trained on: by model, and with every seed of a configuration together', async () => {
  const zoo = await mixedZoo();
  for (const groupBy of ['model', 'configuration'] as const) {
    const result = await predictProperty(zoo, { features: ['statistics'], model: 'ridge', groupBy, resamples: 50 });
    const { train, validation, test } = result.split.groups;
    assert.equal(new Set([...train, ...validation, ...test]).size, train.length + validation.length + test.length);
    const testModels = new Set(result.predictions.rows().map((p) => p.model));
    const configurationOf = (id: string) => {
      const { seed: _seed, ...rest } = zoo.model(id).hyperparameters;
      return JSON.stringify(rest);
    };
    const trainModels = zoo.models.filter((m) => !testModels.has(m.id)).map((m) => m.id);
    for (const id of testModels) {
      // Every checkpoint of a test model is a test row.
      const epochs = result.predictions.rows().filter((p) => p.model === id && p.predictor === 'ridge').length;
      assert.equal(epochs, zoo.model(id).checkpoints.length);
      if (groupBy === 'configuration')
        assert.ok(
          !trainModels.some((other) => configurationOf(other) === configurationOf(id)),
          `${id} has a seed outside test`,
        );
    }
    if (groupBy === 'configuration') assert.equal(testModels.size % 3, 0);
  }
});

test('the same seed gives the same result; the display is a chart with SVG and text, never HTML', async () => {
  const zoo = await mixedZoo();
  const options = { features: ['statistics'], model: 'mlp', mlpEpochs: 50, resamples: 100, seed: 3 } as const;
  const a = await predictProperty(zoo, options);
  const b = await predictProperty(zoo, options);
  assert.deepEqual(a.table.rows(), b.table.rows());
  assert.notDeepEqual(a.split.groups, (await predictProperty(zoo, { ...options, seed: 4 })).split.groups);
  const bundle = await a[mimeBundle]();
  const types = Object.keys(bundle.data);
  assert.ok(types.includes('application/vnd.vegalite.v5+json') && types.includes('image/svg+xml'));
  assert.ok(!types.includes('text/html'));
  assert.match(String(bundle.data['text/plain']), /statistics \/ mlp: R² /);
});

test('flattened, aligned and token features need one architecture: they run on one, fail with a ShapeError on a mix', async () => {
  const single = await build('single', { width: [8], learning_rate: [0.01, 0.1] });
  const result = await predictProperty(single, {
    features: ['weights', 'aligned', 'tokens', 'statistics+htsr'],
    model: 'ridge',
    split: [0.5, 0, 0.5],
    resamples: 50,
  });
  const parameters = single.models[0].checkpoints[0].load().numParameters;
  const weights = result.row({ features: 'weights', predictor: 'ridge' });
  assert.ok(weights.columns > 0.9 * parameters && weights.columns <= parameters);
  assert.ok(result.row({ features: 'aligned', predictor: 'ridge' }).columns <= parameters);
  assert.ok(result.row({ features: 'statistics+htsr', predictor: 'ridge' }).columns > 0);
  const zoo = await mixedZoo();
  await assert.rejects(
    predictProperty(zoo, { features: ['weights'], model: 'ridge' }),
    (error: unknown) => error instanceof ShapeError && typeof error.details.file === 'string',
  );
});

test('bad options are ArgumentErrors naming the field', async () => {
  const zoo = await mixedZoo();
  const field = (name: string) => (error: unknown) => error instanceof ArgumentError && error.details.field === name;
  await assert.rejects(predictProperty(zoo, { features: ['statistics+spectra'] }), field('features'));
  await assert.rejects(predictProperty(zoo, { target: 'accuracy' }), field('target'));
  await assert.rejects(predictProperty(zoo, { model: 'forest' as never }), field('model'));
  await assert.rejects(predictProperty(zoo, { alphas: [0] }), field('alphas'));
  await assert.rejects(predictProperty(zoo, { split: [0.5, 0.5, 0.5] }), field('split'));
  await assert.rejects(predictProperty(zoo, { targt: 'test_acc' } as never), ArgumentError);
});

test('features are standardised on the training rows only: constant columns dropped, missing values at the mean, held-out values clipped', () => {
  // Rows 0-3 train, 4 validation, 5 test; column 0 informative, column 1 constant on train, column 2 with a gap.
  const set = {
    names: ['a', 'constant', 'gappy'],
    values: Float64Array.from([1, 5, 2, 2, 5, NaN, 3, 5, 4, 4, 5, 6, 10, 1, NaN, -3, 7, 100]),
  };
  const split = { train: [0, 1, 2, 3], validation: [4], test: [5], groups: { train: [], validation: [], test: [] } };
  const clipped = standardisedMatrices([set], split, true);
  assert.equal(clipped.columns, 2);
  const mean = 2.5;
  const scale = Math.sqrt(1.25);
  assert.deepEqual(
    Array.from(clipped.train.values.filter((_, k) => k % 2 === 0)),
    [1, 2, 3, 4].map((v) => (v - mean) / scale),
  );
  // The gap becomes the training mean of its column: 0 once standardised.
  assert.equal(clipped.train.values[3], 0);
  // Held-out values beyond the training range sit at its ends (4 for column a, 6 for gappy).
  assert.equal(clipped.validation.values[0], (4 - mean) / scale);
  assert.equal(clipped.test.values[0], (1 - mean) / scale);
  assert.equal(clipped.validation.values[1], 0);
  const unclipped = standardisedMatrices([set], split, false);
  assert.equal(unclipped.validation.values[0], (10 - mean) / scale);
  assert.ok(unclipped.test.values[1] > clipped.test.values[1]);
});
