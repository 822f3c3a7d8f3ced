// Zoo folders built to break the readers (the attack run of issue 16): symbolic link loops,
// dangling links, links out of the zoo, a FIFO named result.json, a 300 MB result line (written
// in chunks, never held in memory), a 1 GiB sparse line, params.json nested 100k deep in JSON
// and with Python's NaN, a Small CNN Zoo shape literal nested 100k deep. Each ray-tune zoo also
// holds good trials, and each zoo is opened in a child process with a 512 MB heap, as a user's
// kernel would be: the good trials must load, the bad entry must be skipped with a typed error
// naming its file (line and byte offset for result lines), the opening must take under 5 s, and
// nothing may crash. Expected offsets and depths are closed forms of the bytes written here.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'fflate';
import {
  FormatError,
  Tensor,
  openZoo,
  parseJsonLines,
  parsePythonJson,
  writeNpy,
  writeZooManifest,
  writeZooParams,
  writeZooResults,
} from 'weightlab/internal';
import { tempDir } from '../io/helpers';
import {
  addDanglingLink,
  addDeepParams,
  addFifoTrial,
  addLinkLoop,
  addLinkOutside,
  addLongResultLine,
  GOOD_LINES,
  GOOD_TRIALS,
  MiB,
  writeTrial,
  zooWithGoodTrials,
} from '../io/attack/hostile-zoos';

const LIBRARY = require.resolve('weightlab');
const BIN = path.resolve(__dirname, '..', '..', '..', 'kernel', 'bin', 'weightlab.js');
/** One temp folder for the file (removed at exit); each zoo is a fresh folder inside it. */
const SCRATCH = tempDir('weightlab-zoo-hostile-');
const scratch = (name: string) => fs.mkdtempSync(path.join(SCRATCH, `${name}-`));

/** What the child reports: the models it loaded and what it skipped, or the error it raised, and how long openZoo took. */
interface Opened {
  models?: string[];
  skipped?: {
    path: string;
    reason: string;
    code: string;
    details: { file?: string; offset?: number; field?: string };
  }[];
  warnings?: string[];
  error?: { name: string; code: string; message: string; details: { file?: string; offset?: number; field?: string } };
  seconds: number;
}

const CHILD = `
const [library, dir, options] = process.argv.slice(1);
const { openZoo } = require(library);
const started = performance.now();
let out;
try {
  const zoo = openZoo(dir, JSON.parse(options));
  out = { models: zoo.models.map((m) => m.id), skipped: zoo.skipped.map((s) => ({ path: s.path, reason: s.reason, code: s.error.code, details: s.error.details })), warnings: zoo.warnings };
} catch (error) {
  out = { error: { name: error.name, code: error.code, message: error.message, details: error.details } };
}
out.seconds = (performance.now() - started) / 1000;
process.stdout.write(JSON.stringify(out));
`;

/**
 * Opens `dir` in a child with a 512 MB heap. The child is killed after 10 s (loading the library
 * takes about a second on a busy machine); the opening itself must take under 5 s.
 */
function openInChild(dir: string, options: Record<string, unknown> = {}): Opened {
  const child = spawnSync(
    process.execPath,
    ['--max-old-space-size=512', '-e', CHILD, LIBRARY, dir, JSON.stringify(options)],
    { encoding: 'utf8', timeout: 10_000, maxBuffer: 16 * MiB },
  );
  assert.equal(child.signal, null, `child killed (${child.signal}): ${child.stderr}`);
  assert.equal(child.status, 0, `child failed: ${child.stderr}`);
  const opened = JSON.parse(child.stdout) as Opened;
  assert.ok(opened.seconds < 5, `openZoo took ${opened.seconds.toFixed(2)} s`);
  return opened;
}

function assertGoodTrialsLoaded(opened: Opened, extra: string[] = []): void {
  assert.equal(opened.error, undefined, opened.error?.message);
  assert.deepEqual(opened.models, [...extra, ...GOOD_TRIALS].sort());
}

/** The one skipped entry: its path and the FormatError details. */
function onlySkip(opened: Opened, entry: string): NonNullable<Opened['skipped']>[number] {
  assert.equal(opened.skipped?.length, 1, JSON.stringify(opened.skipped));
  const [skip] = opened.skipped!;
  assert.equal(skip.path, entry);
  assert.equal(skip.code, 'E_FORMAT');
  assert.ok(
    opened.warnings!.some((warning) => warning.includes(entry)),
    'a warning names the entry',
  );
  return skip;
}

test('hostile links: a loop, a dangling link and a link out of the zoo are skipped with warnings; a link inside is followed', () => {
  const root = zooWithGoodTrials(scratch('links'));
  addLinkLoop(root);
  addDanglingLink(root);
  const elsewhere = scratch('elsewhere');
  const outsideTrial = addLinkOutside(root, elsewhere);
  fs.symlinkSync('good_a', path.join(root, 'alias'));
  // A checkpoint folder that links out of the zoo: the trial loads, the checkpoint is left out with a warning.
  fs.symlinkSync(elsewhere, path.join(root, 'good_b', 'checkpoint_000001'));

  const opened = openInChild(root);
  assertGoodTrialsLoaded(opened, ['alias']);
  const byPath = new Map(opened.skipped!.map((skip) => [skip.path, skip]));
  assert.deepEqual(
    [...byPath.keys()].sort(),
    ['dangling', 'loop_a', 'loop_b', 'outside'].map((name) => path.join(root, name)),
  );
  assert.match(byPath.get(path.join(root, 'loop_a'))!.reason, /symbolic link loop.*loop_b/);
  assert.match(byPath.get(path.join(root, 'dangling'))!.reason, /dangling symbolic link.*nowhere/);
  const outside = byPath.get(path.join(root, 'outside'))!;
  assert.match(outside.reason, /outside the zoo folder/);
  assert.ok(outside.reason.includes(outsideTrial), 'the warning names the target');
  assert.ok(opened.skipped!.every((skip) => skip.code === 'E_FORMAT' && skip.details.file === skip.path));
  assert.ok(
    opened.warnings!.some(
      (warning) =>
        warning.startsWith('good_b: checkpoint_000001 skipped') && warning.includes('outside the zoo folder'),
    ),
  );

  const strict = openInChild(root, { strict: true });
  assert.equal(strict.error?.name, 'FormatError');
  assert.equal(
    strict.error?.details.file,
    path.join(root, 'dangling'),
    'strict raises the first bad entry in name order',
  );
});

test('a FIFO named result.json is refused without blocking', (t) => {
  const root = zooWithGoodTrials(scratch('fifo'));
  const dir = addFifoTrial(root);
  if (dir === undefined) {
    t.skip('mkfifo is not available');
    return;
  }
  const skip = onlySkip(openInChild(root), dir);
  assert.equal(skip.details.file, path.join(dir, 'result.json'));
  assert.match(skip.reason, /not a regular file.*FIFO/);
});

test('a 300 MB result.json line: typed error naming the file, line 2 and its byte offset, in bounded memory and time', () => {
  const root = zooWithGoodTrials(scratch('long-line'));
  const { dir, file, first } = addLongResultLine(root, 300 * 1e6);
  try {
    const skip = onlySkip(openInChild(root), dir);
    assert.deepEqual(skip.details, {
      file,
      field: 'line 2',
      offset: Buffer.byteLength(first),
      expected: `a line of at most ${16 * MiB} bytes (option maxTextBytes)`,
      found: `more than ${16 * MiB} bytes without a newline`,
    });
  } finally {
    fs.rmSync(file);
  }
});

test('a 1 GiB sparse result.json line is refused after reading its first 16 MiB', () => {
  const root = zooWithGoodTrials(scratch('sparse'));
  const dir = writeTrial(root, 'sparse_line', undefined, []);
  const file = path.join(dir, 'result.json');
  // A JSON string opened and never closed, followed by 1 GiB of NUL bytes that take no disk space.
  fs.writeFileSync(file, '{"log": "');
  fs.truncateSync(file, 2 ** 30);
  const skip = onlySkip(openInChild(root), dir);
  assert.equal(skip.details.file, file);
  assert.equal(skip.details.field, 'line 1');
  assert.equal(skip.details.offset, 0);
  assert.match(skip.reason, /result line too long/);
});

test('params.json nested 100k deep (JSON and Python NaN) and a deep result line: typed depth errors at the byte where the cap is passed', () => {
  const root = zooWithGoodTrials(scratch('deep'));
  const depth = 100_000;
  const deepJson = addDeepParams(root, depth);
  const deepPython = writeTrial(root, 'deep_python', '{"loss": ' + '['.repeat(depth) + 'NaN' + ']'.repeat(depth) + '}');
  const deepLine = writeTrial(root, 'deep_line', undefined, [
    GOOD_LINES[0],
    '{"x": ' + '['.repeat(depth) + 'Infinity' + ']'.repeat(depth) + '}',
  ]);
  const opened = openInChild(root);
  assertGoodTrialsLoaded(opened);
  const byPath = new Map(opened.skipped!.map((skip) => [skip.path, skip]));
  assert.equal(byPath.size, 3);
  // The 257th opening bracket passes the default cap of 256: '{"a":' is 5 bytes, so it sits at 256 * 5.
  assert.deepEqual(byPath.get(deepJson)!.details, {
    file: path.join(deepJson, 'params.json'),
    offset: 256 * 5,
    expected: 'at most 256 levels of arrays and objects',
    found: 'level 257',
  });
  // '{"loss": ' is 9 bytes and opens level 1; the 256th '[' then opens level 257.
  assert.equal(byPath.get(deepPython)!.details.offset, 9 + 255);
  const line = byPath.get(deepLine)!.details;
  assert.equal(line.field, 'line 2');
  assert.equal(line.offset, GOOD_LINES[0].length + 1 + '{"x": '.length + 255);

  const strict = openInChild(root, { strict: true });
  assert.equal(strict.error?.code, 'E_FORMAT');
  assert.equal(strict.error?.details.file, path.join(deepJson, 'params.json'));
  assert.match(strict.error!.message, /JSON nested too deeply/);
});

test('Small CNN Zoo: a layout.csv shape literal nested 100k deep is a typed error; weights.npy linked out of the zoo is refused', () => {
  const root = scratch('small-cnn');
  writeNpy(path.join(root, 'weights.npy'), Tensor.from([1, 2], [1, 2], 'float32'));
  fs.writeFileSync(path.join(root, 'metrics.csv.gz'), gzipSync(Buffer.from('modeldir,step\nrun,1\n')));
  const depth = 100_000;
  fs.writeFileSync(
    path.join(root, 'layout.csv'),
    `varname,start_idx,end_idx,shape\nw,0,2,"${'('.repeat(depth)}2${',)'.repeat(depth)}"\n`,
  );
  const opened = openInChild(root);
  assert.equal(opened.error?.code, 'E_FORMAT');
  assert.equal(opened.error?.details.file, path.join(root, 'layout.csv'));
  assert.match(opened.error!.message, /nesting too deep/);

  fs.writeFileSync(path.join(root, 'layout.csv'), 'varname,start_idx,end_idx,shape\nw,0,2,"(2,)"\n');
  assert.deepEqual(
    [...openZoo(root).models[0].checkpoints[0].load().get('w').toFloat32()],
    [1, 2],
    'the repaired zoo opens',
  );
  const elsewhere = scratch('small-cnn-elsewhere');
  fs.renameSync(path.join(root, 'weights.npy'), path.join(elsewhere, 'weights.npy'));
  fs.symlinkSync(path.join(elsewhere, 'weights.npy'), path.join(root, 'weights.npy'));
  const linked = openInChild(root);
  assert.equal(linked.error?.details.file, path.join(root, 'weights.npy'));
  assert.match(linked.error!.message, /outside the zoo folder/);
});

test('nothing readable: a typed error listing the reasons; the CLI exits 1 with it, and 0 with warnings when good trials remain', () => {
  const root = scratch('none');
  addDanglingLink(root);
  writeTrial(root, 'deep', '['.repeat(1000) + ']'.repeat(1000));
  const opened = openInChild(root);
  assert.equal(opened.error?.code, 'E_FORMAT');
  assert.match(
    opened.error!.message,
    /no readable trial folder in the zoo folder.*2 unreadable.*dangling symbolic link/,
  );

  const failed = spawnSync(process.execPath, [BIN, 'zoo', 'info', root], { encoding: 'utf8' });
  assert.equal(failed.status, 1);
  assert.match(failed.stderr, /^weightlab zoo info: FormatError: .*no readable trial folder/);

  const mixed = zooWithGoodTrials(scratch('cli'));
  addDanglingLink(mixed);
  const info = spawnSync(process.execPath, [BIN, 'zoo', 'info', mixed], { encoding: 'utf8' });
  assert.equal(info.status, 0, info.stderr);
  assert.match(info.stdout, /^Zoo\(ray-tune, 2 models, 0 checkpoints; 1 skipped\)/);
  assert.match(info.stderr, new RegExp(`warning: skipped ${path.join(mixed, 'dangling')}: .*dangling symbolic link`));
  const json = spawnSync(process.execPath, [BIN, 'zoo', 'info', mixed, '--json'], { encoding: 'utf8' });
  assert.equal(json.status, 0);
  const summary = JSON.parse(json.stdout) as { models: number; skipped: { path: string; reason: string }[] };
  assert.equal(summary.models, 2);
  assert.deepEqual(
    summary.skipped.map((skip) => skip.path),
    [path.join(mixed, 'dangling')],
  );
  const strict = spawnSync(process.execPath, [BIN, 'zoo', 'info', mixed, '--strict'], { encoding: 'utf8' });
  assert.equal(strict.status, 1);
  assert.match(strict.stderr, /FormatError: .*dangling.*dangling symbolic link/);
});

test('native zoo: a listed model folder that is a dangling link is skipped; the others load', () => {
  const root = scratch('native');
  for (const id of ['a', 'b']) {
    writeZooParams(root, id, { seed: id === 'a' ? 0 : 1 });
    writeZooResults(root, id, [{ train_acc: 0.5, test_acc: 0.5 }]);
  }
  fs.symlinkSync('gone', path.join(root, 'c'));
  writeZooManifest(root, { axes: {}, models: ['a', 'b', 'c'] });
  const zoo = openZoo(root);
  assert.deepEqual(
    zoo.models.map((model) => model.id),
    ['a', 'b'],
  );
  assert.deepEqual(
    zoo.skipped.map((skip) => skip.path),
    [path.join(root, 'c')],
  );
  assert.ok(zoo.skipped[0].error instanceof FormatError);
  assert.match(zoo.toString(), /1 skipped/);
  assert.throws(
    () => openZoo(root, { strict: true }),
    (error: unknown) => error instanceof FormatError && error.details.file === path.join(root, 'c'),
  );
});

test('streamed result.json: lines across 1 MiB read boundaries, a UTF-8 character split by one, a truncated last line', () => {
  const root = scratch('stream');
  const prefix = '{"pad": "';
  // The two bytes of 'é' straddle byte 2^20, where the reader's first 1 MiB read ends.
  const pad = 'a'.repeat(MiB - 1 - prefix.length) + 'é';
  const lines = [`${prefix}${pad}", "training_iteration": 1}`];
  const count = 40_000;
  for (let k = 2; k <= count; k++)
    lines.push(JSON.stringify({ training_iteration: k, test_loss: k / 7, note: 'x'.repeat(k % 97) }));
  writeTrial(root, 'trial', undefined, [...lines, '{"training_iteration": 40001, "test_lo']);
  const zoo = openZoo(root);
  const model = zoo.models[0];
  assert.equal(model.results.length, count);
  assert.equal(model.results[0].pad, pad);
  model.results.slice(1).forEach((row, index) => {
    const k = index + 2;
    assert.equal(row.test_loss, k / 7);
    assert.equal(row.note, 'x'.repeat(k % 97));
    assert.equal(row.epoch, k);
  });
  assert.deepEqual(model.warnings, ['result.json: the last line is truncated and was dropped']);
  // A bad line that is not the last is an error naming its line and offset.
  const bad = writeTrial(root, 'bad', undefined, [GOOD_LINES[0], '{"oops": ', GOOD_LINES[1]]);
  assert.throws(
    () => openZoo(bad),
    (error: unknown) =>
      error instanceof FormatError &&
      error.details.field === 'line 2' &&
      error.details.offset === GOOD_LINES[0].length + 1,
  );
  // The whole-file cap is checked as the bytes arrive; the error names the line holding the first byte past it.
  let lineOfCap = 0;
  for (let at = 0; at <= 2 * MiB; lineOfCap++) at += Buffer.byteLength(lines[lineOfCap]) + 1;
  assert.throws(
    () => openZoo(path.join(root, 'trial'), { maxResultBytes: 2 * MiB }),
    (error: unknown) =>
      error instanceof FormatError &&
      error.details.file === path.join(root, 'trial', 'result.json') &&
      error.details.offset === 2 * MiB &&
      error.details.field === `line ${lineOfCap}` &&
      /maxResultBytes/.test(error.message),
  );
});

test('parsePythonJson: depth counted outside strings only, NaN restored at depth, the cap is an option', () => {
  const strings = '{"s": "[[[{{{\\"[[[", "t": "\\\\"}';
  assert.deepEqual(parsePythonJson(strings, 'f', undefined, { maxDepth: 1 }), JSON.parse(strings));
  const nested = (depth: number) => '['.repeat(depth) + 'NaN, -Infinity' + ']'.repeat(depth);
  let value = parsePythonJson(nested(256), 'f') as unknown;
  for (let level = 1; level < 256; level++) value = (value as unknown[])[0];
  assert.ok(Number.isNaN((value as number[])[0]));
  assert.equal((value as number[])[1], -Infinity);
  assert.throws(
    () => parsePythonJson(nested(257), 'f'),
    (error: unknown) => error instanceof FormatError && error.details.offset === 256 && error.details.file === 'f',
  );
  assert.doesNotThrow(() => parsePythonJson(nested(300), 'f', undefined, { maxDepth: 300 }));
  assert.equal(parsePythonJson('"\\u0000NaN is text"', 'f'), '\u0000NaN is text');
  assert.deepEqual(parseJsonLines('{"a": 1}\n\n{"a": NaN}\n{"a": ', 'f'), {
    rows: [{ a: 1 }, { a: NaN }],
    droppedLastLine: true,
  });
  assert.throws(() => openZoo(scratch('options'), { maxTextBytes: 0 }), /maxTextBytes/);
});
