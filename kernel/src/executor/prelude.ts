// The prelude every kernel runs first: imports weightlab's public surface (its flat names and its
// namespaces, values and types), plus `import * as weightlab`, so cells use the library with no
// import and still get completion, hover docs and type errors. It imports 'weightlab', which the
// kernel maps to its own copy wherever the notebook is (the cell require and the checker's paths)
// and which the declaration bundle declares (see declaration-bundle.ts). The names come
// from dist/prelude.json, which scripts/build-prelude.js generates from lib's index.d.ts.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface PreludeName {
  name: string;
  /** 'type' for interfaces and type aliases (imported with `type`), 'value' otherwise. */
  kind: 'value' | 'type';
  /** true for a namespace of the surface (`spectral`, `zoo`, `display`, ...). */
  namespace?: boolean;
}

export interface PreludeManifest {
  names: PreludeName[];
}

export const PRELUDE_FILE = path.resolve(__dirname, '..', 'prelude.json');

export function readPreludeManifest(file = PRELUDE_FILE): PreludeManifest {
  if (!existsSync(file)) return { names: [] };
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as PreludeManifest;
  return { names: Array.isArray(manifest.names) ? manifest.names : [] };
}

export function preludeSource(names: readonly PreludeName[]): string {
  const from = JSON.stringify('weightlab');
  const lines = [`import * as weightlab from ${from};`];
  if (names.length > 0) {
    const specifiers = names.map((entry) => (entry.kind === 'type' ? `type ${entry.name}` : entry.name));
    lines.push(`import { ${specifiers.join(', ')} } from ${from};`);
  }
  return `${lines.join('\n')}\n`;
}

/** The namespaces of the surface, in the manifest's order. */
export function preludeNamespaces(names: readonly PreludeName[]): string[] {
  return names.filter((entry) => entry.namespace === true).map((entry) => entry.name);
}

/** Names a failed prelude complains about ("has no exported member 'x'"), to retry without them. */
export function namesInDiagnostics(evalue: string): Set<string> {
  const names = new Set<string>();
  for (const match of evalue.matchAll(/'([A-Za-z_$][\w$]*)'/g)) names.add(match[1]);
  return names;
}
