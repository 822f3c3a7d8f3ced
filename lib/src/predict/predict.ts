// predictProperty: learn a model property (test accuracy, generalisation gap, ...) from a zoo's
// checkpoints, as Unterthiner et al. (2020, "Predicting Neural Network Accuracy from Weights") do
// with per-layer weight statistics and as ModelZooDataset/SANE benchmark it. Splits are at the
// model level (every checkpoint of a model on one side, optionally every seed of a configuration),
// features are standardised on the training side only, each predictor picks its setting on the
// validation side, and the test side is scored with R² and Kendall's tau, each with a bootstrap
// interval over test models. The mean predictor and the hyperparameters-only features are the
// baselines a claim "the weights predict accuracy" has to beat.

import { chartBundle, vegaLite, type VegaLiteChart } from '../display/vega-lite';
import { mimeBundle, type MimeBundle } from '../display/protocol';
import { OKABE_ITO } from '../display/payloads';
import { ArgumentError } from '../errors';
import { resolveOptions, type OptionDefaults } from '../options/resolve';
import type { AnalyzeOptions } from '../spectral/analyze';
import { ResultTable } from '../table/result-table';
import type { Zoo, ZooCheckpoint } from '../zoo/zoo';
import { checkpointFeatures, FEATURE_SETS, type FeatureColumns, type FeatureSetName } from './features';
import {
  bootstrapEstimate,
  clusterResamples,
  kendallTau,
  percentileInterval,
  rootMeanSquaredError,
  rSquared,
} from './metrics';
import { fitMean, fitMlpRegressor, fitRidgeChosen, type FeatureMatrix, type FittedPredictor } from './predictors';
import { splitByGroup, type GroupSplit } from './splits';

/** The learned predictors; the mean predictor is always reported as the baseline. */
export type PredictorName = 'ridge' | 'mlp';

export interface PredictPropertyOptions {
  /**
   * The column of `zoo.table()` to predict, at every checkpoint that reports it.
   * @default 'test_acc'
   */
  target?: string;
  /**
   * Feature sets to compare, each a name of FEATURE_SETS or several joined with '+'
   * ('statistics+htsr' concatenates both).
   * @default ['hyperparameters', 'statistics']
   */
  features?: readonly string[];
  /**
   * The predictor or predictors fitted to every feature set.
   * @default ['ridge', 'mlp']
   */
  model?: PredictorName | readonly PredictorName[];
  /**
   * Seed of the split, the MLP initialisation, the re-basin sweep order and the bootstrap.
   * @default 0
   */
  seed?: number;
  /**
   * Fractions of groups on the train, validation and test sides.
   * @default [0.6, 0.2, 0.2]
   */
  split?: readonly [number, number, number];
  /**
   * The unit kept on one side of the split: 'model' (every checkpoint of a model) or
   * 'configuration' (every seed of one set of hyperparameters, and all their checkpoints).
   * @default 'model'
   */
  groupBy?: 'model' | 'configuration';
  /**
   * Only checkpoints of these epochs.
   * @default undefined (every checkpoint)
   */
  epochs?: readonly number[];
  /**
   * Bootstrap resamples of the test models for the intervals.
   * @default 1000
   */
  resamples?: number;
  /**
   * Confidence level of the intervals.
   * @default 0.95
   */
  level?: number;
  /**
   * Ridge penalties tried; the one with the smallest validation error is kept.
   * @default [1e-3, 1e-2, 0.1, 1, 10, 100, 1000, 1e4]
   */
  alphas?: readonly number[];
  /**
   * Hidden widths of the MLP predictor (ReLU).
   * @default [32]
   */
  hidden?: readonly number[];
  /**
   * Full-batch Adam steps of the MLP predictor (the best validation epoch is kept).
   * @default 300
   */
  mlpEpochs?: number;
  /**
   * Adam learning rate of the MLP predictor.
   * @default 0.01
   */
  mlpLearningRate?: number;
  /**
   * L2 penalty of the MLP predictor.
   * @default 1e-3
   */
  mlpWeightDecay?: number;
  /**
   * Clip every feature of a validation or test checkpoint to the range it spans on the training
   * models, so a model unlike any training model (a diverging learning rate, an extreme weight)
   * does not send a linear predictor far outside the targets it has seen.
   * @default true
   */
  clip?: boolean;
  /**
   * Options of spectral analyze for the htsr features.
   * @default {} (analyze's defaults; progress off)
   */
  htsr?: AnalyzeOptions;
}

export const PREDICT_PROPERTY_DEFAULTS = {
  target: 'test_acc',
  features: ['hyperparameters', 'statistics'],
  model: ['ridge', 'mlp'],
  seed: 0,
  split: [0.6, 0.2, 0.2],
  groupBy: 'model',
  epochs: undefined,
  resamples: 1000,
  level: 0.95,
  alphas: [1e-3, 1e-2, 0.1, 1, 10, 100, 1000, 1e4],
  hidden: [32],
  mlpEpochs: 300,
  mlpLearningRate: 0.01,
  mlpWeightDecay: 1e-3,
  clip: true,
  htsr: {},
} as const satisfies OptionDefaults<PredictPropertyOptions>;

/** One row of the metrics table: a (feature set, predictor) pair scored on the test models. */
export interface PredictionRow {
  /** The feature set ('statistics', 'statistics+htsr'; 'none' for the mean predictor). */
  features: string;
  /** 'mean', 'ridge' or 'mlp'. */
  predictor: string;
  /** Coefficient of determination on the test checkpoints. */
  r2: number;
  /** Lower end of R²'s bootstrap interval (test models resampled). */
  r2_lower: number;
  /** Upper end of R²'s bootstrap interval. */
  r2_upper: number;
  /** Kendall's tau-b between predicted and true values on the test checkpoints. */
  kendall_tau: number;
  /** Lower end of tau's bootstrap interval. */
  kendall_tau_lower: number;
  /** Upper end of tau's bootstrap interval. */
  kendall_tau_upper: number;
  /** Root mean squared error, in the target's unit. */
  rmse: number;
  /** Feature columns used (after dropping columns constant on the training side). */
  columns: number;
  /** The setting chosen on the validation side (ridge alpha, MLP epochs). */
  setting: string;
  /** Checkpoints the predictor was trained on. */
  train_checkpoints: number;
  /** Checkpoints it was scored on. */
  test_checkpoints: number;
}

/** One test checkpoint's prediction by one (feature set, predictor) pair. */
export interface TestPredictionRow {
  /** The checkpoint's model. */
  model: string;
  /** The checkpoint's epoch. */
  epoch: number;
  /** The feature set. */
  features: string;
  /** The predictor. */
  predictor: string;
  /** The property as the zoo reports it. */
  truth: number;
  /** The predicted property. */
  predicted: number;
}

/** A difference of a statistic between two (feature set, predictor) pairs on the same bootstrap resamples. */
export interface PairedDifference {
  /** First minus second, on the test checkpoints as they are. */
  difference: number;
  /** Lower end of the paired percentile interval. */
  lower: number;
  /** Upper end of the paired percentile interval. */
  upper: number;
  level: number;
}

/** Which (feature set, predictor) pair: `{ features: 'statistics', predictor: 'ridge' }`. */
export interface PredictorChoice {
  features: string;
  predictor: string;
}

/** The outcome of predictProperty: metrics per pair, test predictions, the split, a predicted-vs-true chart. */
export class PropertyPrediction {
  constructor(
    /** The property predicted. */
    readonly target: string,
    /** The metrics, one row per (feature set, predictor), the mean predictor first. */
    readonly table: ResultTable<PredictionRow>,
    /** Every test checkpoint's prediction by every pair. */
    readonly predictions: ResultTable<TestPredictionRow>,
    /** The split by group (row indices refer to the checkpoints in zoo order). */
    readonly split: GroupSplit,
    /** The cluster-bootstrap resamples of the test rows that every interval uses. */
    private readonly draws: readonly Int32Array[],
    readonly level: number,
  ) {}

  /** The metrics row of one pair; an ArgumentError listing the pairs when it is not there. */
  row(choice: PredictorChoice): PredictionRow {
    const found = this.table.rows().find((r) => r.features === choice.features && r.predictor === choice.predictor);
    if (!found)
      throw new ArgumentError('no such (features, predictor) pair in this prediction', {
        field: 'choice',
        expected: this.table
          .rows()
          .map((r) => `${r.features}/${r.predictor}`)
          .join(', '),
        found: `${choice.features}/${choice.predictor}`,
      });
    return found;
  }

  private testPredictions(choice: PredictorChoice): { truth: Float64Array; predicted: Float64Array } {
    this.row(choice);
    const rows = this.predictions
      .rows()
      .filter((r) => r.features === choice.features && r.predictor === choice.predictor);
    return { truth: Float64Array.from(rows, (r) => r.truth), predicted: Float64Array.from(rows, (r) => r.predicted) };
  }

  /**
   * `a` minus `b` in R² or Kendall's tau, with a paired bootstrap interval: both are scored on the
   * same resampled test models, so the interval is that of the difference, not of two margins.
   */
  compare(a: PredictorChoice, b: PredictorChoice, statistic: 'r2' | 'kendall_tau' = 'r2'): PairedDifference {
    const measure = statistic === 'r2' ? rSquared : kendallTau;
    const first = this.testPredictions(a);
    const second = this.testPredictions(b).predicted;
    const difference = (rows: ArrayLike<number>) => {
      const pick = (values: Float64Array) => Float64Array.from(rows, (row) => values[row]);
      const truth = pick(first.truth);
      return measure(truth, pick(first.predicted)) - measure(truth, pick(second));
    };
    const all = first.truth.map((_, i) => i);
    const resampled = this.draws.map(difference).filter((v) => Number.isFinite(v));
    const [lower, upper] = percentileInterval(resampled, this.level);
    return { difference: difference(all), lower, upper, level: this.level };
  }

  /** Predicted against true on the test checkpoints, one colour per pair, with the diagonal. */
  chart(choices?: readonly PredictorChoice[]): VegaLiteChart {
    const pairs = (choices ?? this.table.rows().filter((r) => r.predictor !== 'mean')).map(
      (c) => `${c.features} / ${c.predictor}`,
    );
    const values = this.predictions
      .rows()
      .map((r) => ({ ...r, pair: `${r.features} / ${r.predictor}` }))
      .filter((r) => pairs.includes(r.pair));
    const all = values.flatMap((r) => [r.truth, r.predicted]);
    const low = Math.min(...all);
    const high = Math.max(...all);
    return vegaLite({
      title: {
        text: `predicted vs true ${this.target} on held-out models`,
        subtitle: pairs.map((pair) => {
          const [features, predictor] = pair.split(' / ');
          const r = this.row({ features, predictor });
          return `${pair}: R² ${r.r2.toFixed(2)} [${r.r2_lower.toFixed(2)}, ${r.r2_upper.toFixed(2)}], tau ${r.kendall_tau.toFixed(2)}`;
        }),
      },
      width: 360,
      height: 360,
      layer: [
        {
          data: {
            values: [
              { truth: low, predicted: low },
              { truth: high, predicted: high },
            ],
          },
          mark: { type: 'line', color: '#999999', strokeDash: [4, 4] },
          encoding: {
            x: { field: 'truth', type: 'quantitative' },
            y: { field: 'predicted', type: 'quantitative' },
          },
        },
        {
          data: { values },
          mark: { type: 'point', filled: true, opacity: 0.7 },
          encoding: {
            x: { field: 'truth', type: 'quantitative', title: `true ${this.target}`, scale: { domain: [low, high] } },
            y: {
              field: 'predicted',
              type: 'quantitative',
              title: `predicted ${this.target}`,
              scale: { domain: [low, high] },
            },
            color: {
              field: 'pair',
              type: 'nominal',
              title: 'features / predictor',
              scale: { domain: pairs, range: OKABE_ITO.slice(0, Math.max(1, pairs.length)) },
              legend: { orient: 'bottom', columns: 1, labelLimit: 0 },
            },
            tooltip: [
              { field: 'model', type: 'nominal' },
              { field: 'epoch', type: 'quantitative' },
              { field: 'pair', type: 'nominal' },
              { field: 'truth', type: 'quantitative', format: '.3f' },
              { field: 'predicted', type: 'quantitative', format: '.3f' },
            ],
          },
        },
      ],
    });
  }

  toString(): string {
    const { train, validation, test } = this.split.groups;
    const lines = [
      `predicting ${this.target}: ${train.length} train / ${validation.length} validation / ${test.length} test groups; ` +
        `${Math.round(this.level * 100)} % intervals over test models`,
    ];
    for (const r of this.table.rows())
      lines.push(
        `  ${r.features} / ${r.predictor}: R² ${r.r2.toFixed(3)} [${r.r2_lower.toFixed(3)}, ${r.r2_upper.toFixed(3)}], ` +
          `tau ${r.kendall_tau.toFixed(3)} [${r.kendall_tau_lower.toFixed(3)}, ${r.kendall_tau_upper.toFixed(3)}], ` +
          `rmse ${r.rmse.toPrecision(3)} (${r.columns} columns, ${r.setting})`,
      );
    return lines.join('\n');
  }

  /** The predicted-vs-true chart (Vega-Lite, SVG fallback) with the metrics as text; no HTML. */
  [mimeBundle](): Promise<MimeBundle> {
    return chartBundle(this.chart(), {}, this.toString());
  }
}

/** The groups of the checkpoints: model ids, or the hyperparameters without the seed. */
function groupsOf(checkpoints: readonly ZooCheckpoint[], groupBy: 'model' | 'configuration'): string[] {
  if (groupBy === 'model') return checkpoints.map((c) => c.model.id);
  if (groupBy !== 'configuration')
    throw new ArgumentError("groupBy is 'model' or 'configuration'", {
      field: 'groupBy',
      expected: "'model' or 'configuration'",
      found: String(groupBy),
    });
  return checkpoints.map((c) => {
    const { seed: _seed, ...rest } = c.model.hyperparameters;
    return JSON.stringify(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1)));
  });
}

/** The feature set names of a '+'-joined spec, checked. */
function parseFeatureSpec(spec: string): FeatureSetName[] {
  if (typeof spec !== 'string' || spec.length === 0)
    throw new ArgumentError('a feature set is a name or names joined with +', {
      field: 'features',
      expected: `e.g. 'statistics' or 'statistics+htsr' (sets: ${FEATURE_SETS.join(', ')})`,
      found: String(spec),
    });
  return spec.split('+').map((name) => {
    if (!(FEATURE_SETS as readonly string[]).includes(name))
      throw new ArgumentError('unknown feature set', {
        field: 'features',
        expected: `one of ${FEATURE_SETS.join(', ')} (joined with '+')`,
        found: name,
      });
    return name as FeatureSetName;
  });
}

/**
 * The columns of the sets concatenated, standardised with the training rows' mean and standard
 * deviation; columns constant (or missing) on the training side are dropped, a missing value
 * becomes the training mean (0 after standardising), and with `clip` a value outside the training
 * side's range is moved to its nearest end.
 */
export function standardisedMatrices(
  sets: readonly FeatureColumns[],
  split: GroupSplit,
  clip: boolean,
): { train: FeatureMatrix; validation: FeatureMatrix; test: FeatureMatrix; columns: number } {
  const total = sets.reduce((sum, set) => sum + set.names.length, 0);
  const column = (c: number): ((row: number) => number) => {
    let offset = c;
    for (const set of sets) {
      if (offset < set.names.length) {
        const width = set.names.length;
        const at = offset;
        return (row) => set.values[row * width + at];
      }
      offset -= set.names.length;
    }
    throw new RangeError(`column ${c}`);
  };
  const kept: { read: (row: number) => number; mean: number; scale: number; low: number; high: number }[] = [];
  for (let c = 0; c < total; c++) {
    const read = column(c);
    const values = split.train.map(read).filter((v) => Number.isFinite(v));
    if (values.length === 0) continue;
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const scale = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
    // Constant on the training side (to rounding): it carries nothing a predictor could learn.
    if (!(scale > 1e-12 * Math.max(1, Math.abs(mean)))) continue;
    const [low, high] = clip ? [Math.min(...values), Math.max(...values)] : [-Infinity, Infinity];
    kept.push({ read, mean, scale, low, high });
  }
  const matrix = (rows: readonly number[]): FeatureMatrix => {
    const values = new Float64Array(rows.length * kept.length);
    rows.forEach((row, r) =>
      kept.forEach((k, c) => {
        const v = k.read(row);
        values[r * kept.length + c] = Number.isFinite(v)
          ? (Math.min(k.high, Math.max(k.low, v)) - k.mean) / k.scale
          : 0;
      }),
    );
    return { values, rows: rows.length, columns: kept.length };
  };
  return {
    train: matrix(split.train),
    validation: matrix(split.validation),
    test: matrix(split.test),
    columns: kept.length,
  };
}

/**
 * Predicts `target` of a zoo's checkpoints from their weights: for every feature set and
 * predictor, fit on the training models, choose the setting on the validation models, score R²
 * and Kendall's tau on the test models with bootstrap intervals over test models. The mean
 * predictor (the training mean) is the first row.
 */
export async function predictProperty(zoo: Zoo, options: PredictPropertyOptions = {}): Promise<PropertyPrediction> {
  const o = resolveOptions('predictProperty', PREDICT_PROPERTY_DEFAULTS, options);
  const predictors = (typeof o.model === 'string' ? [o.model] : [...o.model]) as PredictorName[];
  for (const predictor of predictors)
    if (predictor !== 'ridge' && predictor !== 'mlp')
      throw new ArgumentError('unknown predictor', {
        field: 'model',
        expected: "'ridge' or 'mlp'",
        found: String(predictor),
      });
  if (!Array.isArray(o.features) || o.features.length === 0)
    throw new ArgumentError('give at least one feature set', {
      field: 'features',
      expected: "e.g. ['hyperparameters', 'statistics']",
      found: JSON.stringify(o.features),
    });
  const specs = o.features.map((spec) => ({ spec, sets: parseFeatureSpec(spec) }));
  if (!Array.isArray(o.alphas) || o.alphas.length === 0 || o.alphas.some((a) => !(a > 0)))
    throw new ArgumentError('ridge penalties must be positive numbers', {
      field: 'alphas',
      expected: 'a non-empty array of numbers > 0',
      found: JSON.stringify(o.alphas),
    });

  // The checkpoints that report the target, in zoo order.
  const epochs = o.epochs ? new Set(o.epochs) : undefined;
  const checkpoints: ZooCheckpoint[] = [];
  const targets: number[] = [];
  for (const model of zoo.models) {
    for (const checkpoint of model.checkpoints) {
      if (epochs && !epochs.has(checkpoint.epoch)) continue;
      const value = model.results.find((result) => result.epoch === checkpoint.epoch)?.[o.target];
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      checkpoints.push(checkpoint);
      targets.push(value);
    }
  }
  if (checkpoints.length === 0)
    throw new ArgumentError('no checkpoint of the zoo reports the target', {
      file: zoo.root,
      field: 'target',
      expected: `a numeric result column such as test_acc, train_loss, ggap`,
      found: o.target,
    });

  const groups = groupsOf(checkpoints, o.groupBy);
  const split = splitByGroup(groups, o.split as [number, number, number], o.seed);
  const side = (rows: readonly number[]) => rows.map((row) => targets[row]);
  const trainTarget = side(split.train);
  const validationTarget = side(split.validation);
  const testTarget = Float64Array.from(side(split.test));
  const testGroups = split.test.map((row) => groups[row]);
  const draws = clusterResamples(testGroups, o.resamples, o.seed);

  const needed = new Set(specs.flatMap((s) => s.sets));
  const features = await checkpointFeatures(checkpoints, needed, { htsr: o.htsr, seed: o.seed });

  const rows: PredictionRow[] = [];
  const predictionRows: TestPredictionRow[] = [];
  const score = (
    features: string,
    predictor: string,
    fitted: FittedPredictor,
    test: FeatureMatrix,
    columns: number,
  ) => {
    const predicted = fitted.predict(test);
    const r2 = bootstrapEstimate(testTarget, predicted, rSquared, draws, o.level);
    const tau = bootstrapEstimate(testTarget, predicted, kendallTau, draws, o.level);
    rows.push({
      features,
      predictor,
      r2: r2.value,
      r2_lower: r2.lower,
      r2_upper: r2.upper,
      kendall_tau: tau.value,
      kendall_tau_lower: tau.lower,
      kendall_tau_upper: tau.upper,
      rmse: rootMeanSquaredError(testTarget, predicted),
      columns,
      setting: fitted.setting,
      train_checkpoints: split.train.length,
      test_checkpoints: split.test.length,
    });
    split.test.forEach((row, k) =>
      predictionRows.push({
        model: checkpoints[row].model.id,
        epoch: checkpoints[row].epoch,
        features,
        predictor,
        truth: targets[row],
        predicted: predicted[k],
      }),
    );
  };

  const empty: FeatureMatrix = { values: new Float64Array(0), rows: split.test.length, columns: 0 };
  score('none', 'mean', fitMean(trainTarget), empty, 0);
  for (const { spec, sets } of specs) {
    const matrices = standardisedMatrices(
      sets.map((set) => features.get(set)!),
      split,
      o.clip,
    );
    for (const predictor of predictors) {
      const fitted =
        predictor === 'ridge'
          ? fitRidgeChosen(matrices.train, trainTarget, matrices.validation, validationTarget, o.alphas)
          : fitMlpRegressor(matrices.train, trainTarget, matrices.validation, validationTarget, {
              hidden: [...o.hidden],
              epochs: o.mlpEpochs,
              learningRate: o.mlpLearningRate,
              weightDecay: o.mlpWeightDecay,
              seed: o.seed,
            });
      score(spec, predictor, fitted, matrices.test, matrices.columns);
    }
  }
  const table = ResultTable.fromRows(rows, {
    title: `predicting ${o.target} from weights (test models)`,
    first: ['features', 'predictor'],
  });
  const predictions = ResultTable.fromRows(predictionRows, { title: `test predictions of ${o.target}` });
  return new PropertyPrediction(o.target, table, predictions, split, draws, o.level);
}
