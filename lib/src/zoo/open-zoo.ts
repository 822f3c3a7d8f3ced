// `openZoo(dir)`: recognises which zoo layout a folder holds and opens it with the matching
// reader, so notebooks and the CLI need one call for native, ray-tune and Small CNN zoos.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { FormatError } from '../errors';
import { readNativeZoo, ZOO_MANIFEST } from './native';
import { readRayTuneZoo } from './ray-tune';
import { readSmallCnnZoo, type SmallCnnZooOptions } from './small-cnn-zoo';
import type { Zoo, ZooKind } from './zoo';
import { hasEntry, ZOO_READ_DEFAULTS } from './zoo-folder';
import { resolveOptions, type OptionDefaults } from '../options/resolve';

/** openZoo's options: the read limits of every layout, and the Small CNN Zoo's own two. */
export type OpenZooOptions = SmallCnnZooOptions;

export const OPEN_ZOO_DEFAULTS = {
  ...ZOO_READ_DEFAULTS,
  layout: 'torch',
  maxMetricsBytes: 2 ** 30,
} as const satisfies OptionDefaults<OpenZooOptions>;

/** The layout of a zoo folder. */
export function detectZooKind(root: string): ZooKind {
  let isFolder = false;
  try {
    isFolder = fs.statSync(root).isDirectory();
  } catch {
    /* missing or a bad link: not a folder */
  }
  if (!isFolder)
    throw new FormatError('a zoo is a folder', {
      file: root,
      expected: 'a folder',
      found: hasEntry(root) ? 'not a folder (or a bad link)' : 'nothing',
    });
  if (hasEntry(path.join(root, ZOO_MANIFEST))) return 'weightlab';
  if (hasEntry(path.join(root, 'weights.npy')) && hasEntry(path.join(root, 'layout.csv'))) return 'small-cnn-zoo';
  return 'ray-tune';
}

/**
 * Opens a zoo folder of any supported layout (lazily: only JSON/CSV side files are read).
 * Entries that cannot be read (bad links, unreadable trials) are skipped and listed in
 * `zoo.skipped` / `zoo.warnings`, unless `strict` is set (see ZooReadOptions for the limits).
 */
export function openZoo(root: string, openOptions: OpenZooOptions = {}): Zoo {
  const options = resolveOptions('openZoo', OPEN_ZOO_DEFAULTS, openOptions);
  switch (detectZooKind(root)) {
    case 'weightlab':
      return readNativeZoo(root, options);
    case 'small-cnn-zoo':
      return readSmallCnnZoo(root, options);
    default:
      return readRayTuneZoo(root, options);
  }
}
