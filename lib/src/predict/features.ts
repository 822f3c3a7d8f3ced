// What a property predictor sees of a checkpoint. Unterthiner et al. (2020) predict accuracy from
// per-layer weight statistics; the other sets are the alternatives the literature compares them
// with: HTSR spectral metrics (WeightWatcher's per-layer columns), the raw weights flattened, the
// weights after re-basin alignment to one reference (so permuted copies of a network look alike),
// SANE-style tokens pooled over the checkpoint, and the hyperparameters alone (the baseline that
// asks whether the weights add anything to what the zoo's grid already says).

import { alignZoo } from '../align/zoo';
import { ArgumentError, ShapeError } from '../errors';
import { analyze, type AnalyzeOptions } from '../spectral/analyze';
import type { WeightSet } from '../weights/weight-set';
import { tokeniseCheckpoint } from '../zoo/tokenise';
import { vectoriseCheckpoint } from '../zoo/vectorise';
import type { ZooCheckpoint } from '../zoo/zoo';
import { quantile } from '../generate/linear-algebra';

/** The feature sets predictProperty knows; combine them with '+' ('statistics+htsr'). */
export const FEATURE_SETS = ['statistics', 'htsr', 'weights', 'aligned', 'tokens', 'hyperparameters'] as const;
export type FeatureSetName = (typeof FEATURE_SETS)[number];

/** Named columns of one feature set: values[row * names.length + column], NaN where a row has no value. */
export interface FeatureColumns {
  names: string[];
  values: Float64Array;
}

/** Per tensor: these statistics of its values (Unterthiner et al.'s mean, variance and quantiles, plus the L2 norm). */
export const STATISTICS = ['mean', 'variance', 'min', 'q25', 'median', 'q75', 'max', 'l2_norm'] as const;

/** The per-tensor statistics of one checkpoint, keyed `<tensor>.<statistic>`. */
export function weightStatistics(weights: WeightSet): Map<string, number> {
  const out = new Map<string, number>();
  for (const name of weights.names) {
    const values = weights.get(name).toFloat64();
    if (values.length === 0) continue;
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < values.length; i++) {
      sum += values[i];
      squares += values[i] * values[i];
    }
    const mean = sum / values.length;
    let variance = 0;
    for (let i = 0; i < values.length; i++) variance += (values[i] - mean) ** 2;
    const statistics: Record<(typeof STATISTICS)[number], number> = {
      mean,
      variance: variance / values.length,
      min: quantile(values, 0),
      q25: quantile(values, 0.25),
      median: quantile(values, 0.5),
      q75: quantile(values, 0.75),
      max: quantile(values, 1),
      l2_norm: Math.sqrt(squares),
    };
    for (const statistic of STATISTICS) out.set(`${name}.${statistic}`, statistics[statistic]);
  }
  return out;
}

/** Per analysed layer: these HTSR columns (spectral norms, stable rank, entropy and the power-law fit). */
export const HTSR_FEATURES = [
  'log_norm',
  'log_spectral_norm',
  'stable_rank',
  'entropy',
  'alpha',
  'alpha_weighted',
  'log_alpha_norm',
] as const;

/** The HTSR columns of every analysed layer, keyed `<layer>.<column>` (layers below minEvals are absent). */
export async function htsrFeatures(weights: WeightSet, options: AnalyzeOptions): Promise<Map<string, number>> {
  const result = await analyze(weights, { progress: false, ...options });
  const out = new Map<string, number>();
  for (const row of result.rows())
    for (const column of HTSR_FEATURES) {
      const value = row[column];
      out.set(`${row.name}.${column}`, typeof value === 'number' && Number.isFinite(value) ? value : NaN);
    }
  return out;
}

/** The column-wise mean and standard deviation over tokens of a SANE tokenisation (masked values excluded). */
export function pooledTokens(weights: WeightSet): Float64Array {
  const { tokens, mask, tokenSize } = tokeniseCheckpoint(weights);
  const values = tokens.toFloat64();
  const real = mask.toFloat64();
  const count = values.length / tokenSize;
  const out = new Float64Array(2 * tokenSize);
  for (let c = 0; c < tokenSize; c++) {
    let n = 0;
    let sum = 0;
    let squares = 0;
    for (let t = 0; t < count; t++)
      if (real[t * tokenSize + c]) {
        const v = values[t * tokenSize + c];
        n++;
        sum += v;
        squares += v * v;
      }
    const mean = n > 0 ? sum / n : NaN;
    out[c] = mean;
    out[tokenSize + c] = n > 0 ? Math.sqrt(Math.max(0, squares / n - mean * mean)) : NaN;
  }
  return out;
}

/**
 * The hyperparameters a zoo records for the checkpoint's model, and its epoch: what is known of a
 * checkpoint without looking at its weights. Numbers only; positive ones on a log10 scale (grids
 * of widths, batch sizes and learning rates are geometric), the epoch as log10(1 + epoch).
 */
export function hyperparameterFeatures(checkpoint: ZooCheckpoint): Map<string, number> {
  const out = new Map<string, number>();
  for (const [key, value] of Object.entries(checkpoint.model.hyperparameters)) {
    if (key === 'seed' || typeof value !== 'number' || !Number.isFinite(value)) continue;
    out.set(value > 0 ? `log10_${key}` : key, value > 0 ? Math.log10(value) : value);
  }
  out.set('log10_1_plus_epoch', Math.log10(1 + checkpoint.epoch));
  return out;
}

/** Keyed features of every row as named columns: the union of keys in first-seen order, NaN where a row lacks one. */
function keyedColumns(prefix: string, rows: readonly Map<string, number>[]): FeatureColumns {
  const names: string[] = [];
  const index = new Map<string, number>();
  for (const row of rows)
    for (const key of row.keys())
      if (!index.has(key)) {
        index.set(key, names.length);
        names.push(key);
      }
  const values = new Float64Array(rows.length * names.length).fill(NaN);
  rows.forEach((row, r) => {
    for (const [key, value] of row) values[r * names.length + index.get(key)!] = value;
  });
  return { names: names.map((name) => `${prefix}.${name}`), values };
}

/** Equal-length vectors as columns `prefix.0`, `prefix.1`, ...; a ShapeError naming the first checkpoint that differs. */
function vectorColumns(
  prefix: string,
  vectors: readonly Float64Array[],
  checkpoints: readonly ZooCheckpoint[],
): FeatureColumns {
  const length = vectors[0].length;
  const other = vectors.findIndex((vector) => vector.length !== length);
  if (other >= 0)
    throw new ShapeError(`'${prefix}' features need every checkpoint to have one architecture`, {
      file: checkpoints[other].path,
      field: 'features',
      expected: `${length} values (as ${checkpoints[0].model.id})`,
      found: `${vectors[other].length} values`,
    });
  const values = new Float64Array(vectors.length * length);
  vectors.forEach((vector, r) => values.set(vector, r * length));
  return { names: Array.from({ length }, (_, k) => `${prefix}.${k}`), values };
}

/** Settings of feature extraction. */
export interface FeatureSettings {
  /** Options of spectral analyze for the htsr set. */
  htsr: AnalyzeOptions;
  /** Seed of the re-basin sweep order. */
  seed: number;
}

/**
 * Every requested feature set for the checkpoints, loading each checkpoint once. The aligned set
 * aligns every checkpoint to the first by weight matching (no target is used, so aligning test
 * checkpoints leaks nothing).
 */
export async function checkpointFeatures(
  checkpoints: readonly ZooCheckpoint[],
  sets: ReadonlySet<FeatureSetName>,
  settings: FeatureSettings,
): Promise<Map<FeatureSetName, FeatureColumns>> {
  const keyed = new Map<FeatureSetName, Map<string, number>[]>();
  const vectors = new Map<FeatureSetName, Float64Array[]>();
  const loaded: WeightSet[] = [];
  for (const set of sets) {
    if (!FEATURE_SETS.includes(set))
      throw new ArgumentError('unknown feature set', {
        field: 'features',
        expected: `one of ${FEATURE_SETS.join(', ')} (joined with '+')`,
        found: String(set),
      });
    if (set === 'statistics' || set === 'htsr' || set === 'hyperparameters') keyed.set(set, []);
    else vectors.set(set, []);
  }
  const needsWeights = [...sets].some((set) => set !== 'hyperparameters');
  for (const checkpoint of checkpoints) {
    keyed.get('hyperparameters')?.push(hyperparameterFeatures(checkpoint));
    if (!needsWeights) continue;
    const weights = checkpoint.load();
    keyed.get('statistics')?.push(weightStatistics(weights));
    if (sets.has('htsr')) keyed.get('htsr')!.push(await htsrFeatures(weights, settings.htsr));
    vectors.get('weights')?.push(vectoriseCheckpoint(weights));
    vectors.get('tokens')?.push(pooledTokens(weights));
    if (sets.has('aligned')) loaded.push(weights);
  }
  const out = new Map<FeatureSetName, FeatureColumns>();
  for (const [set, rows] of keyed) out.set(set, keyedColumns(set, rows));
  if (sets.has('aligned')) {
    const sizes = loaded.map((weights) => weights.numParameters);
    const other = sizes.findIndex((size) => size !== sizes[0]);
    if (other >= 0)
      throw new ShapeError("'aligned' features need every checkpoint to have one architecture", {
        file: checkpoints[other].path,
        field: 'features',
        expected: `${sizes[0]} parameters (as ${checkpoints[0].model.id})`,
        found: `${sizes[other]} parameters`,
      });
    const aligned = alignZoo(loaded, { seed: settings.seed });
    vectors.set(
      'aligned',
      aligned.models.map((weights) => vectoriseCheckpoint(weights)),
    );
  }
  for (const [set, rows] of vectors) out.set(set, vectorColumns(set, rows, checkpoints));
  return out;
}
