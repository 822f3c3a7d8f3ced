// Where notebooks keep the zoos they build: a per-user cache folder, one subfolder per thing
// cached, named by a hash of everything that determines its bytes. Fixed names in a shared temp
// folder (what the notebooks used before) let one user's or checkout's zoo stand in for another
// built from a different spec, dataset or library, and let a stale zoo hide a regression.
//
// A zoo's key is the zoo spec, the dataset's name and the SHA-256 of its bytes (a user's own data:
// the SHA-256 zoo.json records, with no path in the key), the library
// version, the builder and zoo-format versions and the training engine. Its phase metrics are
// cached inside the zoo folder (phaseMetrics' phase-metrics.json), under keys that add the
// metric options, so they inherit the zoo's key. A folder counts as complete only once its
// marker file, written atomically after every model finished, names the same key; anything
// else (a killed build, a half-copied folder) is resumed by buildZoo, which retrains every model
// without a complete result.json; temp files a killed writer left are deleted first. Two
// processes building the same key take turns through a lock file; should the lock be lost, they
// only repeat work (every file is written by temp + rename, and training is deterministic, so
// both write the same bytes).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { ArgumentError, InterruptedError } from '../errors';
import { isDeadWritersTemporary, processIsRunning, writeFileAtomic } from '../io/atomic-write';
import { kernelHost } from '../display/protocol';
import { convectionProblem } from '../data/synthetic';
import { readNativeZoo, ZOO_FORMAT_VERSION } from './native';
import { isCustomDataset } from './dataset';
import type { Zoo } from './zoo';
import { canonicalHash, canonicalJson, datasetFingerprint, type DatasetFingerprint } from './cache-key';

export { datasetFingerprint, type DatasetFingerprint } from './cache-key';
import { BUILDER_VERSION, BUILD_DEFAULTS, buildZoo, type BuildOptions, type BuildReport } from './builder/build';
import { resolveOptions, type OptionDefaults } from '../options/resolve';
import { checkSpec, expandGrid, specData, specIdentity, specShape, type ZooSpec } from './builder/spec';
import type { TrainingEngine } from '../train/jax-engine';

/** The environment variable that names the cache folder; it wins over XDG_CACHE_HOME. */
export const CACHE_DIR_VARIABLE = 'WEIGHTLAB_CACHE_DIR';

/** The file in a cache folder that says it is complete, and for which key. */
export const CACHE_COMPLETE_FILE = 'cache-complete.json';

/**
 * The user's weightlab cache folder: $WEIGHTLAB_CACHE_DIR when set (a relative path is taken
 * from the working folder), else $XDG_CACHE_HOME/weightlab when XDG_CACHE_HOME is an absolute
 * path (the XDG spec says to ignore a relative one), else ~/.cache/weightlab. `npm test` sets
 * WEIGHTLAB_CACHE_DIR to a fresh folder per run, so tests never see another run's caches.
 */
export function cacheRoot(environment: NodeJS.ProcessEnv = process.env): string {
  const chosen = environment[CACHE_DIR_VARIABLE];
  if (chosen) return path.resolve(chosen);
  const xdg = environment.XDG_CACHE_HOME;
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'weightlab');
  return path.join(os.homedir(), '.cache', 'weightlab');
}

export interface CacheFolderOptions {
  /** Cache folder to resolve in (default: cacheRoot()). */
  root?: string;
  /** Readable prefix of the folder name (e.g. the zoo's name); the hash alone decides identity. */
  label?: string;
}

/**
 * The folder for cached `kind` (a word like 'zoos') produced from `key` (any JSON value: what
 * determined the bytes): root/kind/label-hash, where hash is the SHA-256 of the key's canonical
 * JSON (first 32 hex digits). Equal keys give the same folder in any key order; the folder is
 * not created.
 */
export function cacheFolder(kind: string, key: unknown, options: CacheFolderOptions = {}): string {
  if (!/^[a-z][a-z0-9-]*$/.test(kind))
    throw new ArgumentError('a cache kind is a lower-case word', {
      field: 'kind',
      expected: 'letters, digits and -',
      found: JSON.stringify(kind),
    });
  const hash = canonicalHash(key).slice(0, 32);
  const label = (options.label ?? '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, 48);
  return path.join(options.root ?? cacheRoot(), kind, label ? `${label}-${hash}` : hash);
}

let version: string | undefined;

/** The version in lib/package.json (this library's), read once. */
export function libraryVersion(): string {
  version ??= (
    JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }
  ).version;
  return version;
}

/** The convection PINN's "dataset": its collocation, initial, boundary and test points for every beta of the grid. */
function convectionFingerprint(spec: ZooSpec): DatasetFingerprint {
  const digest = createHash('sha256');
  const shape = specShape(spec);
  const problems = [
    ...new Set(expandGrid(spec, shape.inputs, shape.outputs).map((job) => canonicalJson(job.convection))),
  ].sort();
  for (const options of problems) {
    const problem = convectionProblem(JSON.parse(options) as Parameters<typeof convectionProblem>[0]);
    digest.update(options);
    for (const array of [
      problem.collocation,
      problem.initial.points,
      problem.initial.values,
      problem.boundaryTimes,
      problem.test.points,
      problem.test.values,
    ]) {
      digest.update(Buffer.from(array.buffer, array.byteOffset, array.byteLength));
    }
  }
  return { name: 'convection', sha256: digest.digest('hex') };
}

/** Everything that determines the bytes of a built zoo. */
export interface ZooCacheKey {
  kind: 'zoo';
  spec: ZooSpec;
  dataset: DatasetFingerprint;
  library: string;
  builder: number;
  format: number;
  engine: TrainingEngine;
}

/** The cache key of the zoo `spec` builds with `engine` (default 'js', as buildZoo), with this library and dataset. */
export function zooCacheKey(spec: ZooSpec, options: { engine?: TrainingEngine } = {}): ZooCacheKey {
  checkSpec(spec); // a misspelled field fails here, before any folder or lock is made
  const { record, split } = specData(spec);
  // The user's data by the SHA-256 zoo.json records (of its file, or of a module's arrays): its
  // split's name is the file's, and a path must not tell two copies of the same bytes apart.
  const dataset = isCustomDataset(record)
    ? { name: record.name, sha256: record.sha256 }
    : split
      ? datasetFingerprint(split)
      : convectionFingerprint(spec);
  return {
    kind: 'zoo',
    // The user's data enters by its SHA-256 and names, never its path: the same bytes elsewhere share the zoo.
    spec: specIdentity(spec, record),
    dataset,
    library: libraryVersion(),
    builder: BUILDER_VERSION,
    format: ZOO_FORMAT_VERSION,
    engine: options.engine ?? 'js',
  };
}

/** The cache folder of that key (not created). */
export function zooCacheFolder(spec: ZooSpec, options: { engine?: TrainingEngine; root?: string } = {}): string {
  return cacheFolder('zoos', zooCacheKey(spec, options), { root: options.root, label: spec.name });
}

export interface ZooCacheOptions extends Omit<BuildOptions, 'out'> {
  /**
   * Cache folder to use.
   * @default undefined (cacheRoot(): $WEIGHTLAB_CACHE_DIR, $XDG_CACHE_HOME/weightlab or ~/.cache/weightlab)
   */
  root?: string;
}

/** buildZoo's defaults less `out`, plus `root`. */
export const ZOO_CACHE_DEFAULTS = (({ out: _out, ...build }) => ({ ...build, root: undefined }))(
  BUILD_DEFAULTS,
) satisfies OptionDefaults<ZooCacheOptions>;

export interface ZooCacheReport extends BuildReport {
  zoo: Zoo;
  /** The zoo's cache folder (also `out`). */
  folder: string;
  key: ZooCacheKey;
  /** True when the folder was already complete: nothing was built or checked model by model. */
  reused: boolean;
}

interface CompleteMarker {
  key: ZooCacheKey;
  models: string[];
  nan: string[];
  completed: string;
}

/**
 * The zoo of `spec`, from the cache when a complete copy built from the same spec, dataset bytes,
 * library version and engine is there; otherwise built (or a partial build resumed) in its cache
 * folder, which is marked complete once every model finished. Options are buildZoo's, less
 * `out`, plus `root`. Phase metrics of the returned zoo are cached in the same folder.
 */
export async function zooCache(spec: ZooSpec, cacheOptions: ZooCacheOptions = {}): Promise<ZooCacheReport> {
  const started = performance.now();
  const options = resolveOptions('zooCache', ZOO_CACHE_DEFAULTS, cacheOptions);
  const key = zooCacheKey(spec, { engine: options.engine });
  const folder = cacheFolder('zoos', key, { root: options.root, label: spec.name });
  const reuse = (): ZooCacheReport | undefined => {
    const marker = readMarker(folder);
    if (
      !marker ||
      !Array.isArray(marker.models) ||
      !Array.isArray(marker.nan) ||
      canonicalJson(marker.key) !== canonicalJson(key)
    )
      return undefined;
    const seconds = (performance.now() - started) / 1000;
    return {
      out: folder,
      models: marker.models.length,
      shard: '0/1',
      trained: [],
      skipped: [...marker.models],
      failed: [],
      nan: [...marker.nan],
      seconds,
      modelsPerMinute: 0,
      zoo: readNativeZoo(folder),
      folder,
      key,
      reused: true,
    };
  };
  const found = reuse();
  if (found) return found;
  const release = await acquireLock(`${folder}.lock`, options.signal);
  try {
    // Whoever held the lock may have finished it meanwhile.
    const finished = reuse();
    if (finished) return finished;
    removeDeadWritersTemporaries(folder);
    const { root: _root, ...build } = cacheOptions;
    const report = await buildZoo(spec, { ...build, out: folder });
    if (report.failed.length === 0) {
      const nan = report.zoo.models
        .filter((model) => model.results.some((row) => row.nan === true))
        .map((model) => model.id);
      const marker: CompleteMarker = {
        key,
        models: report.zoo.models.map((model) => model.id),
        nan,
        completed: new Date().toISOString(),
      };
      writeFileAtomic(path.join(folder, CACHE_COMPLETE_FILE), (write) =>
        write(Buffer.from(`${JSON.stringify(marker, null, 1)}\n`)),
      );
    }
    return { ...report, folder, key, reused: false };
  } finally {
    release();
  }
}

function readMarker(folder: string): CompleteMarker | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(folder, CACHE_COMPLETE_FILE), 'utf8')) as CompleteMarker;
  } catch {
    return undefined; // absent or unreadable: not complete
  }
}

/** Deletes writeFileAtomic's temp files that a killed build left anywhere under `folder`. */
function removeDeadWritersTemporaries(folder: string): void {
  if (!fs.existsSync(folder)) return;
  for (const entry of fs.readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && isDeadWritersTemporary(entry.name))
      fs.rmSync(path.join(entry.parentPath, entry.name), { force: true });
  }
}

/** How long a lock held on another host (whose process we cannot ask about) is waited for. */
const FOREIGN_LOCK_HOURS = 24;

/** Whether the process that wrote `file` is gone (same host, no such pid) or the lock is unreadable and old. */
function lockAbandoned(file: string): boolean {
  let text: string;
  let age: number;
  try {
    text = fs.readFileSync(file, 'utf8');
    age = Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return false; // released meanwhile: the next open succeeds
  }
  let holder: { pid?: number; host?: string };
  try {
    holder = JSON.parse(text) as typeof holder;
  } catch {
    return age > 60_000;
  } // being written, or a crash between open and write
  if (holder.host !== os.hostname() || !Number.isInteger(holder.pid)) return age > FOREIGN_LOCK_HOURS * 3_600_000;
  return !processIsRunning(holder.pid!);
}

/** Takes the lock file (waiting while a live process holds it); returns its release. */
async function acquireLock(file: string, signal?: AbortSignal): Promise<() => void> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let told = false;
  for (;;) {
    try {
      const descriptor = fs.openSync(file, 'wx');
      try {
        fs.writeSync(
          descriptor,
          JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString() }),
        );
      } finally {
        fs.closeSync(descriptor);
      }
      return () => fs.rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (lockAbandoned(file)) {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (signal?.aborted || kernelHost()?.signal.aborted)
      throw new InterruptedError(`interrupted while waiting for ${file}`);
    if (!told) process.stderr.write(`waiting for another process building the same zoo (lock ${file})\n`);
    told = true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
