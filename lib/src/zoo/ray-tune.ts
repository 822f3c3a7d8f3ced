// ray-tune trial folders, the layout of the Model Zoos (NeurIPS 2022) and the Phase-Transition
// Model Zoo: one directory per model with params.json (flat config), result.json (JSON Lines,
// one report per epoch) and checkpoint_<N>/ folders (`checkpoint_5` in older zoos,
// `checkpoint_000005` in newer ones) holding a torch.save'd state dict called `checkpoints`.
// See specs/zoos-and-phases.md §1.3 and §3.2 (the epoch-offset rule is implemented in `epochOffset`).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { FormatError } from '../errors';
import { readWeights } from '../io/read-weights';
import type { WeightSet } from '../weights/weight-set';
import { flattenKeys, parseJsonLines, parsePythonJson } from './python-json';
import { Zoo, type ZooCheckpoint, type ZooModel, type ZooResult } from './zoo';

/** Files a checkpoint folder may hold the weights in, in the order we look for them. */
export const CHECKPOINT_FILES = ['weights.safetensors', 'checkpoints', 'model.safetensors', 'checkpoint.pt', 'model.pt', 'checkpoint.pth', 'model.pth'];

const CHECKPOINT_DIRECTORY = /^checkpoint_(\d+)$/;

/** True when `directory` looks like a trial folder. */
export function isTrialDirectory(directory: string): boolean {
  return fs.existsSync(path.join(directory, 'params.json'));
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
    file, expected: 'training_iteration == line index (+1)', found: iterations.slice(0, 5).map(String).join(', '),
  });
}

function readJsonFile(file: string): unknown {
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch (error) { throw new FormatError(`cannot read: ${(error as Error).message}`, { file }); }
  return parsePythonJson(text, file);
}

/** Reads one trial folder (nothing but JSON is read; checkpoints stay lazy). */
export function readTrial(directory: string, id = path.basename(directory)): ZooModel {
  const paramsFile = path.join(directory, 'params.json');
  const params = readJsonFile(paramsFile);
  if (typeof params !== 'object' || params === null || Array.isArray(params)) throw new FormatError('params.json is not an object', { file: paramsFile });
  const warnings: string[] = [];
  const entries = fs.readdirSync(directory, { withFileTypes: true });
  const checkpointDirs = entries
    .filter((entry) => entry.isDirectory() && CHECKPOINT_DIRECTORY.test(entry.name))
    .map((entry) => ({ name: entry.name, epoch: Number(CHECKPOINT_DIRECTORY.exec(entry.name)![1]) }))
    .sort((a, b) => a.epoch - b.epoch);
  const model = { id, path: directory, params: flattenKeys(params as Record<string, unknown>), results: [] as ZooResult[], checkpoints: [] as ZooCheckpoint[], warnings, epochOffset: 0 };
  const seenEpochs = new Set<number>();
  for (const { name, epoch } of checkpointDirs) {
    if (seenEpochs.has(epoch)) { warnings.push(`two checkpoint folders for epoch ${epoch}; using the first (${name} skipped)`); continue; }
    const folder = path.join(directory, name);
    const file = CHECKPOINT_FILES.map((candidate) => path.join(folder, candidate)).find((candidate) => fs.existsSync(candidate));
    if (!file) { warnings.push(`${name} holds no weight file (looked for ${CHECKPOINT_FILES.join(', ')})`); continue; }
    seenEpochs.add(epoch);
    model.checkpoints.push({ model, epoch, path: file, load: (): WeightSet => readWeights(file) });
  }
  const resultFile = path.join(directory, 'result.json');
  if (fs.existsSync(resultFile)) {
    const { rows, droppedLastLine } = parseJsonLines(fs.readFileSync(resultFile, 'utf8'), resultFile);
    if (droppedLastLine) warnings.push('result.json: the last line is truncated and was dropped');
    model.epochOffset = epochOffset(rows, seenEpochs.has(0), resultFile);
    model.results = rows.map((row, index) => ({ ...row, epoch: index + model.epochOffset }));
  }
  return model;
}

/** Trial folders under `root` (or `root` itself when it is one), in name order. */
export function readRayTuneZoo(root: string): Zoo {
  if (isTrialDirectory(root)) return new Zoo('ray-tune', root, [readTrial(root)]);
  let names: string[];
  try { names = fs.readdirSync(root); } catch (error) { throw new FormatError(`cannot list the zoo folder: ${(error as Error).message}`, { file: root }); }
  const models = names.sort()
    .map((name) => path.join(root, name))
    .filter((directory) => fs.statSync(directory).isDirectory() && isTrialDirectory(directory))
    .map((directory) => readTrial(directory));
  if (models.length === 0) throw new FormatError('no trial folders (directories with a params.json) in the zoo folder', { file: root });
  return new Zoo('ray-tune', root, models);
}
