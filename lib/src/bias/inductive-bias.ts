// inductiveBias(task, space, { eps, samples, seed }): the whole pipeline of Boopathy et al.
// (sample hypotheses that fit the training set, record their test errors, fit the error model,
// read off -log P[error <= eps]) as one displayable result.

import { ArgumentError } from '../errors';
import { rng as makeRng } from '../random/rng';
import { Progress } from '../progress/progress';
import { mimeBundle, weightlabMimeType, type MimeBundle } from '../display/protocol';
import { ResultTable } from '../table/result-table';
import { chartBundle, retitled, vegaLite, type ChartOptions, type VegaLiteChart } from '../display/vega-lite';
import {
  ErrorModelEstimator,
  ESTIMATOR_DEFAULTS,
  type EstimatorOptions,
  type InductiveBiasEstimate,
} from './estimator';
import { resolveOptions, type OptionDefaults, type ResolvedOptions } from '../options/resolve';
import { WarningLog, type HypothesisSpace } from './hypothesis-space';
import { taskData, type Task } from './tasks';
import { errorHistogramSpec } from './chart';

export interface InductiveBiasOptions extends EstimatorOptions {
  /** Target test error (MSE) at which the bias is read off; required. */
  eps: number;
  /**
   * Hypotheses to sample.
   * @default 1000
   */
  samples?: number;
  /**
   * Seed of the hypothesis draws and of the bootstrap.
   * @default 0
   */
  seed?: number;
  /**
   * Show a progress bar (a `signal` keeps it, since the bar is what checks for interrupts).
   * @default true
   */
  progress?: boolean;
  /**
   * Aborts sampling (as a kernel interrupt does).
   * @default undefined
   */
  signal?: AbortSignal;
}

/** The defaults of inductiveBias, compareInductiveBias and inductiveBiasByDimension (see InductiveBiasOptions). */
export const INDUCTIVE_BIAS_DEFAULTS = {
  ...ESTIMATOR_DEFAULTS,
  eps: undefined,
  samples: 1000,
  seed: 0,
  progress: true,
  signal: undefined,
} as const satisfies OptionDefaults<InductiveBiasOptions>;

/** One result as a table row: what every inductive-bias table (comparisons, dimension sweeps) holds. */
export interface InductiveBiasRow {
  /** The hypothesis space's label. */
  hypothesis_space: string;
  /** The task's label. */
  task: string;
  /** The task's input dimension d. */
  dimension: number;
  /** Target test error (MSE) the bias is read at. */
  eps: number;
  /** Required inductive bias in bits: -log2 P[error <= eps] under the fitted error model. */
  bits: number;
  /** Lower end of the interval in bits (bootstrap widened by the fit's misfit). */
  bits_low: number;
  /** Upper end of the interval in bits. */
  bits_high: number;
  /** Confidence level of the interval. */
  level: number;
  /** The same bias in nats. */
  nats: number;
  /** Median test error of the sampled hypotheses. */
  median_error: number;
  /** Smallest sampled test error: below it the bits are an extrapolation of the fitted model. */
  smallest_error: number;
  /** Sampled errors at or below eps. */
  samples_below_eps: number;
  /** Kolmogorov-Smirnov distance between the sampled errors and the fitted model. */
  ks: number;
  /** Whether the fit passed its diagnostics (KS and tail checks). */
  trustworthy: boolean;
  /** Hypotheses sampled (after dropping diverged ones). */
  samples: number;
  /** Seed of the draws. */
  seed: number;
}

function format(bits: number): string {
  return Number.isFinite(bits) ? (Math.abs(bits) >= 1000 ? bits.toExponential(3) : bits.toFixed(2)) : String(bits);
}

/**
 * The result of `inductiveBias()`: estimate, interval, diagnostics, sampled errors. Displays as
 * the error histogram (`.chart()`); `.table()` is the same result as a one-row ResultTable.
 */
export class InductiveBiasResult {
  readonly estimate: InductiveBiasEstimate;
  /** Test errors of the sampled hypotheses, in sampling order. */
  readonly errors: Float64Array;
  readonly trainingErrors?: Float64Array;
  readonly space: { name: string; settings: Record<string, unknown> };
  readonly task: { name: string; dimension: number; trainSize: number; testSize: number; outputs: number };
  /** Sampler facts (jitter, condition numbers, training statistics). */
  readonly details: Record<string, unknown>;
  readonly seed: number;
  readonly seconds: number;
  /** Sampler warnings plus estimator warnings. */
  readonly warnings: string[];
  private readonly estimator: ErrorModelEstimator;
  private readonly samplerWarnings: string[];

  constructor(fields: {
    estimator: ErrorModelEstimator;
    eps: number;
    errors: Float64Array;
    trainingErrors?: Float64Array;
    space: InductiveBiasResult['space'];
    task: InductiveBiasResult['task'];
    details: Record<string, unknown>;
    seed: number;
    seconds: number;
    samplerWarnings: string[];
  }) {
    this.estimator = fields.estimator;
    this.estimate = fields.estimator.at(fields.eps);
    this.errors = fields.errors;
    this.trainingErrors = fields.trainingErrors;
    this.space = fields.space;
    this.task = fields.task;
    this.details = fields.details;
    this.seed = fields.seed;
    this.seconds = fields.seconds;
    this.samplerWarnings = fields.samplerWarnings;
    this.warnings = [...fields.samplerWarnings, ...this.estimate.warnings];
  }

  get eps(): number {
    return this.estimate.eps;
  }
  get bits(): number {
    return this.estimate.bits;
  }
  get nats(): number {
    return this.estimate.nats;
  }
  /** Bootstrap interval in bits. */
  get interval(): [number, number] {
    return this.estimate.interval.bits;
  }
  get trustworthy(): boolean {
    return this.estimate.diagnostics.trustworthy;
  }

  /** The same samples evaluated at another eps (no resampling). */
  at(eps: number): InductiveBiasResult {
    return new InductiveBiasResult({
      estimator: this.estimator,
      eps,
      errors: this.errors,
      trainingErrors: this.trainingErrors,
      space: this.space,
      task: this.task,
      details: this.details,
      seed: this.seed,
      seconds: this.seconds,
      samplerWarnings: this.samplerWarnings,
    });
  }

  /** Quantile q of the sampled errors (e.g. 0.5 for the median). */
  quantile(q: number): number {
    const sorted = this.estimator.sorted;
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
  }

  chartSpec(): Record<string, unknown> {
    const e = this.estimate;
    const subtitle = `inductive bias ${format(e.bits)} bits (${Math.round(100 * e.interval.level)}% interval ${format(e.interval.bits[0])}–${format(e.interval.bits[1])}); fit ${e.diagnostics.trustworthy ? 'trustworthy' : 'NOT trustworthy'}`;
    return errorHistogramSpec(this.estimator.sorted, this.estimator.fit.model, this.eps, this.bits, {
      text: `${this.space.name} on ${this.task.name}`,
      subtitle,
    });
  }

  /** This result as one table row (see InductiveBiasRow). */
  row(): InductiveBiasRow {
    const e = this.estimate;
    return {
      hypothesis_space: this.space.name,
      task: this.task.name,
      dimension: this.task.dimension,
      eps: this.eps,
      bits: e.bits,
      bits_low: e.interval.bits[0],
      bits_high: e.interval.bits[1],
      level: e.interval.level,
      nats: e.nats,
      median_error: this.quantile(0.5),
      smallest_error: this.quantile(0),
      samples_below_eps: e.empirical.count,
      ks: e.diagnostics.ks,
      trustworthy: e.diagnostics.trustworthy,
      samples: this.errors.length,
      seed: this.seed,
    };
  }

  /** The error histogram with the fitted model and eps: what the result shows by default. */
  chart(options: ChartOptions = {}): VegaLiteChart {
    return vegaLite(retitled(this.chartSpec(), options));
  }

  /** This result as a one-row table (the columns every inductive-bias table has), shown on its own. */
  table(): ResultTable<InductiveBiasRow> {
    return ResultTable.fromRows([this.row()], { title: `inductive bias of ${this.space.name} at eps = ${this.eps}` });
  }

  toJSON(): Record<string, unknown> {
    return {
      eps: this.eps,
      bits: this.bits,
      nats: this.nats,
      interval: this.estimate.interval,
      model: this.estimate.model,
      tailMethod: this.estimate.tailMethod,
      sankaranBits: this.estimate.sankaranBits,
      empirical: this.estimate.empirical,
      diagnostics: this.estimate.diagnostics,
      warnings: this.warnings,
      space: this.space,
      task: this.task,
      details: this.details,
      samples: this.errors.length,
      seed: this.seed,
      seconds: this.seconds,
      errors: Array.from(this.errors),
    };
  }

  toString(): string {
    const e = this.estimate;
    const m = e.model;
    const lines = [
      `inductive bias of '${this.space.name}' on '${this.task.name}' at eps = ${this.eps}: ${format(e.bits)} bits = ${format(e.nats)} nats (${Math.round(100 * e.interval.level)}% interval ${format(e.interval.bits[0])}-${format(e.interval.bits[1])} bits: bootstrap ± fit misfit ${e.interval.misfitBits.toFixed(2)})`,
      `  error model: ${m.scale.toPrecision(4)} x chi'^2(k = ${m.degreesOfFreedom.toPrecision(4)}, lambda = ${m.noncentrality.toPrecision(4)}) by ${m.method}${m.clipped ? ' (lambda clipped to 0)' : ''}; Sankaran: ${format(e.sankaranBits)} bits`,
      `  fit: KS ${e.diagnostics.ks.toFixed(4)} (threshold ${e.diagnostics.ksThreshold.toFixed(3)}, p ${e.diagnostics.ksPValue.toPrecision(2)}); tail ${e.diagnostics.tail.map((t) => `q=${t.quantile}: ${t.difference >= 0 ? '+' : ''}${t.difference.toFixed(2)} bits`).join(', ') || 'not checked (too few samples)'}; ${e.diagnostics.trustworthy ? 'trustworthy' : 'NOT trustworthy'}`,
      `  empirical: ${e.empirical.count}/${e.empirical.samples} sampled errors <= eps (${e.empirical.count ? `${format(e.empirical.bits)} bits` : `more than ${format(e.empirical.interval[0])} bits`}); errors median ${this.quantile(0.5).toPrecision(4)}, range ${this.quantile(0).toPrecision(4)}-${this.quantile(1).toPrecision(4)}; ${this.seconds.toFixed(1)} s`,
    ];
    for (const warning of this.warnings) lines.push(`  warning: ${warning}`);
    return lines.join('\n');
  }

  /** The chart (the notebook's prose reads the histogram), the weightlab payload and the text report. */
  [mimeBundle](): Promise<MimeBundle> {
    return chartBundle(this.chart(), { [weightlabMimeType('inductive-bias')]: this.toJSON() }, this.toString());
  }
}

/**
 * Required inductive bias of `task` under `space` at test error eps:
 * `await inductiveBias(teacherTask({ dimension: 16 }), kernelHypothesisSpace(), { eps: 0.1, samples: 2000, seed: 0 })`.
 */
export async function inductiveBias(
  task: Task,
  space: HypothesisSpace,
  options: InductiveBiasOptions,
): Promise<InductiveBiasResult> {
  return sampleInductiveBias(
    'inductiveBias',
    task,
    space,
    resolveOptions('inductiveBias', INDUCTIVE_BIAS_DEFAULTS, options),
  );
}

/** InductiveBiasOptions with their defaults filled in. */
export type ResolvedInductiveBiasOptions = ResolvedOptions<InductiveBiasOptions, typeof INDUCTIVE_BIAS_DEFAULTS>;

/** The estimator's own options out of a verb's resolved options. */
function estimatorOptions(options: EstimatorOptions): EstimatorOptions {
  return {
    fit: options.fit,
    bootstrap: options.bootstrap,
    level: options.level,
    seed: options.seed,
    warn: options.warn,
  };
}

/** inductiveBias with options already resolved by `verb` (the comparisons resolve once for all their runs). */
export async function sampleInductiveBias(
  verb: string,
  task: Task,
  space: HypothesisSpace,
  options: ResolvedInductiveBiasOptions,
): Promise<InductiveBiasResult> {
  const o = options;
  if (typeof o.eps !== 'number')
    throw new ArgumentError(`${verb} needs options.eps, the target test error`, {
      field: 'eps',
      expected: 'a positive number such as { eps: 0.1 }',
      found: String(o.eps),
    });
  if (!(o.eps > 0) || !Number.isFinite(o.eps))
    throw new ArgumentError('eps must be a finite positive test error', { field: 'eps', found: String(o.eps) });
  if (!space || typeof space.sample !== 'function')
    throw new ArgumentError(
      'not a hypothesis space (use kernelHypothesisSpace, networkHypothesisSpace or randomFeatureHypothesisSpace)',
      { field: 'space', found: typeof space },
    );
  if (!Number.isInteger(o.samples) || o.samples < 1)
    throw new ArgumentError('samples must be a positive integer', { field: 'samples', found: String(o.samples) });
  const data = taskData(task);
  const warnings = new WarningLog(o.warn);
  const started = performance.now();
  // The bar is also what checks for interrupts, so a signal keeps it even with progress: false.
  const bar =
    o.progress === false && !o.signal
      ? undefined
      : new Progress({ total: o.samples, label: `sampling ${space.name}`, signal: o.signal });
  const sample = await space.sample(data, o.samples, {
    rng: makeRng(o.seed).fold('hypotheses'),
    progress: bar,
    warnings,
  });
  bar?.done();
  const estimator = new ErrorModelEstimator(sample.errors, estimatorOptions(o));
  return new InductiveBiasResult({
    estimator,
    eps: o.eps,
    errors: sample.errors,
    trainingErrors: sample.trainingErrors,
    space: { name: space.name, settings: space.describe() },
    task: {
      name: data.name,
      dimension: data.dimension,
      trainSize: data.trainX.rows,
      testSize: data.testX.rows,
      outputs: data.outputs,
    },
    details: sample.details,
    seed: o.seed,
    seconds: (performance.now() - started) / 1000,
    samplerWarnings: warnings.messages,
  });
}
