// Loads a large CommonJS file (TypeScript's 8 MB compiler) with a V8 code cache, so later
// kernels skip compiling it. Node 20 has no module.enableCompileCache; this is the same idea by
// hand. The cache lives in the user's own cache folder (never a shared temp folder: V8 trusts
// what it deserializes), keyed by the Node version and the file's size and mtime.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';

export interface CachedModule {
  exports: unknown;
  /** Writes the cache (with every function compiled so far) when there was none or V8 rejected it. */
  save(): void;
}

function cacheDirectory(): string | undefined {
  if (process.env.WEIGHTLAB_NO_CODE_CACHE) return undefined;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'weightlab', 'v8');
}

function cacheFile(directory: string, file: string): string {
  const stat = statSync(file);
  const key = createHash('sha256')
    .update(`${process.version}|${process.arch}|${file}|${stat.size}|${stat.mtimeMs}`)
    .digest('hex')
    .slice(0, 24);
  return path.join(directory, `${path.basename(file, '.js')}-${key}.bin`);
}

/** Loads `file` as a CommonJS module (registered in require.cache) through a V8 code cache. */
export function requireWithCodeCache(file: string): CachedModule {
  const directory = cacheDirectory();
  const cache = directory ? cacheFile(directory, file) : undefined;
  let cachedData: Buffer | undefined;
  if (cache) {
    try {
      cachedData = readFileSync(cache);
    } catch {
      /* first run: no cache yet */
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
      } catch {
        // A read-only home only costs the next start its compile time.
      }
    },
  };
}
