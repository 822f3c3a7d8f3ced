// ray-tune trial folders, the layout of the Model Zoos (NeurIPS 2022) and the Phase-Transition
// Model Zoo: one directory per model with params.json (flat config), result.json (JSON Lines,
// one report per epoch) and checkpoint_<N>/ folders (`checkpoint_5` in older zoos,
// `checkpoint_000005` in newer ones) holding a torch.save'd state dict called `checkpoints`.
// See specs/zoos-and-phases.md §1.3 and §3.2 (the epoch-offset rule is implemented in `epochOffset`).

import * as path from 'node:path';
import { FormatError, WeightlabError } from '../errors';
import { readWeights } from '../io/read-weights';
import type { WeightSet } from '../weights/weight-set';
import { flattenKeys } from './python-json';
import { hyperparametersOf } from './ptmz-keys';
import { Zoo, type ZooCheckpoint, type ZooModel, type ZooResult, type ZooSkip } from './zoo';
import { hasEntry, isReadError, ZooFolder, type EntryKind, type ZooReadOptions } from './zoo-folder';

/** Files a checkpoint folder may hold the weights in, in the order we look for them. */
export const CHECKPOINT_FILES = [
  'weights.safetensors',
  'checkpoints',
  'model.safetensors',
  'checkpoint.pt',
  'model.pt',
  'checkpoint.pth',
  'model.pth',
];

const CHECKPOINT_DIRECTORY = /^checkpoint_(\d+)$/;

/** True when `directory` looks like a trial folder: it has a params.json entry (even a bad link: reading it reports why). */
export function isTrialDirectory(directory: string): boolean {
  return hasEntry(path.join(directory, 'params.json'));
}

/**
 * Which result.json line holds epoch e: line e - offset. ModelZoos' rule: offset 0 when there is
 * a checkpoint_0 (an evaluation at initialisation was reported), else 1; when the lines carry
 * `training_iteration`, the offset must make it equal the epoch, and the other offset is tried
 * if it does not (as the reference loader does).
 */
export function epochOffset(lines: Record<string, unknown>[], hasCheckpointZero: boolean, file: string): number {
  const preferred = hasCheckpointZero ? 0 : 1;
  const iterations = lines.map((line) => line.training_iteration);
  if (!iterations.some((value) => typeof value === 'number')) return preferred;
  for (const offset of [preferred, 1 - preferred]) {
    if (iterations.every((value, index) => typeof value !== 'number' || value === index + offset)) return offset;
  }
  throw new FormatError('result.json training_iteration matches neither epoch offset 0 nor 1', {
    file,
    expected: 'training_iteration == line index (+1)',
    found: iterations.slice(0, 5).map(String).join(', '),
  });
}

/**
 * Reads one trial folder of `folder` (nothing but JSON is read; checkpoints stay lazy). A
 * checkpoint folder or weight file that is a bad link, or not a file, is left out with a warning
 * on the model; params.json and result.json must be readable or the trial is.
 */
export function readTrialIn(folder: ZooFolder, directory: string, id = path.basename(directory)): ZooModel {
  const paramsFile = path.join(directory, 'params.json');
  const params = folder.readJson(paramsFile);
  if (typeof params !== 'object' || params === null || Array.isArray(params))
    throw new FormatError('params.json is not an object', {
      file: paramsFile,
      expected: 'an object',
      found: Array.isArray(params) ? 'an array' : String(params),
    });
  const warnings: string[] = [];
  // A checkpoint entry that is a bad link is left out with a warning (raised when strict); undefined then.
  const look = (entry: string): EntryKind | undefined => {
    try {
      return folder.entry(path.join(directory, entry));
    } catch (error) {
      if (!(error instanceof FormatError) || folder.strict) throw error;
      warnings.push(`${entry} skipped: ${error.message}`);
      return undefined;
    }
  };
  const checkpointDirs: { name: string; epoch: number }[] = [];
  for (const name of folder.list(directory)) {
    const match = CHECKPOINT_DIRECTORY.exec(name);
    if (match && look(name) === 'directory') checkpointDirs.push({ name, epoch: Number(match[1]) });
  }
  checkpointDirs.sort((a, b) => a.epoch - b.epoch);
  const flat = flattenKeys(params as Record<string, unknown>);
  const model = {
    id,
    path: directory,
    params: flat,
    hyperparameters: hyperparametersOf(flat),
    results: [] as ZooResult[],
    checkpoints: [] as ZooCheckpoint[],
    warnings,
    epochOffset: 0,
  };
  const seenEpochs = new Set<number>();
  for (const { name, epoch } of checkpointDirs) {
    if (seenEpochs.has(epoch)) {
      warnings.push(`two checkpoint folders for epoch ${epoch}; using the first (${name} skipped)`);
      continue;
    }
    let file: string | undefined;
    for (const weights of CHECKPOINT_FILES) {
      const kind = look(path.join(name, weights));
      if (kind === 'file') {
        file = path.join(directory, name, weights);
        break;
      }
      if (kind === 'directory' || kind === 'other') warnings.push(`${name}/${weights} skipped: not a regular file`);
    }
    if (!file) {
      warnings.push(`${name} holds no weight file (looked for ${CHECKPOINT_FILES.join(', ')})`);
      continue;
    }
    seenEpochs.add(epoch);
    const weightsFile = file;
    model.checkpoints.push({ model, epoch, path: weightsFile, load: (): WeightSet => readWeights(weightsFile) });
  }
  const resultFile = path.join(directory, 'result.json');
  if (folder.entry(resultFile) !== 'missing') {
    const { rows, droppedLastLine } = folder.readJsonLines(resultFile);
    if (droppedLastLine) warnings.push('result.json: the last line is truncated and was dropped');
    model.epochOffset = epochOffset(rows, seenEpochs.has(0), resultFile);
    // The rows are fresh objects from the parser: epoch is set in place rather than copied (memory).
    rows.forEach((row, index) => {
      row.epoch = index + model.epochOffset;
    });
    model.results = rows as ZooResult[];
  }
  return model;
}

/** Reads one trial folder on its own (the folder is the zoo: links must stay inside it). */
export function readTrial(directory: string, id = path.basename(directory), options: ZooReadOptions = {}): ZooModel {
  return readTrialIn(new ZooFolder(directory, options), directory, id);
}

/**
 * Reads the trials `directories` of a zoo; an unreadable one is skipped (recorded in `skipped`)
 * unless the folder is strict, in which case its error is raised.
 */
export function readTrials(
  folder: ZooFolder,
  directories: { directory: string; id: string }[],
  skipped: ZooSkip[],
): ZooModel[] {
  const models: ZooModel[] = [];
  for (const { directory, id } of directories) {
    try {
      models.push(readTrialIn(folder, directory, id));
    } catch (error) {
      if (folder.strict || !isReadError(error)) throw error;
      skipped.push(skipOf(directory, error));
    }
  }
  return models;
}

/** A skipped entry from the error that made it unreadable (system errors become FormatErrors naming the entry). */
export function skipOf(entry: string, error: WeightlabError | NodeJS.ErrnoException): ZooSkip {
  const typed =
    error instanceof WeightlabError ? error : new FormatError(`cannot read: ${error.message}`, { file: entry });
  return { path: entry, reason: typed.message, error: typed };
}

/** The FormatError of a zoo in which nothing could be read, naming what was skipped and why. */
export function nothingReadable(root: string, what: string, skipped: ZooSkip[]): FormatError {
  const reasons = skipped
    .slice(0, 3)
    .map((skip) => skip.reason)
    .join('; ');
  return new FormatError(`no readable ${what} in the zoo folder`, {
    file: root,
    expected: `at least one readable ${what}`,
    found: `${skipped.length} unreadable (${reasons}${skipped.length > 3 ? '; ...' : ''})`,
  });
}

/** Trial folders under `root` (or `root` itself when it is one), in name order; unreadable ones are skipped (see ZooReadOptions). */
export function readRayTuneZoo(root: string, options: ZooReadOptions = {}): Zoo {
  const folder = new ZooFolder(root, options);
  if (isTrialDirectory(root)) return new Zoo('ray-tune', root, [readTrialIn(folder, root)]);
  const skipped: ZooSkip[] = [];
  const trials: { directory: string; id: string }[] = [];
  for (const name of folder.list(root)) {
    const directory = path.join(root, name);
    try {
      if (folder.entry(directory) === 'directory' && isTrialDirectory(directory)) trials.push({ directory, id: name });
    } catch (error) {
      if (folder.strict || !isReadError(error)) throw error;
      skipped.push(skipOf(directory, error));
    }
  }
  const models = readTrials(folder, trials, skipped);
  if (models.length === 0) {
    if (skipped.length > 0) throw nothingReadable(root, 'trial folder', skipped);
    throw new FormatError('no trial folders (directories with a params.json) in the zoo folder', { file: root });
  }
  return new Zoo('ray-tune', root, models, undefined, undefined, skipped);
}
