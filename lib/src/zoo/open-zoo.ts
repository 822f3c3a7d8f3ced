// `openZoo(dir)`: recognises which zoo layout a folder holds and opens it with the matching
// reader, so notebooks and the CLI need one call for native, ray-tune and Small CNN zoos.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { FormatError } from '../errors';
import { readNativeZoo, ZOO_MANIFEST } from './native';
import { readRayTuneZoo } from './ray-tune';
import { readSmallCnnZoo, type SmallCnnZooOptions } from './small-cnn-zoo';
import type { Zoo, ZooKind } from './zoo';

/** The layout of a zoo folder. */
export function detectZooKind(root: string): ZooKind {
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new FormatError('a zoo is a folder', { file: root });
  if (fs.existsSync(path.join(root, ZOO_MANIFEST))) return 'weightlab';
  if (fs.existsSync(path.join(root, 'weights.npy')) && fs.existsSync(path.join(root, 'layout.csv'))) return 'small-cnn-zoo';
  return 'ray-tune';
}

/** Opens a zoo folder of any supported layout (lazily: only JSON/CSV side files are read). */
export function openZoo(root: string, options: SmallCnnZooOptions = {}): Zoo {
  switch (detectZooKind(root)) {
    case 'weightlab': return readNativeZoo(root);
    case 'small-cnn-zoo': return readSmallCnnZoo(root, options);
    default: return readRayTuneZoo(root);
  }
}
