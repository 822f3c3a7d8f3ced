// The notebooks' zoo cache (lib/src/zoo/cache.ts): the folder is a function of the spec, the
// dataset bytes and the library version and nothing else; the cache folder follows
// WEIGHTLAB_CACHE_DIR, then XDG_CACHE_HOME, then ~/.cache; a build killed half way, or a folder
// whose marker is missing or names another key, is resumed and never read as complete; and a
// notebook run with two cache folders builds twice while a rerun with one reuses it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import {
  buildZoo,
  cacheFolder,
  cacheRoot,
  datasetFingerprint,
  digits,
  libraryVersion,
  zooCache,
  zooCacheFolder,
  zooCacheKey,
  CACHE_COMPLETE_FILE,
  type ZooSpec,
} from 'weightlab/internal';
import { repositoryRoot, runCli, temporaryFolder } from '../../support/paths';
import { zooFileDigests as files } from './zoo-files';

const spec: ZooSpec = {
  name: 'cache-test',
  dataset: 'digits',
  axes: { batch_size: [8] },
  seeds: [0, 1, 2, 3],
  defaults: { width: 64, learning_rate: 0.05 },
  epochs: 4,
  checkpointEvery: 2,
};
// The full machinery (cacheRoot and libraryVersion are not public names).
const library = require.resolve('weightlab/internal');

test('the cache folder is a function of the spec (any key order), the dataset bytes and the engine', () => {
  const root = temporaryFolder('cache-keys');
  const folder = zooCacheFolder(spec, { root });
  assert.equal(path.dirname(folder), path.join(root, 'zoos'));
  assert.match(path.basename(folder), /^cache-test-[0-9a-f]{32}$/);
  const reordered = Object.fromEntries(
    Object.entries({ ...spec, defaults: { learning_rate: 0.05, width: 64 } }).reverse(),
  ) as unknown as ZooSpec;
  assert.equal(zooCacheFolder(reordered, { root }), folder);
  assert.equal(zooCacheFolder(structuredClone(spec), { root }), folder);
  const changes: ZooSpec[] = [
    { ...spec, axes: { batch_size: [16] } },
    { ...spec, seeds: [0, 1, 2] },
    { ...spec, epochs: 5 },
    { ...spec, defaults: { width: 64, learning_rate: 0.1 } },
    { ...spec, datasetOptions: { seed: 1 } },
    { ...spec, name: 'cache-test-2' },
    { ...spec, optimizer: 'adam' },
  ];
  const folders = new Set([folder, ...changes.map((changed) => zooCacheFolder(changed, { root }))]);
  assert.equal(folders.size, changes.length + 1, 'every change of the spec gives its own folder');
  assert.notEqual(zooCacheFolder(spec, { root, engine: 'jax' }), folder);

  // The dataset's bytes: one pixel of one training row changed gives another fingerprint and folder.
  const split = digits();
  const original = datasetFingerprint(split);
  assert.deepEqual(zooCacheKey(spec).dataset, original);
  const x = split.train.x.slice();
  x[100] += 1 / 16;
  const touched = datasetFingerprint({ ...split, train: { ...split.train, x } });
  assert.equal(touched.name, original.name);
  assert.notEqual(touched.sha256, original.sha256);
  const key = zooCacheKey(spec);
  assert.equal(cacheFolder('zoos', key, { root, label: spec.name }), folder);
  assert.notEqual(cacheFolder('zoos', { ...key, dataset: touched }, { root, label: spec.name }), folder);
  assert.throws(() => cacheFolder('../zoos', key), /cache kind/);
});

test('another library version gives another folder (the same build with a changed lib/package.json)', () => {
  const copy = temporaryFolder('cache-version');
  const lib = path.join(repositoryRoot, 'lib');
  fs.cpSync(path.join(lib, 'dist'), path.join(copy, 'lib', 'dist'), { recursive: true });
  fs.symlinkSync(path.join(repositoryRoot, 'node_modules'), path.join(copy, 'node_modules'));
  fs.symlinkSync(path.join(lib, 'data'), path.join(copy, 'lib', 'data'));
  const manifest = JSON.parse(fs.readFileSync(path.join(lib, 'package.json'), 'utf8')) as { version: string };
  const folderWith = (entry: string, version: string) => {
    fs.writeFileSync(path.join(copy, 'lib', 'package.json'), JSON.stringify({ ...manifest, version }));
    const script = `const w = require(${JSON.stringify(entry)}); process.stdout.write(JSON.stringify([w.libraryVersion(), w.zooCacheFolder(${JSON.stringify(spec)}, { root: '/cache' })]))`;
    const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    return JSON.parse(result.stdout) as [string, string];
  };
  const copied = path.join(copy, 'lib', 'dist', 'internal.js');
  assert.equal(libraryVersion(), manifest.version);
  const [sameVersion, sameFolder] = folderWith(copied, manifest.version);
  assert.equal(sameVersion, manifest.version);
  assert.equal(sameFolder, zooCacheFolder(spec, { root: '/cache' }));
  const [otherVersion, otherFolder] = folderWith(copied, `${manifest.version}-next`);
  assert.equal(otherVersion, `${manifest.version}-next`);
  assert.notEqual(otherFolder, sameFolder);
});

test('the cache folder: WEIGHTLAB_CACHE_DIR, else an absolute XDG_CACHE_HOME/weightlab, else ~/.cache/weightlab', () => {
  const home = temporaryFolder('cache-home');
  const rootIn = (env: Record<string, string>) => {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !['WEIGHTLAB_CACHE_DIR', 'XDG_CACHE_HOME'].includes(name)),
    );
    const result = spawnSync(
      process.execPath,
      ['-e', `process.stdout.write(require(${JSON.stringify(library)}).cacheRoot())`],
      { cwd: home, env: { ...clean, HOME: home, ...env }, encoding: 'utf8' },
    );
    assert.equal(result.status, 0, result.stderr);
    return result.stdout;
  };
  assert.equal(rootIn({ WEIGHTLAB_CACHE_DIR: '/srv/a', XDG_CACHE_HOME: '/srv/b' }), '/srv/a');
  assert.equal(rootIn({ WEIGHTLAB_CACHE_DIR: 'relative' }), path.join(fs.realpathSync(home), 'relative'));
  assert.equal(rootIn({ XDG_CACHE_HOME: '/srv/b' }), '/srv/b/weightlab');
  assert.equal(rootIn({ XDG_CACHE_HOME: 'not/absolute' }), path.join(home, '.cache', 'weightlab'));
  assert.equal(rootIn({ WEIGHTLAB_CACHE_DIR: '' }), path.join(home, '.cache', 'weightlab'));
  assert.equal(rootIn({}), path.join(home, '.cache', 'weightlab'));
  assert.equal(cacheRoot({ WEIGHTLAB_CACHE_DIR: '/x', XDG_CACHE_HOME: '/y' }), '/x');
});

test('a build killed half way is not taken as complete: the next call resumes it, to the same bytes', async () => {
  const root = temporaryFolder('cache-killed');
  const folder = zooCacheFolder(spec, { root });
  // One model per group (groupModels: 1): a lockstep group writes its models' results together, so
  // only single-model groups leave a build that can be killed between finished models.
  const script = `require(${JSON.stringify(library)}).zooCache(${JSON.stringify(spec)}, { root: ${JSON.stringify(root)}, workers: 0, progress: false, groupModels: 1 })`;
  const child = spawn(process.execPath, ['-e', script], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const finished = () =>
    fs.existsSync(folder)
      ? fs.readdirSync(folder).filter((id) => fs.existsSync(path.join(folder, id, 'result.json')))
      : [];
  const deadline = Date.now() + 300_000;
  while (finished().length === 0 && child.exitCode === null && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 5));
  child.kill('SIGKILL');
  await exited;
  const done = finished();
  assert.ok(done.length >= 1 && done.length < 4, `killed after ${done.length} of 4 models`);
  assert.ok(!fs.existsSync(path.join(folder, CACHE_COMPLETE_FILE)), 'no completion marker after a kill');
  assert.ok(fs.existsSync(`${folder}.lock`), 'the killed build left its lock');

  // The dead process's lock is taken over; finished models are kept, the rest trained.
  const resumed = await zooCache(spec, { root, workers: 0, progress: false });
  assert.equal(resumed.reused, false);
  assert.equal(resumed.folder, folder);
  assert.deepEqual([...resumed.skipped].sort(), [...done].sort());
  assert.equal(resumed.trained.length, 4 - done.length);
  assert.ok(fs.existsSync(path.join(folder, CACHE_COMPLETE_FILE)));
  assert.ok(!fs.existsSync(`${folder}.lock`));
  const reference = temporaryFolder('cache-reference');
  await buildZoo(spec, { out: reference, workers: 0, progress: false });
  assert.deepEqual(files(folder), files(reference), 'resumed cache = one uninterrupted build');

  // Complete now: read back without training or checking models.
  const reused = await zooCache(spec, { root, workers: 0, progress: false });
  assert.equal(reused.reused, true);
  assert.deepEqual(reused.trained, []);
  assert.equal(reused.zoo.models.length, 4);
});

test('two processes asking for the same zoo at once take turns: one builds it, the other reads it', async () => {
  const root = temporaryFolder('cache-concurrent');
  // Long enough (40 epochs) that the second process starts while the first still builds: lockstep
  // group training made the 4-epoch build shorter than a Node start-up.
  const small: ZooSpec = { ...spec, seeds: [0, 1], epochs: 40, checkpointEvery: 20 };
  const script = `require(${JSON.stringify(library)}).zooCache(${JSON.stringify(small)}, { root: ${JSON.stringify(root)}, workers: 0, progress: false })
    .then((report) => process.stdout.write(JSON.stringify({ trained: report.trained.length, reused: report.reused })))`;
  const start = () => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let errors = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      errors += chunk;
    });
    return new Promise<{ trained: number; reused: boolean; errors: string }>((resolve, reject) =>
      child.on('exit', (code) => {
        if (code === 0) resolve({ ...(JSON.parse(output) as { trained: number; reused: boolean }), errors });
        else reject(new Error(`${output}\n${errors}`));
      }),
    );
  };
  const reports = await Promise.all([start(), start()]);
  assert.deepEqual(reports.map((report) => report.trained).sort(), [0, 2], JSON.stringify(reports));
  assert.deepEqual(reports.map((report) => report.reused).sort(), [false, true]);
  // The reader really waited on the builder's lock (it did not merely start after the build ended).
  assert.match(reports.find((report) => report.reused)!.errors, /waiting for another process building the same zoo/);
});

test('a folder without its marker, or whose marker names another key, is rebuilt where incomplete', async () => {
  const root = temporaryFolder('cache-partial');
  const first = await zooCache(spec, { root, workers: 0, progress: false });
  assert.equal(first.trained.length, 4);
  const complete = files(first.folder);
  const marker = path.join(first.folder, CACHE_COMPLETE_FILE);

  // A half-written folder: marker gone, one model's result.json cut short.
  fs.rmSync(marker);
  const result = path.join(first.folder, 'batch_size=8_seed=2', 'result.json');
  fs.writeFileSync(result, fs.readFileSync(result, 'utf8').split('\n').slice(0, 2).join('\n'));
  const repaired = await zooCache(spec, { root, workers: 0, progress: false });
  assert.equal(repaired.reused, false);
  assert.deepEqual(repaired.trained, ['batch_size=8_seed=2']);
  assert.deepEqual(files(first.folder), complete);

  // A marker that names another key (a folder copied from another version) is not believed.
  const written = JSON.parse(fs.readFileSync(marker, 'utf8')) as { key: { library: string } };
  fs.writeFileSync(marker, JSON.stringify({ ...written, key: { ...written.key, library: '0.0.0-other' } }));
  const checked = await zooCache(spec, { root, workers: 0, progress: false });
  assert.equal(checked.reused, false);
  assert.deepEqual(checked.trained, []);
  assert.equal(checked.skipped.length, 4);
  assert.equal(
    (JSON.parse(fs.readFileSync(marker, 'utf8')) as { key: { library: string } }).key.library,
    libraryVersion(),
  );

  // A marker cut short, or one without its model list, is not believed either.
  const whole = fs.readFileSync(marker, 'utf8');
  for (const broken of [whole.slice(0, whole.length / 2), JSON.stringify({ key: JSON.parse(whole).key })]) {
    fs.writeFileSync(marker, broken);
    const again = await zooCache(spec, { root, workers: 0, progress: false });
    assert.deepEqual([again.reused, again.trained.length, again.skipped.length], [false, 0, 4]);
    assert.equal(fs.readFileSync(marker, 'utf8').length, whole.length);
  }
});

test('buildZoo refuses a folder built from a spec that differs only inside axes', async () => {
  const out = temporaryFolder('cache-axes');
  const small: ZooSpec = { ...spec, seeds: [0], epochs: 1 };
  await buildZoo(small, { out, workers: 0, progress: false });
  await assert.rejects(
    buildZoo({ ...small, axes: { batch_size: [16] } }, { out, workers: 0, progress: false }),
    /another spec/,
  );
  await buildZoo({ ...small, defaults: { learning_rate: 0.05, width: 64 } }, { out, workers: 0, progress: false }); // same spec, keys reordered
});

test('a notebook run twice with one cache folder builds once; with another folder it builds again', () => {
  const work = temporaryFolder('cache-notebook');
  const notebook = path.join(work, 'zoo.ipynb');
  const small: ZooSpec = { ...spec, seeds: [0, 1], epochs: 2 };
  const source = `const built = await zooCache(${JSON.stringify(small)});\nconsole.log(\`trained \${built.trained.length} reused \${built.reused} in \${built.folder}\`);`;
  fs.writeFileSync(
    notebook,
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'weightlab', display_name: 'weightlab (TypeScript)', language: 'typescript' } },
      cells: [{ cell_type: 'code', id: 'zoo', metadata: {}, execution_count: null, outputs: [], source }],
    }),
  );
  const run = (cache: string, name: string) => {
    const out = path.join(work, name);
    const result = runCli(['run', notebook, '--out', out], { env: { WEIGHTLAB_CACHE_DIR: cache }, timeoutMs: 600_000 });
    assert.equal(result.status, 0, result.stderr);
    const cells = (JSON.parse(fs.readFileSync(out, 'utf8')) as { cells: { outputs: { text?: string | string[] }[] }[] })
      .cells;
    const text = cells[0].outputs.map((output) => [output.text ?? ''].flat().join('')).join('');
    const match = /trained (\d+) reused (true|false) in (.*)/.exec(text);
    assert.ok(match, text);
    return { trained: Number(match[1]), reused: match[2] === 'true', folder: match[3].trim() };
  };
  const a = path.join(work, 'cache-a');
  const b = path.join(work, 'cache-b');
  const first = run(a, 'first.ipynb');
  assert.deepEqual([first.trained, first.reused], [2, false]);
  assert.ok(first.folder.startsWith(path.join(a, 'zoos') + path.sep), first.folder);
  const again = run(a, 'again.ipynb');
  assert.deepEqual([again.trained, again.reused, again.folder], [0, true, first.folder]);
  const other = run(b, 'other.ipynb');
  assert.deepEqual([other.trained, other.reused], [2, false]);
  assert.equal(path.relative(b, other.folder), path.relative(a, first.folder));
  assert.deepEqual(files(other.folder), files(first.folder));
});
