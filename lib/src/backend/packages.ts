// Finding optional engine packages without loading them: backendInfo() and the availability
// checks need "is it installed, which version" at the cost of a file read, never of a require
// (importing 'weightlab' must stay fast: onnxruntime-node alone maps a 46 MB native library).

import * as fs from 'node:fs';
import * as path from 'node:path';

export interface InstalledPackage {
  name: string;
  version: string;
  /** Folder holding its package.json. */
  directory: string;
}

const cache = new Map<string, InstalledPackage | null>();

/** The installed package `name` as Node's resolver would find it from here, or null. */
export function installedPackage(name: string): InstalledPackage | null {
  if (cache.has(name)) return cache.get(name)!;
  let found: InstalledPackage | null = null;
  try {
    // Resolve the entry point (package.json itself may be hidden by an `exports` map), then
    // walk up to the package.json that names the package.
    let directory = path.dirname(require.resolve(name));
    for (;;) {
      const manifest = path.join(directory, 'package.json');
      if (fs.existsSync(manifest)) {
        const parsed = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
        if (parsed.name === name) {
          found = { name, version: parsed.version ?? 'unknown', directory };
          break;
        }
      }
      const parent = path.dirname(directory);
      if (parent === directory) break;
      directory = parent;
    }
  } catch {
    found = null;
  }
  cache.set(name, found);
  return found;
}
