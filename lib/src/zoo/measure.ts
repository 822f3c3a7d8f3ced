// measureZoo(zoo): HTSR for every checkpoint and phase metrics for every grid cell of a zoo, in
// shards (N processes, e.g. a SLURM array or a Kubernetes Indexed Job, each measuring one part),
// each shard's rows written to its own file under <zoo>/metrics and merged into one table per
// measurement once every shard is there, which zoo.table() joins on (model, epoch).
// HTSR is sharded by checkpoint; phase metrics by grid cell, since a cell's seed-pair metrics
// (mode connectivity, CKA, L2 distance) need every seed of the cell in one process. Items are
// dealt round-robin in the zoo's canonical order (./shard.ts) and the merged rows come back in
// that order, so the merged table is the same, byte for byte, whatever the shard count.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { ArgumentError, DTypeError, FormatError, InterruptedError, NumericalError, ShapeError } from '../errors';
import { resolveOptions, type OptionDefaults } from '../options/resolve';
import { Progress } from '../progress/progress';
import { ResultTable } from '../table/result-table';
import { analyze, type AnalyzeOptions } from '../spectral/analyze';
import { SUMMARY_COLUMNS } from '../spectral/columns';
import { phaseMetrics, type PhaseMetricsOptions } from '../phases/metrics';
import { canonicalHash, canonicalJson } from './cache-key';
import { openZoo } from './open-zoo';
import { checkShard, formatShard, parseShard, shardItems, WHOLE, type Shard } from './shard';
import type { Zoo } from './zoo';
import {
  MEASUREMENT_KINDS,
  MEASUREMENTS_FOLDER,
  cellKey,
  measurementBytes,
  mergedFile,
  readMeasurement,
  shardFile,
  writeMeasurement,
  type MeasurementHeader,
  type MeasurementKind,
  type MeasurementTable,
} from './measurement-files';

export interface MeasureZooOptions {
  /**
   * The measurements to take: 'htsr' (WeightWatcher's summary per checkpoint) and 'phase' (phaseMetrics per grid cell).
   * @default ['htsr', 'phase']
   */
  metrics?: readonly MeasurementKind[];
  /**
   * The part of the work this process does: {index, count} or "I/N" (0-based, as SLURM_ARRAY_TASK_ID).
   * @default '0/1' (everything)
   */
  shard?: Shard | string;
  /**
   * Merge into `<zoo>/metrics/<kind>.arrow` once every shard of this count has written its rows
   * with the same settings (the last shard to finish merges; merging again writes the same bytes).
   * @default true
   */
  merge?: boolean;
  /**
   * Recompute this shard even when its file already holds rows measured with the same settings.
   * @default false
   */
  force?: boolean;
  /**
   * HTSR: the checkpoint epochs to analyse.
   * @default undefined (every checkpoint)
   */
  epochs?: readonly number[];
  /**
   * HTSR: options of spectral.analyze (its defaults are WeightWatcher's).
   * @default {}
   */
  htsr?: Omit<AnalyzeOptions, 'progress' | 'signal'>;
  /**
   * Phase metrics: options of phaseMetrics (the epoch defaults to the last with checkpoints).
   * @default {}
   */
  phase?: Omit<PhaseMetricsOptions, 'progress' | 'signal'>;
  /**
   * Show progress bars.
   * @default true
   */
  progress?: boolean;
  /**
   * Stops between checkpoints and cells (the kernel's interrupt does too); rows of an unfinished shard are not written.
   * @default undefined
   */
  signal?: AbortSignal;
}

export const MEASURE_ZOO_DEFAULTS = {
  metrics: ['htsr', 'phase'],
  shard: WHOLE,
  merge: true,
  force: false,
  epochs: undefined,
  htsr: {},
  phase: {},
  progress: true,
  signal: undefined,
} as const satisfies OptionDefaults<MeasureZooOptions>;

/** A row of measureZoo's and mergeZooMeasurements' table: what one measurement did in that call. */
export interface MeasurementRow {
  /** The measurement: 'htsr' or 'phase'. */
  kind: MeasurementKind;
  /** The shard measured ("I/N"); null for a merge alone. */
  shard: string | null;
  /** This shard's file; null for a merge alone. */
  shard_file: string | null;
  /** Whether the shard was measured now (false: its file already held rows of these settings, or a merge alone). */
  measured: boolean;
  /** Rows in this shard's file; null for a merge alone. */
  rows: number | null;
  /** The merged file, once every shard is in; else null. */
  merged_file: string | null;
  /** Rows of the merged file; null until merged. */
  merged_rows: number | null;
  /** Shards ("I/N", with why when a file is there but cannot be used) still missing before the merge. */
  waiting_for: string[];
}

/** The merge part of a row. */
type MergeResult = Pick<MeasurementRow, 'merged_file' | 'merged_rows' | 'waiting_for'>;

/** The rows as a displayable table. */
function measurementTable(rows: MeasurementRow[]): ResultTable<MeasurementRow> {
  return ResultTable.fromRows(rows, { title: 'zoo measurements' });
}

/** The measurements' work items in canonical order and their rows' fixed columns. */
interface Plan {
  kind: MeasurementKind;
  /** The items to measure in canonical order: "model@epoch" per checkpoint (HTSR), the cell's axis values (phase). */
  items: string[];
  /** Every item of the zoo in canonical order (a merge sorts rows by it, whichever epochs were measured). */
  order: string[];
  /** The resolved settings the rows depend on (the shard files' header). */
  settings: unknown;
  /** Columns every file of this kind has, even with no rows. */
  keyColumns: string[];
}

/** The non-seed swept axes: the coordinates of a grid cell. */
function cellAxesOf(zoo: Zoo): string[] {
  return Object.keys(zoo.axes).filter((axis) => axis !== 'seed');
}

/** The checkpoints HTSR measures, "model@epoch", in the zoo's order (model by model, epoch by epoch). */
function checkpointItems(zoo: Zoo, epochs: readonly number[] | undefined): string[] {
  const wanted = epochs ? new Set(epochs) : undefined;
  return [...zoo].filter((c) => !wanted || wanted.has(c.epoch)).map((c) => `${c.model.id}@${c.epoch}`);
}

/** The grid cells, in the order their first model appears (phaseMetrics' order). */
function cellItems(zoo: Zoo): string[] {
  const axes = cellAxesOf(zoo);
  return [...new Set(zoo.models.map((model) => cellKey(axes, model.hyperparameters)))];
}

function plans(
  zoo: Zoo,
  options: { metrics: readonly MeasurementKind[]; epochs?: readonly number[]; htsr: object; phase: object },
): Plan[] {
  return options.metrics.map((kind): Plan => {
    if (kind === 'htsr') {
      const items = checkpointItems(zoo, options.epochs);
      return {
        kind,
        items,
        order: checkpointItems(zoo, undefined),
        settings: { htsr: options.htsr, items: canonicalHash(items) },
        keyColumns: ['model', 'epoch'],
      };
    }
    const items = cellItems(zoo);
    // Threads and phaseMetrics' own cache change how fast, not what: they stay out of the settings.
    const { workers: _workers, cache: _cache, ...phase } = options.phase as PhaseMetricsOptions;
    return {
      kind,
      items,
      order: items,
      settings: { phase, items: canonicalHash(items) },
      keyColumns: ['epoch', ...cellAxesOf(zoo), 'models'],
    };
  });
}

/** The columns of a checkpoint's HTSR row: WeightWatcher's summary (mp_softrank only with the MP fit), then why it is null. */
function htsrColumns(htsr: AnalyzeOptions): string[] {
  return [
    'model',
    'epoch',
    'layers',
    'skipped_layers',
    ...SUMMARY_COLUMNS.filter((c) => c !== 'mp_softrank' || htsr.mpFit),
    'problem',
  ];
}

/** Errors that describe a checkpoint (its file, its values), not the call: recorded in the row's problem. */
const DATA_ERRORS = [FormatError, DTypeError, ShapeError, NumericalError];

/** WeightWatcher's summary of every checkpoint in `items` ("model@epoch"). */
async function measureHtsr(
  zoo: Zoo,
  items: string[],
  htsr: AnalyzeOptions,
  bar: Progress | undefined,
  signal: AbortSignal | undefined,
): Promise<Record<string, unknown>[]> {
  const wanted = new Set(items);
  const rows: Record<string, unknown>[] = [];
  for (const checkpoint of zoo) {
    if (!wanted.has(`${checkpoint.model.id}@${checkpoint.epoch}`)) continue;
    if (signal?.aborted) throw new InterruptedError('zoo measurement interrupted');
    const row: Record<string, unknown> = { model: checkpoint.model.id, epoch: checkpoint.epoch };
    try {
      const result = await analyze(checkpoint.load(), { ...htsr, progress: false, signal });
      const summary = result.summary() as Record<string, number | undefined>;
      row.layers = result.layers.length;
      row.skipped_layers = result.skipped.length;
      for (const column of htsrColumns(htsr).slice(4, -1)) row[column] = summary[column] ?? null;
      row.problem = null;
    } catch (error) {
      // One unreadable or degenerate checkpoint must not cost a whole array task: its row says why.
      if (!DATA_ERRORS.some((kind) => error instanceof kind)) throw error;
      for (const column of htsrColumns(htsr).slice(2, -1)) row[column] = null;
      row.problem = (error as Error).message;
    }
    rows.push(row);
    bar?.tick();
  }
  return rows;
}

/** phaseMetrics of the cells in `items`, one row per cell with the epoch measured. */
async function measurePhases(
  zoo: Zoo,
  items: string[],
  phase: PhaseMetricsOptions,
  shard: Shard,
  progress: boolean,
  signal: AbortSignal | undefined,
): Promise<Record<string, unknown>[]> {
  if (items.length === 0) return [];
  const axes = cellAxesOf(zoo);
  const wanted = new Set(items);
  const part = zoo.filter((model) => wanted.has(cellKey(axes, model.hyperparameters)));
  // Shards running at once would overwrite each other's phase-metrics.json: only an unsharded run shares that cache.
  const table = await phaseMetrics(part, {
    ...phase,
    cache: shard.count === 1 ? phase.cache : false,
    progress,
    signal,
  });
  const epoch = table.settings.epoch as number;
  return table.rows().map((row) => ({ epoch, ...row }));
}

/** Columns of a set of rows: the key columns, then every other key in first-seen order. */
function columnsOf(keyColumns: string[], rows: Record<string, unknown>[]): string[] {
  const columns = [...keyColumns];
  for (const row of rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  return columns;
}

/** The shard files of `kind` in the zoo's metrics folder, by shard count. */
function shardFilesOf(root: string, kind: MeasurementKind): Map<number, Map<number, string>> {
  const folder = path.join(root, MEASUREMENTS_FOLDER);
  const byCount = new Map<number, Map<number, string>>();
  if (!fs.existsSync(folder)) return byCount;
  const pattern = new RegExp(`^${kind}\\.shard-(\\d+)-of-(\\d+)\\.arrow$`);
  for (const name of fs.readdirSync(folder).sort()) {
    const match = pattern.exec(name);
    if (!match) continue;
    const [index, count] = [Number(match[1]), Number(match[2])];
    if (!(index < count)) continue;
    if (!byCount.has(count)) byCount.set(count, new Map());
    byCount.get(count)!.set(index, path.join(folder, name));
  }
  return byCount;
}

/**
 * Merges the `count` shard files of a measurement when all are there and agree on their settings
 * (those given, from measureZoo; else those of the newest shard file): rows in the zoo's
 * canonical order, written only when the bytes differ from the merged file's.
 */
function mergeShards(root: string, plan: Plan, count: number, settings?: unknown): MergeResult {
  const files = shardFilesOf(root, plan.kind).get(count) ?? new Map<number, string>();
  const tables = new Map<number, MeasurementTable>();
  const unreadable = new Map<number, string>();
  for (const [index, file] of files) {
    try {
      tables.set(index, readMeasurement(file));
    } catch (error) {
      unreadable.set(index, (error as Error).message);
    }
  }
  const newest = [...tables.values()].sort((a, b) => fs.statSync(b.file).mtimeMs - fs.statSync(a.file).mtimeMs)[0];
  const wanted = canonicalJson(settings ?? newest?.header.settings);
  const waitingFor: string[] = [];
  for (let index = 0; index < count; index++) {
    const shard = formatShard({ index, count });
    const table = tables.get(index);
    if (unreadable.has(index)) waitingFor.push(`${shard} (unreadable: ${unreadable.get(index)})`);
    else if (!table) waitingFor.push(shard);
    else if (canonicalJson(table.header.settings) !== wanted)
      waitingFor.push(`${shard} (measured with other settings)`);
  }
  if (waitingFor.length > 0) return { merged_file: null, merged_rows: null, waiting_for: waitingFor };
  const shards = [...tables.entries()].sort(([a], [b]) => a - b).map(([, table]) => table);
  const position = new Map(plan.order.map((item, index) => [item, index]));
  const cellAxes = plan.keyColumns.slice(1, -1);
  const itemOf = (row: Record<string, unknown>) =>
    plan.kind === 'htsr' ? `${String(row.model)}@${String(row.epoch)}` : cellKey(cellAxes, row);
  const rows = shards.flatMap((table) => table.rows);
  rows.sort((a, b) => (position.get(itemOf(a)) ?? Infinity) - (position.get(itemOf(b)) ?? Infinity));
  const columns = shards.reduce(
    (all, table) => columnsOf(all, [Object.fromEntries(table.columns.map((c) => [c, 0]))]),
    plan.keyColumns,
  );
  const header: MeasurementHeader = { kind: plan.kind, settings: shards[0].header.settings };
  const bytes = measurementBytes(header, columns, rows);
  const merged = mergedFile(root, plan.kind);
  const same = fs.existsSync(merged) && Buffer.from(bytes).equals(fs.readFileSync(merged));
  if (!same) writeMeasurement(merged, header, columns, rows);
  return { merged_file: merged, merged_rows: rows.length, waiting_for: [] };
}

function resolveShard(shard: Shard | string): Shard {
  return typeof shard === 'string' ? parseShard(shard) : checkShard(shard);
}

function checkMetrics(metrics: readonly string[]): void {
  for (const kind of metrics)
    if (!MEASUREMENT_KINDS.includes(kind as MeasurementKind))
      throw new ArgumentError('unknown measurement', {
        field: 'metrics',
        expected: `some of ${MEASUREMENT_KINDS.join(', ')}`,
        found: kind,
      });
}

/**
 * Measures this shard's part of a zoo (a Zoo or its folder): HTSR summary columns per checkpoint,
 * phase metrics per grid cell. Each measurement's rows go to `<zoo>/metrics/<kind>.shard-I-of-N.arrow`
 * (atomically); a shard whose file already holds rows of the same settings is not measured again.
 * When every shard of N is in, the rows are merged into `<zoo>/metrics/<kind>.arrow`, which
 * `zoo.table()` joins.
 */
export async function measureZoo(
  zooOrPath: Zoo | string,
  measureOptions: MeasureZooOptions = {},
): Promise<ResultTable<MeasurementRow>> {
  const options = resolveOptions('measureZoo', MEASURE_ZOO_DEFAULTS, measureOptions);
  checkMetrics(options.metrics);
  const shard = resolveShard(options.shard);
  const zoo = typeof zooOrPath === 'string' ? openZoo(zooOrPath) : zooOrPath;
  const reports: MeasurementRow[] = [];
  for (const plan of plans(zoo, options)) {
    const file = shardFile(zoo.root, plan.kind, shard);
    const header: MeasurementHeader = { kind: plan.kind, settings: plan.settings, shard };
    let previous;
    try {
      previous = !options.force && fs.existsSync(file) ? readMeasurement(file) : undefined;
    } catch {
      previous = undefined; // an unreadable shard file is measured again, never trusted
    }
    const done = previous !== undefined && canonicalJson(previous.header.settings) === canonicalJson(plan.settings);
    let rows = previous?.rows.length ?? 0;
    if (!done) {
      const items = shardItems(plan.items, shard);
      let measured: Record<string, unknown>[];
      if (plan.kind === 'htsr') {
        const bar = options.progress
          ? new Progress({ total: items.length, label: `HTSR ${formatShard(shard)}`, signal: options.signal })
          : undefined;
        measured = await measureHtsr(zoo, items, options.htsr, bar, options.signal);
        bar?.done();
      } else {
        measured = await measurePhases(zoo, items, options.phase, shard, options.progress, options.signal);
      }
      const columns = plan.kind === 'htsr' ? htsrColumns(options.htsr) : columnsOf(plan.keyColumns, measured);
      writeMeasurement(file, header, columns, measured);
      rows = measured.length;
    }
    const merge: MergeResult = options.merge
      ? mergeShards(zoo.root, plan, shard.count, plan.settings)
      : { merged_file: null, merged_rows: null, waiting_for: [] };
    reports.push({ kind: plan.kind, shard: formatShard(shard), shard_file: file, measured: !done, rows, ...merge });
  }
  return measurementTable(reports);
}

export interface MergeZooMeasurementsOptions {
  /**
   * The measurements to merge. Each merges the shard count that has all its shards in with one
   * set of settings (those of its newest shard file), the largest such count when several have.
   * @default ['htsr', 'phase']
   */
  metrics?: readonly MeasurementKind[];
}

export const MERGE_ZOO_MEASUREMENTS_DEFAULTS = {
  metrics: ['htsr', 'phase'],
} as const satisfies OptionDefaults<MergeZooMeasurementsOptions>;

/**
 * Merges shard files already written (by measureZoo in other processes) into `<zoo>/metrics/<kind>.arrow`.
 * Idempotent; a measurement whose shards are not all in reports which are missing (`waiting_for`).
 */
export function mergeZooMeasurements(
  zooOrPath: Zoo | string,
  mergeOptions: MergeZooMeasurementsOptions = {},
): ResultTable<MeasurementRow> {
  const options = resolveOptions('mergeZooMeasurements', MERGE_ZOO_MEASUREMENTS_DEFAULTS, mergeOptions);
  checkMetrics(options.metrics);
  const zoo = typeof zooOrPath === 'string' ? openZoo(zooOrPath) : zooOrPath;
  const alone = { shard: null, shard_file: null, measured: false, rows: null };
  const rows = plans(zoo, { ...options, htsr: {}, phase: {} }).map((plan): MeasurementRow => {
    const counts = [...shardFilesOf(zoo.root, plan.kind).keys()].sort((a, b) => b - a);
    let best: MergeResult | undefined;
    for (const count of counts) {
      const merge = mergeShards(zoo.root, plan, count);
      if (merge.merged_file) return { kind: plan.kind, ...alone, ...merge };
      // The count closest to done says what is missing.
      if (!best || merge.waiting_for.length < best.waiting_for.length) best = merge;
    }
    return {
      kind: plan.kind,
      ...alone,
      ...(best ?? { merged_file: null, merged_rows: null, waiting_for: ['0/1 (no shard file yet)'] }),
    };
  });
  return measurementTable(rows);
}
