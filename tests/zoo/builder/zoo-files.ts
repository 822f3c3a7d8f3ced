// What two builds of a zoo are compared by: every file's SHA-256 by its path in the zoo folder,
// less the files that legitimately differ between equal builds (zoo.json holds its creation
// time; phase-metrics.json and the cache's completion marker are written after the build).
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { CACHE_COMPLETE_FILE } from 'weightlab/internal';

const NOT_COMPARED = new Set(['zoo.json', 'phase-metrics.json', CACHE_COMPLETE_FILE]);

export function zooFileDigests(root: string): Record<string, string> {
  const digests: Record<string, string> = {};
  const walk = (folder: string) => {
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (!NOT_COMPARED.has(entry.name))
        digests[path.relative(root, full)] = createHash('sha256').update(fs.readFileSync(full)).digest('hex');
    }
  };
  walk(root);
  return digests;
}
