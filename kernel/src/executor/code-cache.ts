// Loads a large CommonJS file (TypeScript's 8 MB compiler) with a V8 code cache, so later
// kernels skip compiling it. Node 20 has no module.enableCompileCache; this is the same idea by
// hand. The cache lives in the user's own cache folder (never a shared temp folder: V8 trusts
// what it deserializes), keyed by the Node version and the file's path, size and mtime.
//
// Every new Node, TypeScript or checkout path makes a new entry that no kernel reads again once
// the old one is gone, so the folder is pruned at kernel start, at most once a day: entries whose
// source file is gone or has changed since, entries unused for a month, and the least recently
// used ones beyond a size cap (see CODE_CACHE_PRUNE_DEFAULTS).

import { createHash } from 'node:crypto';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
  type Stats,
} from 'node:fs';
import Module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { resolveOptions, type OptionDefaults } from 'weightlab/dist/options/resolve';

export interface CachedModule {
  exports: unknown;
  /** Writes the cache (with every function compiled so far) when there was none or V8 rejected it. */
  save(): void;
  /**
   * Prunes the cache folder (pruneCodeCache with its defaults, keeping this module's entry);
   * undefined when it was pruned less than a day ago, when there is no cache folder, or when
   * it could not be read (a cache that cannot be pruned is no reason to stop a kernel).
   */
  prune(): CodeCachePruneReport | undefined;
}

/**
 * The folder of the code caches: $XDG_CACHE_HOME/weightlab/v8, else ~/.cache/weightlab/v8;
 * undefined (no caching) when WEIGHTLAB_NO_CODE_CACHE is set. Tests point XDG_CACHE_HOME at a
 * folder of their own.
 */
export function codeCacheDirectory(environment: NodeJS.ProcessEnv = process.env): string | undefined {
  if (environment.WEIGHTLAB_NO_CODE_CACHE) return undefined;
  const base = environment.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'weightlab', 'v8');
}

/** What an entry's side file (`<entry>.json`) records: the source it was compiled from, as it was then. */
interface EntrySource {
  source: string;
  size: number;
  mtimeMs: number;
}

function entryName(file: string, stat: Stats): string {
  const key = createHash('sha256')
    .update(`${process.version}|${process.arch}|${file}|${stat.size}|${stat.mtimeMs}`)
    .digest('hex')
    .slice(0, 24);
  return `${path.basename(file, '.js')}-${key}.bin`;
}

/** Loads `file` as a CommonJS module (registered in require.cache) through a V8 code cache. */
export function requireWithCodeCache(file: string): CachedModule {
  const directory = codeCacheDirectory();
  const stat = statSync(file);
  const cache = directory ? path.join(directory, entryName(file, stat)) : undefined;
  let cachedData: Buffer | undefined;
  if (cache) {
    try {
      cachedData = readFileSync(cache);
      // The entry's mtime is its last use: what pruning by age and by size goes by.
      const now = new Date();
      utimesSync(cache, now, now);
    } catch {
      /* first run: no cache yet (or a read-only cache folder: it is only read) */
    }
  }
  const script = new vm.Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
  const module = new Module(file, undefined);
  module.filename = file;
  module.paths = (Module as unknown as { _nodeModulePaths(directory: string): string[] })._nodeModulePaths(
    path.dirname(file),
  );
  const compiled = script.runInThisContext() as (...args: unknown[]) => void;
  compiled.call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  module.loaded = true;
  require.cache[file] = module;
  const needsCache = cache !== undefined && (cachedData === undefined || script.cachedDataRejected === true);
  return {
    exports: module.exports,
    save() {
      if (!needsCache || !cache) return;
      try {
        mkdirSync(path.dirname(cache), { recursive: true, mode: 0o700 });
        const temporary = `${cache}.${process.pid}.tmp`;
        writeFileSync(temporary, script.createCachedData(), { mode: 0o600 });
        renameSync(temporary, cache);
        const source: EntrySource = { source: file, size: stat.size, mtimeMs: stat.mtimeMs };
        writeFileSync(sideFile(cache), `${JSON.stringify(source)}\n`, { mode: 0o600 });
      } catch {
        // A read-only home only costs the next start its compile time.
      }
    },
    prune() {
      if (!directory || !cache) return undefined;
      try {
        return pruneCodeCache(directory, { keep: path.basename(cache) });
      } catch {
        return undefined;
      }
    },
  };
}

export interface CodeCachePruneOptions {
  /**
   * An entry not used (loaded or written) for this many days is removed.
   * @default 30
   */
  maxAgeDays?: number;
  /**
   * Above this many bytes of entries, the least recently used ones are removed until the rest
   * fit. One TypeScript compiler's entry is a few MB.
   * @default 268435456 (256 MiB)
   */
  maxBytes?: number;
  /**
   * The folder is pruned at most once in this many hours (the `last-pruned` file's mtime says
   * when it was last); 0 prunes on every call.
   * @default 24
   */
  intervalHours?: number;
  /**
   * The entry (file name) the caller is using: never removed, whatever its age or size.
   * @default undefined (none)
   */
  keep?: string;
  /**
   * The time to judge ages by, in ms since the epoch (tests pass their own).
   * @default undefined (Date.now())
   */
  now?: number;
}

export const CODE_CACHE_PRUNE_DEFAULTS = {
  maxAgeDays: 30,
  maxBytes: 256 * 1024 * 1024,
  intervalHours: 24,
  keep: undefined,
  now: undefined,
} as const satisfies OptionDefaults<CodeCachePruneOptions>;

/** What one pruning removed, entry by entry, with why, and what it kept. */
export interface CodeCachePruneReport {
  removed: { file: string; reason: string }[];
  /** Bytes of the entries left. */
  keptBytes: number;
  keptEntries: number;
}

/** The file that records when the folder was last pruned (its mtime). */
export const PRUNE_STAMP_FILE = 'last-pruned';

const DAY_MS = 24 * 3600 * 1000;

function sideFile(entry: string): string {
  return entry.replace(/\.bin$/, '.json');
}

/** Why an entry's source no longer gives this entry (undefined: it still does, or it is not recorded). */
function staleSource(sidePath: string): string | undefined {
  let recorded: EntrySource;
  try {
    recorded = JSON.parse(readFileSync(sidePath, 'utf8')) as EntrySource;
  } catch {
    return undefined; // written by a kernel that did not record its source: judged by age and size
  }
  let now: Stats;
  try {
    now = statSync(recorded.source);
  } catch {
    return `its source ${recorded.source} no longer exists`;
  }
  // The key includes size and mtime: once they changed, no kernel computes this entry's name again.
  if (now.size !== recorded.size || now.mtimeMs !== recorded.mtimeMs) return `its source ${recorded.source} changed`;
  return undefined;
}

/**
 * Prunes a code cache folder, unless it was pruned less than `intervalHours` ago: removes each
 * entry (`*.bin`, with its `.json` side file) whose source file is gone or changed since, or that
 * was not used for `maxAgeDays`, then the least recently used entries while the rest exceed
 * `maxBytes`; side files without an entry, and unfinished writes (`*.tmp`) older than a day.
 * Entries of kernels that did not record their source are judged by age and size alone. Other
 * files are left alone. Returns undefined when it was too soon to prune.
 */
export function pruneCodeCache(
  directory: string,
  options: CodeCachePruneOptions = {},
): CodeCachePruneReport | undefined {
  const o = resolveOptions('pruneCodeCache', CODE_CACHE_PRUNE_DEFAULTS, options);
  const now = o.now ?? Date.now();
  const stamp = path.join(directory, PRUNE_STAMP_FILE);
  try {
    if (now - statSync(stamp).mtimeMs < o.intervalHours * 3600 * 1000) return undefined;
  } catch {
    /* never pruned */
  }
  const names = readdirSync(directory);
  const removed: CodeCachePruneReport['removed'] = [];
  const remove = (name: string, reason: string) => {
    rmSync(path.join(directory, name), { force: true });
    removed.push({ file: name, reason });
  };
  const entries: { name: string; bytes: number; usedMs: number }[] = [];
  for (const name of names) {
    let stat: Stats;
    try {
      stat = statSync(path.join(directory, name));
    } catch {
      continue; // removed meanwhile by another kernel
    }
    if (!stat.isFile()) continue;
    if (name.endsWith('.tmp')) {
      if (now - stat.mtimeMs > DAY_MS) remove(name, 'an unfinished write over a day old');
    } else if (name.endsWith('.json')) {
      if (!names.includes(name.replace(/\.json$/, '.bin'))) remove(name, 'a side file without its entry');
    } else if (name.endsWith('.bin')) {
      const stale = name === o.keep ? undefined : staleSource(path.join(directory, sideFile(name)));
      if (stale) remove(name, stale);
      else if (name !== o.keep && now - stat.mtimeMs > o.maxAgeDays * DAY_MS)
        remove(name, `not used for ${Math.floor((now - stat.mtimeMs) / DAY_MS)} days`);
      else {
        entries.push({ name, bytes: stat.size, usedMs: stat.mtimeMs });
        continue;
      }
      rmSync(path.join(directory, sideFile(name)), { force: true });
    }
  }
  // Over the size cap: the least recently used go first (the kept entry is never among them).
  let keptBytes = entries.reduce((total, entry) => total + entry.bytes, 0);
  const byLastUse = entries.filter((entry) => entry.name !== o.keep).sort((a, b) => a.usedMs - b.usedMs);
  for (const entry of byLastUse) {
    if (keptBytes <= o.maxBytes) break;
    remove(entry.name, `the cache held ${keptBytes} bytes, over the cap of ${o.maxBytes}`);
    rmSync(path.join(directory, sideFile(entry.name)), { force: true });
    keptBytes -= entry.bytes;
    entries.splice(entries.indexOf(entry), 1);
  }
  writeFileSync(stamp, `${new Date(now).toISOString()}\n`);
  const stampTime = new Date(now);
  utimesSync(stamp, stampTime, stampTime);
  return { removed, keptBytes, keptEntries: entries.length };
}
