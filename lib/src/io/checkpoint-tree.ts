// From an unpickled checkpoint object to a WeightSet. Researchers save state dicts in many
// wrappers: `{"state_dict": ...}`, `{"model": ..., "optimizer": ..., "epoch": 3}`, DataParallel's
// `module.` prefix, nested dicts. This module finds the weights, names nested tensors by dotted
// paths, strips a prefix every name shares, and keeps scalar side-information as metadata.
// Walks visit each container once (pickles can share one list many times), so time stays linear.

import { FormatError } from '../errors';
import { WeightSet, type TensorEntry } from '../weights/weight-set';

/** Keys under which training scripts commonly store the model's state dict, in the order we try them. */
export const STATE_DICT_KEYS = ['state_dict', 'model_state_dict', 'model', 'net', 'network', 'module', 'model_state'];

export interface UnwrapOptions {
  /** Take the weights from this top-level key instead of guessing. */
  key?: string;
  /** Strip a `module.` (or other DataParallel/DDP) prefix shared by every tensor name (default true). */
  stripPrefix?: boolean;
}

type IsTensor = (value: unknown) => value is TensorEntry;

function isDict(value: unknown): value is Map<unknown, unknown> {
  return value instanceof Map;
}

function containsTensor(value: unknown, isTensor: IsTensor, seen = new Set<unknown>(), depth = 0): boolean {
  if (isTensor(value)) return true;
  if (depth > 64 || value === null || typeof value !== 'object' || seen.has(value)) return false;
  seen.add(value);
  const children = isDict(value) ? [...value.values()] : Array.isArray(value) ? value : [];
  return children.some((child) => containsTensor(child, isTensor, seen, depth + 1));
}

/** Every tensor under `root`, named by its dotted path; the first path wins for shared objects. */
export function collectTensors(root: unknown, isTensor: IsTensor, file: string): [string, TensorEntry][] {
  const out: [string, TensorEntry][] = [];
  const names = new Set<string>();
  const seen = new Set<unknown>();
  const walk = (value: unknown, name: string, depth: number): void => {
    if (isTensor(value)) {
      const key = name || 'tensor';
      if (names.has(key)) throw new FormatError('two tensors flatten to the same name', { file, field: key });
      names.add(key);
      out.push([key, value]);
      return;
    }
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    if (depth > 64)
      throw new FormatError('checkpoint nests containers too deeply', {
        file,
        field: name,
        expected: 'at most 64 levels',
      });
    seen.add(value);
    const join = (key: unknown) => (name ? `${name}.${String(key)}` : String(key));
    if (isDict(value)) for (const [key, child] of value) walk(child, join(key), depth + 1);
    else if (Array.isArray(value)) value.forEach((child, index) => walk(child, join(index), depth + 1));
  };
  walk(root, '', 0);
  return out;
}

function scalarMetadata(root: unknown, skip: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!isDict(root)) return out;
  for (const [key, value] of root) {
    if (key === skip) continue;
    if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') out[String(key)] = value;
    else if (typeof value === 'bigint') out[String(key)] = value.toString();
  }
  return out;
}

/** The WeightSet inside an unpickled checkpoint: unwraps common wrappers and strips `module.`. */
export function weightsFromCheckpoint(
  root: unknown,
  isTensor: IsTensor,
  file: string,
  options: UnwrapOptions = {},
  metadata: Record<string, unknown> = {},
): WeightSet {
  let chosen: unknown = root;
  let chosenKey: string | undefined;
  if (options.key !== undefined) {
    if (!isDict(root) || !root.has(options.key))
      throw new FormatError('checkpoint has no such top-level key', {
        file,
        field: options.key,
        expected: isDict(root) ? [...root.keys()].map(String).join(', ') : 'a dict',
      });
    chosen = root.get(options.key);
    chosenKey = options.key;
  } else if (isDict(root) && ![...root.values()].every((value) => isTensor(value))) {
    for (const key of STATE_DICT_KEYS) {
      const value = root.get(key);
      if (isDict(value) && containsTensor(value, isTensor)) {
        chosen = value;
        chosenKey = key;
        break;
      }
    }
  }
  let entries = collectTensors(chosen, isTensor, file);
  if (options.stripPrefix !== false) {
    for (const prefix of ['module.', '_orig_mod.', 'model.']) {
      if (prefix === 'model.' && chosenKey === undefined) continue; // only strip 'model.' inside an explicit wrapper (Lightning style)
      if (entries.length > 0 && entries.every(([name]) => name.startsWith(prefix)))
        entries = entries.map(([name, entry]) => [name.slice(prefix.length), entry]);
    }
  }
  return new WeightSet(entries, {
    metadata: {
      ...metadata,
      ...(chosenKey !== undefined ? { stateDictKey: chosenKey } : {}),
      extra: scalarMetadata(root, chosenKey),
    },
  });
}
