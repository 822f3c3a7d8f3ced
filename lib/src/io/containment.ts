// Files a model names must stay inside the model's folder. tfjs manifests, ONNX external data
// and safetensors indexes name other files by relative path; a hostile folder can make that path
// (or any folder on it) a symlink to /etc/passwd or a private key, which a text check for `..`
// never sees. Every reader resolves the real path here, at the moment it opens the referenced
// file, and refuses a target outside the real folder the user named. One exception: the Hugging
// Face hub cache stores snapshot files as links into the same repository's blob store
// (`models--org--name/snapshots/REV/file -> ../../blobs/SHA`), so targets inside that repository
// folder are allowed when the named folder sits under its `snapshots/`.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { FormatError } from '../errors';

/** Who refers to the file, for errors: the manifest or index file and the field that names it. */
export interface Referrer {
  file: string;
  field?: string;
  /** Offset of the reference in the referring file, when it has one (ONNX initializers). */
  offset?: number;
}

/** Hub cache repository folders: models--org--name, datasets--org--name, spaces--org--name. */
const HUB_REPOSITORY = /^(models|datasets|spaces)--./;

function inside(folder: string, target: string): boolean {
  const relative = path.relative(folder, target);
  return relative === '' || (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative));
}

function realPath(file: string, referrer: Referrer): string {
  try {
    return fs.realpathSync(file);
  } catch (error) {
    throw new FormatError(`cannot open the referenced file: ${(error as Error).message}`, { ...referrer, found: file });
  }
}

/** The hub cache repository folder (real path) that `folder` is a snapshot of, if it is one. */
function hubRepository(folder: string): string | undefined {
  const parts = path.resolve(folder).split(path.sep);
  for (let i = parts.length - 2; i >= 1; i--) {
    if (HUB_REPOSITORY.test(parts[i]) && parts[i + 1] === 'snapshots') {
      try {
        return fs.realpathSync(parts.slice(0, i + 1).join(path.sep) || path.sep);
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The first symlink on the way from `folder` to `relative` (the one to blame), or the file itself. */
function firstLink(folder: string, relative: string): { link: string; target: string } {
  let at = folder;
  for (const part of relative.split(/[\\/]+/).filter((p) => p !== '' && p !== '.')) {
    at = path.join(at, part);
    try {
      if (fs.lstatSync(at).isSymbolicLink()) return { link: at, target: fs.readlinkSync(at) };
    } catch {
      break;
    }
  }
  return { link: path.join(folder, relative), target: '' };
}

/**
 * The path of `relative` inside `folder`, after checking that the text stays inside (no absolute path,
 * no `..`) and that the real file, with every symlink resolved, does too. A FormatError names the
 * referring file and field, the link and its target otherwise.
 */
export function containedPath(folder: string, relative: unknown, referrer: Referrer): string {
  if (
    typeof relative !== 'string' ||
    relative === '' ||
    path.isAbsolute(relative) ||
    relative.split(/[\\/]/).includes('..')
  ) {
    throw new FormatError('referenced files must be given by a path inside the model folder', {
      ...referrer,
      expected: 'a relative path without ..',
      found: String(relative),
    });
  }
  const file = path.join(folder, relative);
  const real = realPath(file, referrer);
  if (inside(realPath(folder, referrer), real)) return file;
  const repository = hubRepository(folder);
  if (repository !== undefined && inside(repository, real)) return file;
  const { link, target } = firstLink(folder, relative);
  const resolved = target ? path.resolve(path.dirname(link), target) : real;
  throw new FormatError('a symlink leads outside the model folder; refusing to read it', {
    file: link,
    field: referrer.field ?? referrer.file,
    offset: referrer.offset,
    expected: `a target inside ${repository ?? path.resolve(folder)}`,
    found: resolved === real ? real : `${target} (resolves to ${real})`,
  });
}
