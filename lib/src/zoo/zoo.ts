// A model zoo: many trained models (a grid of hyperparameters x seeds), each with per-epoch
// results and checkpoints. The Zoo is lazy: opening one reads only the small JSON/CSV side
// files; weights are read when a checkpoint is loaded. Its metadata and results form a
// ResultTable (one row per model and epoch, hyperparameters under their axis names, ggap
// added), the shape every weight-space experiment (property prediction, phase maps) starts from.

import { mimeBundle, type MimeBundle } from '../display/protocol';
import type { WeightSet } from '../weights/weight-set';
import type { NetworkArchitecture } from '../train/network';
import type { DatasetSplit } from '../data/dataset';
import { checkpointPasses, WEIGHTS_DEFAULTS, type WeightsOptions } from './filters';
import { escapeHtml } from '../display/builders';
import { ArgumentError, type WeightlabError } from '../errors';
import { ResultTable, type CellValue } from '../table/result-table';
import { resolveOptions, type OptionDefaults } from '../options/resolve';
import { hyperparametersOf } from './ptmz-keys';
import { cellData, datasetSplit, type ZooDataset } from './dataset';
import { joinMeasurements } from './measurement-files';

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
  /** params.json as written: hyperparameters flattened with '::' (PTMZ/ModelZoos key names, the serialised contract). */
  readonly params: Record<string, unknown>;
  /**
   * The same hyperparameters under their axis names (`width`, `batch_size`, `learning_rate`, ...;
   * see AxisName), the names of the tables; keys that are not zoo axes are kept as written.
   */
  readonly hyperparameters: Record<string, unknown>;
  /**
   * The network the model is (kind, layer sizes, activation), as the builder recorded it in
   * zoo.json; undefined for zoos that do not record it (ray-tune, Small CNN Zoo, version-1 zoos).
   */
  readonly architecture?: NetworkArchitecture;
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
  'config',
  'date',
  'timestamp',
  'time_this_iter_s',
  'time_total_s',
  'time_since_restore',
  'pid',
  'hostname',
  'node_ip',
  'iterations_since_restore',
  'timesteps_total',
  'timesteps_since_restore',
  'episodes_total',
  'trial_id',
  'experiment_id',
  'experiment_tag',
  'done',
  'should_checkpoint',
  'checkpoint_dir_name',
]);

export interface ZooTableOptions {
  /**
   * Keep ray-tune bookkeeping columns (dates, hosts, timings).
   * @default false
   */
  bookkeeping?: boolean;
}

export const ZOO_TABLE_DEFAULTS = { bookkeeping: false } as const satisfies OptionDefaults<ZooTableOptions>;

/**
 * Columns every zoo table may have, by their one name. Zoo axes appear when the zoo records them;
 * other hyperparameters and metrics follow under the names the zoo writes (documented, kept as is).
 */
export interface ZooColumns {
  /** The model's id (its folder name). */
  model: string;
  /** Hidden width (a CNN: channels of every conv layer). */
  width?: number;
  /** Hidden layers (a CNN: conv layers). */
  depth?: number;
  /** Minibatch size. */
  batch_size?: number;
  /** Learning rate. */
  learning_rate?: number;
  /** Weight decay. */
  weight_decay?: number;
  /** Fraction of the training set the model saw. */
  data_fraction?: number;
  /** Fraction of training labels replaced at random. */
  label_noise?: number;
  /** The convection PINN's coefficient. */
  beta?: number;
  /** The model's seed (initialisation and data order). */
  seed?: number;
  /** Training loss at that epoch. */
  train_loss?: number | null;
  /** Training accuracy in [0, 1]. */
  train_acc?: number | null;
  /** Test loss. */
  test_loss?: number | null;
  /** Test accuracy in [0, 1]. */
  test_acc?: number | null;
  /** Generalisation gap train_acc - test_acc (null unless both are reported). */
  ggap: number | null;
  /** Other hyperparameters and metrics under the zoo's own names (a result key that repeats a hyperparameter is prefixed `result_`). */
  [column: string]: CellValue;
}

/** A row of `zoo.table()`: one model at one reported epoch. */
export interface ZooRow extends ZooColumns {
  /** The epoch reported (0 = at initialisation). */
  epoch: number;
  /** Whether the zoo holds the model's weights at this epoch. */
  checkpoint: boolean;
}

/** A row of `zoo.modelTable()`: one model, with the results of its last reported epoch. */
export interface ZooModelRow extends ZooColumns {
  /** Checkpoints the model has. */
  checkpoints: number;
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
    /** The dataset the models were trained on, as zoo.json records it (undefined when the zoo does not say). */
    readonly dataset?: ZooDataset,
  ) {}

  /**
   * The train/test split `model` was trained on: the zoo's dataset with the model's data_fraction
   * and label_noise applied. An ArgumentError for a zoo that does not record its dataset (pass
   * your own split to the verb instead) and for a PINN zoo (trained on its PDE, not on data); a
   * FormatError when the zoo's own data file or module no longer gives the recorded SHA-256.
   */
  trainingData(model: ZooModel): DatasetSplit {
    if (!this.dataset)
      throw new ArgumentError('this zoo does not record its dataset (only zoos made by buildZoo do)', {
        file: this.root,
        field: 'data',
      });
    // The split is a pure function of the dataset record: loaded once per Zoo (the user's data is
    // read from its recorded path, relative to the zoo, and refused if its SHA-256 changed).
    this.split ??= datasetSplit(this.dataset, this.root);
    return cellData(this.split, model.hyperparameters as { data_fraction?: number; label_noise?: number });
  }

  private split?: DatasetSplit;

  /** Every problem met while reading that did not stop it: skipped entries, then each model's warnings. */
  get warnings(): string[] {
    return [
      // The reason usually starts with the entry's path already (the error names the file).
      ...this.skipped.map((skip) =>
        skip.reason.startsWith(`${skip.path}:`) ? `skipped ${skip.reason}` : `skipped ${skip.path}: ${skip.reason}`,
      ),
      ...this.models.flatMap((model) => (model.warnings ?? []).map((warning) => `${model.id}: ${warning}`)),
    ];
  }

  get size(): number {
    return this.models.length;
  }
  get numCheckpoints(): number {
    return this.models.reduce((total, model) => total + model.checkpoints.length, 0);
  }

  model(id: string): ZooModel {
    const found = this.models.find((model) => model.id === id);
    if (!found) throw this.unknownModels([id]);
    return found;
  }

  /**
   * A zoo of exactly the models with these ids, in the order given (same kind, axes, dataset):
   * what `view.selection` of a weight manifold or phase diagram names, or any list of ids. An id
   * given twice counts once, at its first place, so joined selections need no de-duplication. An
   * id that is not a model of this zoo is an ArgumentError naming it (every such id) and a few
   * ids the zoo has; an empty list gives an empty zoo.
   */
  subset(ids: Iterable<string>): Zoo {
    const byId = new Map(this.models.map((model) => [model.id, model]));
    const chosen = new Map<string, ZooModel>();
    const unknown: string[] = [];
    for (const id of ids) {
      const model = byId.get(id);
      if (model) chosen.set(id, model);
      else if (!unknown.includes(id)) unknown.push(id);
    }
    if (unknown.length > 0) throw this.unknownModels(unknown);
    return this.withModels([...chosen.values()]);
  }

  /** The error for ids that name no model: the ids, and the zoo's ids (the first few of a large zoo). */
  private unknownModels(ids: readonly string[]): ArgumentError {
    const shown = 5;
    const known = this.models.map((model) => model.id);
    const quoted = (list: readonly string[]) => list.map((id) => JSON.stringify(id)).join(', ');
    return new ArgumentError(
      ids.length === 1 ? 'no such model in the zoo' : `${ids.length} ids name no model in the zoo`,
      {
        file: this.root,
        field: 'id',
        expected:
          known.length === 0
            ? 'no id (the zoo has no models)'
            : known.length <= 2 * shown
              ? `one of ${quoted(known)}`
              : `one of ${known.length} model ids, such as ${quoted(known.slice(0, shown))}`,
        found: quoted(ids),
      },
    );
  }

  /** Every checkpoint, model by model, epoch by epoch (nothing is read until `load()`). */
  *[Symbol.iterator](): Iterator<ZooCheckpoint> {
    for (const model of this.models) yield* model.checkpoints;
  }

  /** A zoo of the models that pass `keep` (same kind, same axes). */
  filter(keep: (model: ZooModel) => boolean): Zoo {
    return this.withModels(this.models.filter(keep));
  }

  /** This zoo with other models: a subset keeps the whole zoo's axes, manifest, skipped entries and dataset. */
  private withModels(models: readonly ZooModel[]): Zoo {
    return new Zoo(this.kind, this.root, models, this.axes, this.manifest, this.skipped, this.dataset);
  }

  /**
   * Loads checkpoints one at a time and yields those that pass the filter (ModelZoos' loader
   * drops checkpoints with NaN and with |w| above a threshold). Counts land in `filter.report`.
   */
  *weights(options: WeightsOptions = {}): Generator<{ checkpoint: ZooCheckpoint; weights: WeightSet }> {
    const filter = resolveOptions('zoo.weights', WEIGHTS_DEFAULTS, options);
    const epochs = filter.epochs ? new Set(filter.epochs) : undefined;
    for (const checkpoint of this) {
      if (epochs && !epochs.has(checkpoint.epoch)) continue;
      const weights = checkpoint.load();
      const verdict = checkpointPasses(weights, filter);
      if (filter.report) {
        if (verdict.keep) filter.report.kept++;
        else
          filter.report.dropped.push({ model: checkpoint.model.id, epoch: checkpoint.epoch, reason: verdict.reason! });
      }
      if (verdict.keep) yield { checkpoint, weights };
    }
  }

  /**
   * One row per model and reported epoch: `model`, `epoch`, the hyperparameters (axis names), the
   * results, `ggap = train_acc - test_acc` (when both exist) and `checkpoint` (whether weights exist for that epoch).
   * Measurements merged by `measureZoo` into `<root>/metrics` add their columns: `htsr_*` on the
   * row of the same model and epoch, `phase_*` on the rows of the cell's models at the measured
   * epoch; rows without a measurement hold null. A hostile measurement file is a FormatError.
   */
  table(options: ZooTableOptions = {}): ResultTable<ZooRow> {
    const o = resolveOptions('zoo.table', ZOO_TABLE_DEFAULTS, options);
    const rows: ZooRow[] = [];
    for (const model of this.models) {
      const checkpointEpochs = new Set(model.checkpoints.map((checkpoint) => checkpoint.epoch));
      const reported = new Set<number>();
      const emit = (result: ZooResult) => {
        rows.push({
          ...resultColumns(model, result, o.bookkeeping),
          epoch: result.epoch,
          checkpoint: checkpointEpochs.has(result.epoch),
        });
        reported.add(result.epoch);
      };
      for (const result of model.results) emit(result);
      // Checkpoints without a result line still get a row, so every checkpoint is in the table.
      for (const epoch of checkpointEpochs) if (!reported.has(epoch)) emit({ epoch });
    }
    // Measurements merged into <root>/metrics (zoo.measure) join on model and epoch (phase metrics: on the cell).
    const byId = new Map(this.models.map((model) => [model.id, model]));
    joinMeasurements(
      this.root,
      Object.keys(this.axes).filter((axis) => axis !== 'seed'),
      rows,
      (id) => byId.get(id)?.hyperparameters ?? {},
    );
    return ResultTable.fromRows(rows, { first: ['model', 'epoch'], title: 'zoo' });
  }

  /** One row per model: hyperparameters, number of checkpoints, and the results of its last reported epoch. */
  modelTable(options: ZooTableOptions = {}): ResultTable<ZooModelRow> {
    const o = resolveOptions('zoo.modelTable', ZOO_TABLE_DEFAULTS, options);
    const rows = this.models.map((model): ZooModelRow => {
      const last = model.results[model.results.length - 1];
      const { epoch: _epoch, ...columns } = resultColumns(model, last ?? { epoch: 0 }, o.bookkeeping);
      return { ...columns, checkpoints: model.checkpoints.length, ...(last ? {} : { ggap: null }) };
    });
    return ResultTable.fromRows(rows, { first: ['model'], title: 'zoo models' });
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
    const axes = Object.entries(this.axes)
      .map(([key, values]) => `${key} (${values.length})`)
      .join(', ');
    const skipped = this.skipped.length ? `; ${this.skipped.length} skipped` : '';
    return `Zoo(${this.kind}, ${this.size} models, ${this.numCheckpoints} checkpoints${axes ? `; axes ${axes}` : ''}${skipped})`;
  }

  [mimeBundle](): MimeBundle {
    const table = new ResultTable(this.modelTable().arquero, { title: this.toString(), displayRows: 20 });
    const { data } = table[mimeBundle]() as MimeBundle;
    const warnings = this.warnings;
    const warningText = warnings.map((warning) => `warning: ${warning}\n`).join('');
    const warningHtml = warnings.length
      ? `<ul>${warnings.map((warning) => `<li>${escapeHtml(warning)}</li>`).join('')}</ul>`
      : '';
    return {
      data: {
        'text/plain': `${warningText}${String(data['text/plain'])}`,
        'text/html': `<div class="weightlab-zoo">${warningHtml}${String(data['text/html'])}</div>`,
      },
    };
  }
}

/** A model's columns at one result: id, hyperparameters (axis names), the result's scalar values and ggap. */
function resultColumns(model: ZooModel, result: ZooResult, bookkeeping: boolean): ZooColumns & { epoch: number } {
  const row: Record<string, unknown> = { model: model.id, ...model.hyperparameters };
  for (const [key, value] of Object.entries(result)) {
    if (key === 'epoch' || (!bookkeeping && BOOKKEEPING_KEYS.has(key))) continue;
    if (value !== null && typeof value === 'object') continue;
    row[key in row ? `result_${key}` : key] = value;
  }
  row.ggap =
    typeof result.train_acc === 'number' && typeof result.test_acc === 'number'
      ? result.train_acc - result.test_acc
      : null;
  row.epoch = result.epoch;
  return row as ZooColumns & { epoch: number };
}

/** Hyperparameters whose values differ between models, with sorted distinct values. */
export function inferAxes(models: readonly ZooModel[]): Record<string, unknown[]> {
  const values = new Map<string, Map<string, unknown>>();
  for (const model of models) {
    for (const [key, value] of Object.entries(model.hyperparameters)) {
      if (!values.has(key)) values.set(key, new Map());
      values.get(key)!.set(JSON.stringify(value), value);
    }
  }
  const axes: Record<string, unknown[]> = {};
  for (const [key, distinct] of values) {
    if (distinct.size < 2) continue;
    axes[key] = [...distinct.values()].sort((a, b) =>
      typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b)),
    );
  }
  return axes;
}
