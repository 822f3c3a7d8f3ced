// The kernel's V8 code cache and its pruning, each in a cache folder of the test's own: an entry
// is written with a side file naming its source and is used (touched) by the next load; pruning
// removes entries whose source is gone or changed, entries unused for longer than the age limit,
// the least recently used beyond the size cap (never the entry in use), stray side files and old
// unfinished writes, and runs at most once per interval; a kernel start prunes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  CODE_CACHE_PRUNE_DEFAULTS,
  PRUNE_STAMP_FILE,
  codeCacheDirectory,
  pruneCodeCache,
  requireWithCodeCache,
} from '@weightlab/kernel/dist/executor/code-cache';
import { ArgumentError } from 'weightlab';
import { startReadyKernel, temporaryFolder } from './support';

const DAY_MS = 24 * 3600 * 1000;

/** Sets a file's mtime (what pruning reads as its last use) to `ms`. */
function touch(file: string, ms: number): void {
  fs.utimesSync(file, new Date(ms), new Date(ms));
}

/** Writes an entry of `bytes` bytes last used at `usedMs`, with a side file when `source` is given. */
function entry(directory: string, name: string, bytes: number, usedMs: number, source?: string): void {
  const file = path.join(directory, `${name}.bin`);
  fs.writeFileSync(file, Buffer.alloc(bytes, 7));
  touch(file, usedMs);
  if (source) {
    const stat = fs.statSync(source);
    fs.writeFileSync(
      path.join(directory, `${name}.json`),
      JSON.stringify({ source, size: stat.size, mtimeMs: stat.mtimeMs }),
    );
  }
}

test('requireWithCodeCache writes an entry naming its source, and the next load uses and touches it', () => {
  const sources = temporaryFolder('code-cache-source');
  const file = path.join(sources, 'doubler.js');
  fs.writeFileSync(file, 'exports.twice = (x) => 2 * x;\n');
  const cacheHome = temporaryFolder('code-cache-home');
  const previous = process.env.XDG_CACHE_HOME;
  process.env.XDG_CACHE_HOME = cacheHome;
  try {
    const directory = codeCacheDirectory()!;
    assert.equal(directory, path.join(cacheHome, 'weightlab', 'v8'));
    assert.equal(codeCacheDirectory({ ...process.env, WEIGHTLAB_NO_CODE_CACHE: '1' }), undefined);
    const first = requireWithCodeCache(file);
    assert.equal((first.exports as { twice(x: number): number }).twice(21), 42);
    first.save();
    const written = fs.readdirSync(directory).sort();
    assert.equal(written.length, 2, written.join(', '));
    const [bin, side] = [
      written.find((name) => name.endsWith('.bin'))!,
      written.find((name) => name.endsWith('.json'))!,
    ];
    assert.match(bin, /^doubler-[0-9a-f]{24}\.bin$/);
    assert.equal(side, bin.replace('.bin', '.json'));
    const stat = fs.statSync(file);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(directory, side), 'utf8')), {
      source: file,
      size: stat.size,
      mtimeMs: stat.mtimeMs,
    });
    // Loaded again (a fresh require.cache entry), the entry is read and its mtime becomes now.
    delete require.cache[file];
    const longAgo = Date.now() - 10 * DAY_MS;
    touch(path.join(directory, bin), longAgo);
    const second = requireWithCodeCache(file);
    assert.equal((second.exports as { twice(x: number): number }).twice(4), 8);
    assert.ok(fs.statSync(path.join(directory, bin)).mtimeMs > longAgo + 9 * DAY_MS, 'the entry was not touched');
    // The first prune keeps the entry in use; a second one the same day does nothing.
    const report = second.prune();
    assert.deepEqual(report, { removed: [], keptBytes: fs.statSync(path.join(directory, bin)).size, keptEntries: 1 });
    assert.equal(second.prune(), undefined);
    assert.ok(fs.existsSync(path.join(directory, PRUNE_STAMP_FILE)));
  } finally {
    if (previous === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = previous;
    delete require.cache[file];
  }
});

test('pruneCodeCache removes gone or changed sources, old entries, then the least recently used over the cap', () => {
  const directory = temporaryFolder('code-cache-prune');
  const sources = temporaryFolder('code-cache-sources');
  const source = (name: string) => {
    const file = path.join(sources, name);
    fs.writeFileSync(file, `// ${name}\n`);
    return file;
  };
  const now = Date.UTC(2026, 0, 15);
  const hour = 3600 * 1000;
  entry(directory, 'current-a', 100, now - hour, source('current.js'));
  const gone = source('gone.js');
  entry(directory, 'gone-b', 100, now - hour, gone);
  fs.rmSync(gone);
  const changed = source('changed.js');
  entry(directory, 'changed-c', 100, now - hour, changed);
  fs.appendFileSync(changed, '// edited\n');
  entry(directory, 'unrecorded-old', 100, now - 31 * DAY_MS - hour); // no side file: age and size decide
  entry(directory, 'unrecorded-recent', 100, now - 29 * DAY_MS);
  fs.writeFileSync(path.join(directory, 'stray.json'), '{}');
  fs.writeFileSync(path.join(directory, 'x.bin.123.tmp'), 'partial');
  touch(path.join(directory, 'x.bin.123.tmp'), now - 2 * DAY_MS);
  fs.writeFileSync(path.join(directory, 'y.bin.456.tmp'), 'being written');
  touch(path.join(directory, 'y.bin.456.tmp'), now - hour);
  fs.writeFileSync(path.join(directory, 'notes.txt'), 'not ours to judge');

  const report = pruneCodeCache(directory, { now })!;
  assert.deepEqual(Object.fromEntries(report.removed.map((r) => [r.file, r.reason])), {
    'gone-b.bin': `its source ${gone} no longer exists`,
    'changed-c.bin': `its source ${changed} changed`,
    'unrecorded-old.bin': 'not used for 31 days',
    'stray.json': 'a side file without its entry',
    'x.bin.123.tmp': 'an unfinished write over a day old',
  });
  assert.deepEqual(fs.readdirSync(directory).sort(), [
    'current-a.bin',
    'current-a.json',
    PRUNE_STAMP_FILE,
    'notes.txt',
    'unrecorded-recent.bin',
    'y.bin.456.tmp',
  ]);
  assert.deepEqual([report.keptEntries, report.keptBytes], [2, 200]);

  // Within the interval nothing happens; after it, the limits apply again: two days on, the recent entry
  // is 31 days unused and the write in progress a day old.
  assert.equal(pruneCodeCache(directory, { now: now + 23 * hour }), undefined);
  assert.deepEqual(
    pruneCodeCache(directory, { now: now + 2 * DAY_MS })!
      .removed.map((r) => r.file)
      .sort(),
    ['unrecorded-recent.bin', 'y.bin.456.tmp'],
  );

  // The size cap: 5 entries of 100 bytes under a cap of 250 lose the three least recently used,
  // except the one in use, which stays even though it is the oldest.
  const capped = temporaryFolder('code-cache-cap');
  for (let k = 0; k < 5; k++) entry(capped, `e${k}`, 100, now - (5 - k) * hour); // e0 oldest, e4 newest
  const cap = pruneCodeCache(capped, { now, maxBytes: 250, keep: 'e0.bin' })!;
  assert.deepEqual(
    cap.removed.map((r) => r.file),
    ['e1.bin', 'e2.bin', 'e3.bin'],
  );
  assert.deepEqual([cap.keptEntries, cap.keptBytes], [2, 200]);
  assert.deepEqual(fs.readdirSync(capped).sort(), ['e0.bin', 'e4.bin', PRUNE_STAMP_FILE]);

  assert.equal(CODE_CACHE_PRUNE_DEFAULTS.maxAgeDays, 30);
  assert.equal(CODE_CACHE_PRUNE_DEFAULTS.intervalHours, 24);
  assert.throws(
    () => pruneCodeCache(capped, { maxAgeDay: 3 } as never),
    (error: unknown) => error instanceof ArgumentError && /maxAgeDays/.test(error.message),
  );
});

for (const start of ['snapshot', 'ordinary'] as const) {
  test(`a kernel start (${start}) prunes its code cache folder: an entry of a source that is gone is removed`, async () => {
    const cacheHome = temporaryFolder('code-cache-kernel');
    const directory = path.join(cacheHome, 'weightlab', 'v8');
    fs.mkdirSync(directory, { recursive: true });
    const sources = temporaryFolder('code-cache-kernel-source');
    const gone = path.join(sources, 'removed-checkout.js');
    fs.writeFileSync(gone, '// a TypeScript of a checkout that was deleted\n');
    entry(directory, 'typescript-0123456789abcdef01234567', 1000, Date.now(), gone);
    fs.rmSync(gone);
    // The checker built before the first cell is answered (prunes then; deferred, it may be later).
    const kernel = await startReadyKernel({
      WEIGHTLAB_TYPECHECK: 'blocking',
      XDG_CACHE_HOME: cacheHome,
      WEIGHTLAB_NO_CODE_CACHE: '',
      WEIGHTLAB_NO_SNAPSHOT: start === 'ordinary' ? '1' : '',
    });
    try {
      const left = fs.readdirSync(directory).sort();
      assert.ok(!left.some((name) => name.startsWith('typescript-0123456789abcdef01234567')), left.join(', '));
      assert.ok(left.includes(PRUNE_STAMP_FILE), left.join(', '));
      // An ordinary start compiles TypeScript and writes its entry, with its side file; a start from
      // the snapshot (when the build made one) has TypeScript in the snapshot and writes none.
      const own = left.filter((name) => name.endsWith('.bin'));
      if (start === 'ordinary') {
        assert.equal(own.length, 1, left.join(', '));
        assert.ok(left.includes(own[0].replace('.bin', '.json')), left.join(', '));
      } else assert.ok(own.length <= 1, left.join(', '));
    } finally {
      await kernel.shutdown();
    }
  });
}
