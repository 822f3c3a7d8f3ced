// buildZoo on a user's own data: the same numbers given as .npz, .npy, .safetensors, CSV or a
// module train bit-identical models, in worker threads or not; zoo.json records the source and
// hashlib's SHA-256; a resumed build, the cache key and zoo.trainingData() go by that hash, so
// moved data is still the same data and changed data is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  ArgumentError,
  buildZoo,
  cellData,
  DATA_MODULES_VARIABLE,
  FormatError,
  openDataSource,
  openZoo,
  phaseMetrics,
  zooCacheKey,
  type ZooSpec,
} from 'weightlab/internal';
import { temporaryFolder } from '../../support/paths';
import { python, writePythonData } from '../../support/python-data';
import { zooFileDigests } from './zoo-files';

const grid = (dataset: ZooSpec['dataset']): ZooSpec => ({
  name: 'own-data',
  dataset,
  axes: { width: [4, 8] },
  seeds: [0, 1],
  epochs: 2,
});

/** The digests of what training produced: checkpoints and results (params.json names the data file, so it differs). */
function trained(root: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(zooFileDigests(root)).filter(([file]) => /checkpoint_|result\.json$/.test(file)),
  );
}

test('every kind of source trains the same models, in workers or not, and zoo.json records it', async () => {
  const data = writePythonData(temporaryFolder('own-data'));
  const file = (name: string) => path.join(data.folder, name);
  const fromModule = temporaryFolder('own-module');
  await buildZoo(grid({ module: file('data.js') }), { out: fromModule, workers: 2, progress: false });
  const reference = trained(fromModule);
  assert.equal(Object.keys(reference).filter((name) => name.endsWith('weights.safetensors')).length, 4 * 2);
  const moduleData = JSON.parse(fs.readFileSync(path.join(fromModule, 'zoo.json'), 'utf8')).data;
  assert.equal(moduleData.name, 'module');
  assert.equal(moduleData.format, 'module');
  assert.equal(moduleData.source, file('data.js'));
  assert.match(moduleData.sha256, /^[0-9a-f]{64}$/);
  // Readers run a module that zoo.json names only when the user listed it: building it here did.
  const listed = process.env[DATA_MODULES_VARIABLE];
  assert.equal(listed, file('data.js'));
  const moduleZoo = openZoo(fromModule);
  const moduleSplit = moduleZoo.trainingData(moduleZoo.models[0]);
  delete process.env[DATA_MODULES_VARIABLE];
  try {
    const stranger = openZoo(fromModule); // as a new process that never named the module would
    assert.throws(
      () => stranger.trainingData(stranger.models[0]),
      (error: unknown) => error instanceof ArgumentError && /do not run code a zoo\.json names/.test(error.message),
    );
  } finally {
    process.env[DATA_MODULES_VARIABLE] = listed;
  }
  const sources: [ZooSpec['dataset'], string, number][] = [
    [{ file: file('data.npz') }, data.sha256['data.npz'], 2],
    [{ file: file('data.npz') }, data.sha256['data.npz'], 0],
    [{ file: file('x.npy'), y: 'y.npy' }, data.sha256['x.npy+y.npy'], 0],
    [{ file: file('data.safetensors') }, data.sha256['data.safetensors'], 0],
    [{ file: file('data.csv') }, data.sha256['data.csv'], 2],
  ];
  for (const [dataset, sha256, workers] of sources) {
    const out = temporaryFolder('own-file');
    const built = await buildZoo(grid(dataset), { out, workers, progress: false });
    assert.deepEqual(built.failed, []);
    assert.deepEqual(trained(out), reference, `${JSON.stringify(dataset)} with ${workers} workers`);
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'zoo.json'), 'utf8'));
    assert.equal(manifest.data.sha256, sha256);
    assert.equal(manifest.data.name, 'file');
    assert.equal(manifest.data.source, (dataset as { file: string }).file); // outside the zoo: absolute
    assert.deepEqual(manifest.data.options, { testFraction: 0.2, seed: 0 });
    const model = built.zoo.models[0];
    assert.equal(model.params['dataset::name'], path.basename((dataset as { file: string }).file));
    // Readers rebuild the very split the model was trained on.
    const split = cellData(openDataSource(dataset as { file: string }).split, {});
    assert.deepEqual(Buffer.from(built.zoo.trainingData(model).train.x.buffer), Buffer.from(split.train.x.buffer));
    assert.deepEqual(Buffer.from(moduleSplit.train.x.buffer), Buffer.from(split.train.x.buffer));
  }
});

test('data inside the zoo moves with it; changed data is refused by a resumed build and by readers', async () => {
  const zoo = temporaryFolder('own-inside');
  fs.mkdirSync(path.join(zoo, 'data'));
  const data = writePythonData(path.join(zoo, 'data'), 60, 4, 2);
  const spec = grid({ file: path.join(zoo, 'data', 'data.npz') });
  await buildZoo(spec, { out: zoo, workers: 0, progress: false });
  assert.equal(JSON.parse(fs.readFileSync(path.join(zoo, 'zoo.json'), 'utf8')).data.source, 'data/data.npz');
  // Moved as a whole: the relative path still finds the data.
  const moved = path.join(temporaryFolder('own-moved'), 'zoo');
  fs.renameSync(zoo, moved);
  const reopened = openZoo(moved);
  assert.equal(
    reopened.trainingData(reopened.models[0]).train.size + reopened.trainingData(reopened.models[0]).test.size,
    60,
  );
  // The same bytes at another path resume the build (nothing to train): identity is the hash, not the path.
  const copy = path.join(temporaryFolder('own-copy'), 'copy.npz');
  fs.copyFileSync(path.join(moved, 'data', 'data.npz'), copy);
  const resumed = await buildZoo(grid({ file: copy }), { out: moved, workers: 0, progress: false });
  assert.equal(resumed.skipped.length, 4);
  assert.deepEqual(
    zooCacheKey(grid({ file: copy })),
    zooCacheKey(grid({ file: path.join(moved, 'data', 'data.npz') })),
  );
  assert.ok(!JSON.stringify(zooCacheKey(grid({ file: copy }))).includes(copy)); // the key holds the hash, not the path
  // Changed data: one value of x differs.
  python(
    path.dirname(copy),
    `d = np.load(f'{folder}/copy.npz'); x = d['x'].copy(); x[0, 0] += 1
np.savez(f'{folder}/copy.npz', x=x, y=d['y'])`,
  );
  const changed = openDataSource({ file: copy }).sha256;
  assert.notEqual(changed, data.sha256['data.npz']);
  assert.notDeepEqual(
    zooCacheKey(grid({ file: copy })),
    zooCacheKey(grid({ file: path.join(moved, 'data', 'data.npz') })),
  );
  await assert.rejects(
    buildZoo(grid({ file: copy }), { out: moved, workers: 0, progress: false }),
    (error: unknown) =>
      error instanceof ArgumentError &&
      error.message.includes(data.sha256['data.npz']) &&
      error.message.includes(changed),
  );
  fs.copyFileSync(copy, path.join(moved, 'data', 'data.npz'));
  const stale = openZoo(moved);
  assert.throws(
    () => stale.trainingData(stale.models[0]),
    (error: unknown) =>
      error instanceof FormatError &&
      error.details.expected === data.sha256['data.npz'] &&
      error.details.found === changed,
  );
});

test('images keep their shape: a CNN zoo on a numpy image array', async () => {
  const folder = temporaryFolder('own-images');
  python(
    folder,
    `rng = np.random.default_rng(1)
y = np.arange(40) % 2
x = rng.normal(size=(40, 1, 6, 6)).astype(np.float32) + y[:, None, None, None]
np.savez(f'{folder}/images.npz', x=x, y=y)`,
  );
  const built = await buildZoo(
    {
      ...grid({ file: path.join(folder, 'images.npz') }),
      architecture: 'cnn',
      axes: { width: [2] },
      seeds: [0],
      epochs: 1,
    },
    { out: temporaryFolder('own-cnn'), workers: 0, progress: false },
  );
  assert.deepEqual(built.failed, []);
  const architectures = built.zoo.manifest!.architectures as Record<string, { kind: string; image: number[] }>;
  assert.equal(architectures[built.zoo.models[0].id].kind, 'cnn');
  assert.deepEqual(architectures[built.zoo.models[0].id].image, [1, 6, 6]);
  assert.throws(
    () => zooCacheKey({ ...grid({ file: path.join(folder, 'images.npz') }), datasetOptions: { seed: 1 } }),
    (error: unknown) => error instanceof ArgumentError && /datasetOptions/.test(error.message),
  );
});

test('phase metrics measure a zoo of the user’s data (worker threads reread it from zoo.json)', async () => {
  const data = writePythonData(temporaryFolder('own-phases'), 90, 4, 3);
  const built = await buildZoo(
    { ...grid({ file: path.join(data.folder, 'data.npz') }), epochs: 3 },
    { out: temporaryFolder('own-phases-zoo'), workers: 0, progress: false },
  );
  const table = await phaseMetrics(built.zoo, { progress: false, workers: 2 });
  const rows = table.rows();
  assert.deepEqual(
    rows.map((row) => row.width),
    [4, 8],
  );
  for (const row of rows) assert.ok(Number.isFinite(row.log_hessian_top_ev) && Number.isFinite(row.train_loss));
});
