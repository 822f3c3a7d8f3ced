// A model zoo: many trained models (a grid of hyperparameters x seeds), each with per-epoch
// results and checkpoints. The Zoo is lazy: opening one reads only the small JSON/CSV side
// files; weights are read when a checkpoint is loaded. Its metadata and results form an
// Arquero table (one row per model and epoch, hyperparameters flattened, ggap added), the
// shape every weight-space experiment (property prediction, phase maps) starts from.

// arquero is loaded on first use: importing weightlab must stay cheap (kernel start-up).
import type * as Arquero from 'arquero';
import { mimeBundle, type MimeBundle } from '../display/protocol';
import type { WeightSet } from '../weights/weight-set';
import { checkpointPasses, type CheckpointFilter, type FilterReport } from './filters';
import { escapeHtml } from '../display/builders';
import type { WeightlabError } from '../errors';

export type ZooKind = 'ray-tune' | 'weightlab' | 'small-cnn-zoo';

/** One report of a model at one epoch (a result.json line, a metrics.csv row). */
export interface ZooResult {
  epoch: number;
  [metric: string]: unknown;
}

export interface ZooCheckpoint {
  readonly model: ZooModel;
  readonly epoch: number;
  /** The file the weights come from (`weights.npy#row` for row-addressed zoos). */
  readonly path: string;
  /** Reads the weights (lazily: tensors are read when asked for). */
  load(): WeightSet;
}

export interface ZooModel {
  /** Directory name or model key; unique within the zoo. */
  readonly id: string;
  readonly path: string;
  /** Hyperparameters, flattened with '::' (PTMZ/ModelZoos key names). */
  readonly params: Record<string, unknown>;
  /** Per-epoch results in epoch order. */
  readonly results: ZooResult[];
  /** Checkpoints in epoch order. */
  readonly checkpoints: ZooCheckpoint[];
  /** Which result.json line holds epoch e: line e - epochOffset (ModelZoos' idx_offset). */
  readonly epochOffset?: number;
  /** Problems found while reading that did not stop it (a truncated last result line). */
  readonly warnings?: string[];
}

/** A folder entry the reader left out (a bad link, an unreadable trial), with why. */
export interface ZooSkip {
  /** The entry as found in the zoo (the link itself, not its target). */
  readonly path: string;
  /** The error's message: file, what was expected and what was found. */
  readonly reason: string;
  /** The typed error, for code that matches on `code` or `details`. */
  readonly error: WeightlabError;
}

/** ray-tune bookkeeping fields that describe the run, not the model; left out of tables by default. */
export const BOOKKEEPING_KEYS = new Set([
  'config', 'date', 'timestamp', 'time_this_iter_s', 'time_total_s', 'time_since_restore', 'pid', 'hostname', 'node_ip',
  'iterations_since_restore', 'timesteps_total', 'timesteps_since_restore', 'episodes_total', 'trial_id', 'experiment_id',
  'experiment_tag', 'done', 'should_checkpoint', 'checkpoint_dir_name',
]);

export interface ZooTableOptions {
  /** Keep ray-tune bookkeeping columns (dates, hosts, timings); default false. */
  bookkeeping?: boolean;
}

export interface ZooSummary {
  kind: ZooKind;
  root: string;
  models: number;
  checkpoints: number;
  /** Checkpoint count of each model, by id. */
  checkpointsPerModel: Record<string, number>;
  /** Hyperparameters that vary, with their sorted distinct values. */
  axes: Record<string, unknown[]>;
  /** Entries left out while reading, with why. */
  skipped: { path: string; reason: string }[];
  /** Every warning: skipped entries, then problems within models. */
  warnings: string[];
}

type Table = ReturnType<typeof Arquero.table>;

export class Zoo implements Iterable<ZooCheckpoint> {
  constructor(
    readonly kind: ZooKind,
    readonly root: string,
    readonly models: readonly ZooModel[],
    /** Grid axes: from the manifest when there is one, else the hyperparameters that vary across models. */
    readonly axes: Record<string, unknown[]> = inferAxes(models),
    /** The native format's manifest (other kinds: undefined). */
    readonly manifest?: Record<string, unknown>,
    /** Entries of the folder that could not be read and were left out (see ZooReadOptions.strict). */
    readonly skipped: readonly ZooSkip[] = [],
  ) {}

  /** Every problem met while reading that did not stop it: skipped entries, then each model's warnings. */
  get warnings(): string[] {
    return [
      // The reason usually starts with the entry's path already (the error names the file).
      ...this.skipped.map((skip) => (skip.reason.startsWith(`${skip.path}:`) ? `skipped ${skip.reason}` : `skipped ${skip.path}: ${skip.reason}`)),
      ...this.models.flatMap((model) => (model.warnings ?? []).map((warning) => `${model.id}: ${warning}`)),
    ];
  }

  get size(): number { return this.models.length; }
  get numCheckpoints(): number { return this.models.reduce((total, model) => total + model.checkpoints.length, 0); }

  model(id: string): ZooModel {
    const found = this.models.find((model) => model.id === id);
    if (!found) throw new RangeError(`no model '${id}' in the zoo`);
    return found;
  }

  /** Every checkpoint, model by model, epoch by epoch (nothing is read until `load()`). */
  *[Symbol.iterator](): Iterator<ZooCheckpoint> {
    for (const model of this.models) yield* model.checkpoints;
  }

  /** A zoo of the models that pass `keep` (same kind, same axes). */
  filter(keep: (model: ZooModel) => boolean): Zoo {
    return new Zoo(this.kind, this.root, this.models.filter(keep), this.axes, this.manifest, this.skipped);
  }

  /**
   * Loads checkpoints one at a time and yields those that pass the filter (ModelZoos' loader
   * drops checkpoints with NaN and with |w| above a threshold). Counts land in `filter.report`.
   */
  *weights(filter: CheckpointFilter & { epochs?: number[]; report?: FilterReport } = {}): Generator<{ checkpoint: ZooCheckpoint; weights: WeightSet }> {
    const epochs = filter.epochs ? new Set(filter.epochs) : undefined;
    for (const checkpoint of this) {
      if (epochs && !epochs.has(checkpoint.epoch)) continue;
      const weights = checkpoint.load();
      const verdict = checkpointPasses(weights, filter);
      if (filter.report) {
        if (verdict.keep) filter.report.kept++;
        else filter.report.dropped.push({ model: checkpoint.model.id, epoch: checkpoint.epoch, reason: verdict.reason! });
      }
      if (verdict.keep) yield { checkpoint, weights };
    }
  }

  /**
   * One row per model and reported epoch: `model`, `epoch`, the flattened hyperparameters, the
   * results, `ggap = train_acc - test_acc` (when both exist) and `checkpoint` (whether weights exist for that epoch).
   */
  table(options: ZooTableOptions = {}): Table {
    const rows: Record<string, unknown>[] = [];
    for (const model of this.models) {
      const checkpointEpochs = new Set(model.checkpoints.map((checkpoint) => checkpoint.epoch));
      const reported = new Set<number>();
      const emit = (result: ZooResult) => {
        const row: Record<string, unknown> = { model: model.id, epoch: result.epoch, ...model.params };
        for (const [key, value] of Object.entries(result)) {
          if (key === 'epoch' || (!options.bookkeeping && BOOKKEEPING_KEYS.has(key))) continue;
          if (value !== null && typeof value === 'object') continue;
          row[key in model.params || key === 'model' ? `result::${key}` : key] = value;
        }
        row.ggap = typeof result.train_acc === 'number' && typeof result.test_acc === 'number' ? result.train_acc - result.test_acc : null;
        row.checkpoint = checkpointEpochs.has(result.epoch);
        rows.push(row);
        reported.add(result.epoch);
      };
      for (const result of model.results) emit(result);
      // Checkpoints without a result line still get a row, so every checkpoint is in the table.
      for (const epoch of checkpointEpochs) if (!reported.has(epoch)) emit({ epoch });
    }
    return tableFromRows(rows, ['model', 'epoch']);
  }

  /** One row per model: hyperparameters, number of checkpoints, and the results of its last reported epoch. */
  modelTable(options: ZooTableOptions = {}): Table {
    const rows = this.models.map((model) => {
      const last = model.results[model.results.length - 1];
      const row: Record<string, unknown> = { model: model.id, ...model.params, checkpoints: model.checkpoints.length };
      if (last) {
        for (const [key, value] of Object.entries(last)) {
          if ((!options.bookkeeping && BOOKKEEPING_KEYS.has(key)) || (value !== null && typeof value === 'object')) continue;
          row[key in model.params || key in row ? `result::${key}` : key] = value;
        }
        row.ggap = typeof last.train_acc === 'number' && typeof last.test_acc === 'number' ? last.train_acc - last.test_acc : null;
      }
      return row;
    });
    return tableFromRows(rows, ['model']);
  }

  summary(): ZooSummary {
    return {
      kind: this.kind,
      root: this.root,
      models: this.size,
      checkpoints: this.numCheckpoints,
      checkpointsPerModel: Object.fromEntries(this.models.map((model) => [model.id, model.checkpoints.length])),
      axes: this.axes,
      skipped: this.skipped.map(({ path, reason }) => ({ path, reason })),
      warnings: this.warnings,
    };
  }

  toString(): string {
    const axes = Object.entries(this.axes).map(([key, values]) => `${key} (${values.length})`).join(', ');
    const skipped = this.skipped.length ? `; ${this.skipped.length} skipped` : '';
    return `Zoo(${this.kind}, ${this.size} models, ${this.numCheckpoints} checkpoints${axes ? `; axes ${axes}` : ''}${skipped})`;
  }

  [mimeBundle](): MimeBundle {
    const table = this.modelTable();
    const shown = table.slice(0, 20);
    const warnings = this.warnings;
    const warningText = warnings.map((warning) => `warning: ${warning}\n`).join('');
    const warningHtml = warnings.length ? `<ul>${warnings.map((warning) => `<li>${escapeHtml(warning)}</li>`).join('')}</ul>` : '';
    return {
      data: {
        'text/plain': `${this.toString()}\n${warningText}${shown.toMarkdown()}`,
        'text/html': `<div class="weightlab-zoo"><p>${escapeHtml(this.toString())}</p>${warningHtml}${shown.toHTML()}</div>`,
      },
    };
  }
}


/** An Arquero table from rows with possibly different keys: missing cells are null, `first` columns lead. */
export function tableFromRows(rows: Record<string, unknown>[], first: string[] = []): Table {
  const names: string[] = [...first];
  const known = new Set(names);
  for (const row of rows) for (const key of Object.keys(row)) if (!known.has(key)) { known.add(key); names.push(key); }
  const columns: Record<string, unknown[]> = {};
  for (const name of names) columns[name] = rows.map((row) => (row[name] === undefined ? null : row[name]));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const aq = require('arquero') as typeof Arquero;
  return aq.table(columns);
}

/** Hyperparameters whose values differ between models, with sorted distinct values. */
export function inferAxes(models: readonly ZooModel[]): Record<string, unknown[]> {
  const values = new Map<string, Map<string, unknown>>();
  for (const model of models) {
    for (const [key, value] of Object.entries(model.params)) {
      if (!values.has(key)) values.set(key, new Map());
      values.get(key)!.set(JSON.stringify(value), value);
    }
  }
  const axes: Record<string, unknown[]> = {};
  for (const [key, distinct] of values) {
    if (distinct.size < 2) continue;
    axes[key] = [...distinct.values()].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b))));
  }
  return axes;
}
