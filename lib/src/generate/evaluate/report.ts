// Results of the evaluation protocol and how they are shown: one GeneratorEvaluation per
// generator, and a GeneratorComparison that overlays every generator and baseline in one
// accuracy-vs-novelty scatter (held-out zoo as the reference cloud) and a table. Displays as the
// scatter (Vega-Lite v5 + SVG + application/vnd.weightlab.generator-evaluation.v1+json + text);
// `.table()` is the same numbers as a ResultTable (one row per generator, snake_case columns, the
// held-out reference row first), which displays as a table in its own output; `.chart()` is the
// scatter alone. A chart and an HTML table never share one bundle (JupyterLab would show the HTML).

import { ArgumentError } from '../../errors';
import { mimeBundle, VEGA_LITE_SCHEMA, weightlabMimeType, type MimeBundle } from '../../display/protocol';
import { resolveOptions, type OptionDefaults } from '../../options/resolve';
import { ResultTable } from '../../table/result-table';
import {
  chartBundle,
  retitled,
  vegaLite,
  type ChartOptions,
  type VegaLiteChart,
  type VegaLiteSpec,
} from '../../display/vega-lite';

export interface AccuracySummary {
  mean: number;
  median: number;
  p5: number;
  min: number;
  max: number;
}

export interface ReferenceSummary {
  trainModels: number;
  heldOutModels: number;
  trainAccuracy: AccuracySummary;
  heldOutAccuracy: AccuracySummary;
  heldOutAccuracies: number[];
  /** Held-out → train nearest aligned L2 distances: what "a fresh model" looks like. */
  heldOutNearestDistance: { median: number; p5: number; values: number[] };
  heldOutMaxIou: { median: number; values: number[] };
  heldOutDisagreement: number;
  heldOutEnsembleGain: number;
  heldOutEnsembleSize: number;
}

export interface GeneratorEvaluationData {
  generator: string;
  family: 'generator' | 'baseline';
  mini: boolean;
  task: string;
  samples: number;
  seed: number;
  accuracy: AccuracySummary & { fractionAboveHeldOutP5: number };
  accuracies: number[];
  finetuned: { steps: number; models: number; mean: number; median: number }[];
  novelty: {
    nearestDistance: { median: number; p5: number; values: number[] };
    fractionCloserThanHeldOutP5: number;
    maxIou: { median: number; values: number[] };
  };
  diversity: { pairwiseDisagreement: number; ensembleSize: number; ensembleAccuracy: number; ensembleGain: number };
  /** msPerModel: warm sample(n) / n; firstCallMs: the first sample(n) call, compilation included. */
  cost: { fitSeconds: number; msPerModel: number; firstCallMs: number; parameterCount: number };
  reference: ReferenceSummary;
}

export const GENERATOR_EVALUATION_KIND = 'generator-evaluation';

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const fixed = (v: number, digits = 2) => (Number.isFinite(v) ? v.toFixed(digits) : String(v));

interface Column {
  header: string;
  cell: (e: GeneratorEvaluationData) => string;
}

function columns(finetuneSteps: number[]): Column[] {
  return [
    { header: 'generator', cell: (e) => e.generator },
    { header: 'kind', cell: (e) => (e.family === 'baseline' ? 'baseline' : e.mini ? 'generator (mini)' : 'generator') },
    { header: 'acc mean', cell: (e) => pct(e.accuracy.mean) },
    { header: 'median', cell: (e) => pct(e.accuracy.median) },
    { header: 'p5', cell: (e) => pct(e.accuracy.p5) },
    { header: '>= held-out p5', cell: (e) => pct(e.accuracy.fractionAboveHeldOutP5) },
    ...finetuneSteps.map((steps) => ({
      header: `acc after ${steps} steps`,
      cell: (e: GeneratorEvaluationData) => {
        const f = e.finetuned.find((x) => x.steps === steps);
        return f ? pct(f.mean) : '-';
      },
    })),
    { header: 'NN-L2 median', cell: (e) => fixed(e.novelty.nearestDistance.median) },
    { header: 'closer than held-out p5', cell: (e) => pct(e.novelty.fractionCloserThanHeldOutP5) },
    { header: 'max IoU median', cell: (e) => fixed(e.novelty.maxIou.median, 3) },
    { header: 'disagreement', cell: (e) => fixed(e.diversity.pairwiseDisagreement, 3) },
    { header: 'ensemble gain', cell: (e) => `${(100 * e.diversity.ensembleGain).toFixed(1)} pt` },
    { header: 'fit s', cell: (e) => fixed(e.cost.fitSeconds, 1) },
    { header: 'ms/model', cell: (e) => fixed(e.cost.msPerModel, 2) },
  ];
}

/** The held-out zoo as a table row: what fresh, independently trained models score. */
function referenceRow(r: ReferenceSummary, finetuneSteps: number[]): string[] {
  return [
    'held-out zoo (reference)',
    'reference',
    pct(r.heldOutAccuracy.mean),
    pct(r.heldOutAccuracy.median),
    pct(r.heldOutAccuracy.p5),
    pct(shareOf(r.heldOutAccuracies, r.heldOutAccuracy.p5, false)),
    ...finetuneSteps.map(() => '-'),
    fixed(r.heldOutNearestDistance.median),
    pct(shareOf(r.heldOutNearestDistance.values, r.heldOutNearestDistance.p5, true)),
    fixed(r.heldOutMaxIou.median, 3),
    fixed(r.heldOutDisagreement, 3),
    `${(100 * r.heldOutEnsembleGain).toFixed(1)} pt`,
    '-',
    '-',
  ];
}

function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => cell.padEnd(widths[c]))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** One row of a generator comparison: a generator, a baseline, or the held-out zoo as reference. */
export interface GeneratorComparisonRow {
  /** The generator's display name; 'held-out zoo (reference)' for the reference row. */
  generator: string;
  /** 'generator', 'generator (mini)', 'baseline' or 'reference'. */
  kind: 'generator' | 'generator (mini)' | 'baseline' | 'reference';
  /** Models scored (generated samples, or held-out models for the reference). */
  samples: number;
  /** Test accuracy without finetuning: mean, median and 5th percentile over the samples. */
  accuracy_mean: number;
  accuracy_median: number;
  accuracy_p5: number;
  /** Share of samples at least as accurate as the held-out zoo's 5th percentile. */
  above_held_out_p5: number;
  /** Finetuning steps of `finetuned_accuracy_mean` (the largest reported; null when none). */
  finetune_steps: number | null;
  /** Mean accuracy of the finetuned samples after `finetune_steps` steps. */
  finetuned_accuracy_mean: number | null;
  /** Permutation-aligned L2 distance to the nearest train model: median and 5th percentile. */
  nearest_distance_median: number;
  nearest_distance_p5: number;
  /** Share of samples closer to a train model than 95 % of held-out models are (copies). */
  closer_than_held_out_p5: number;
  /** Median over samples of the largest wrong-set IoU with a train model. */
  max_iou_median: number;
  /** Mean share of test examples on which two samples disagree. */
  pairwise_disagreement: number;
  /** Ensemble accuracy minus the members' mean accuracy. */
  ensemble_gain: number;
  /** Seconds the generator's fit took (null for the reference). */
  fit_seconds: number | null;
  /** Milliseconds per generated model in steady state (null for the reference). */
  ms_per_model: number | null;
  /** Trainable scalars of the generator (null for the reference). */
  parameter_count: number | null;
}

/** Options of compareGenerators. */
export interface CompareGeneratorsOptions {
  /**
   * Put the held-out zoo's row (what fresh models score) first in the table.
   * @default true
   */
  reference?: boolean;
}

/** compareGenerators' defaults. */
export const COMPARE_GENERATORS_DEFAULTS = {
  reference: true,
} as const satisfies OptionDefaults<CompareGeneratorsOptions>;

/** Share of `values` below `threshold` (below = true) or at or above it. */
function shareOf(values: readonly number[], threshold: number, below: boolean): number {
  return values.filter((v) => (below ? v < threshold : v >= threshold)).length / values.length;
}

function evaluationRow(e: GeneratorEvaluationData): GeneratorComparisonRow {
  const finetuned = [...e.finetuned].sort((a, b) => b.steps - a.steps)[0];
  return {
    generator: e.generator,
    kind: e.family === 'baseline' ? 'baseline' : e.mini ? 'generator (mini)' : 'generator',
    samples: e.samples,
    accuracy_mean: e.accuracy.mean,
    accuracy_median: e.accuracy.median,
    accuracy_p5: e.accuracy.p5,
    above_held_out_p5: e.accuracy.fractionAboveHeldOutP5,
    finetune_steps: finetuned?.steps ?? null,
    finetuned_accuracy_mean: finetuned?.mean ?? null,
    nearest_distance_median: e.novelty.nearestDistance.median,
    nearest_distance_p5: e.novelty.nearestDistance.p5,
    closer_than_held_out_p5: e.novelty.fractionCloserThanHeldOutP5,
    max_iou_median: e.novelty.maxIou.median,
    pairwise_disagreement: e.diversity.pairwiseDisagreement,
    ensemble_gain: e.diversity.ensembleGain,
    fit_seconds: e.cost.fitSeconds,
    ms_per_model: e.cost.msPerModel,
    parameter_count: e.cost.parameterCount,
  };
}

/** The held-out zoo scored like a generator's samples (its shares measured, not assumed). */
function referenceTableRow(r: ReferenceSummary): GeneratorComparisonRow {
  return {
    generator: 'held-out zoo (reference)',
    kind: 'reference',
    samples: r.heldOutModels,
    accuracy_mean: r.heldOutAccuracy.mean,
    accuracy_median: r.heldOutAccuracy.median,
    accuracy_p5: r.heldOutAccuracy.p5,
    above_held_out_p5: shareOf(r.heldOutAccuracies, r.heldOutAccuracy.p5, false),
    finetune_steps: null,
    finetuned_accuracy_mean: null,
    nearest_distance_median: r.heldOutNearestDistance.median,
    nearest_distance_p5: r.heldOutNearestDistance.p5,
    closer_than_held_out_p5: shareOf(r.heldOutNearestDistance.values, r.heldOutNearestDistance.p5, true),
    max_iou_median: r.heldOutMaxIou.median,
    pairwise_disagreement: r.heldOutDisagreement,
    ensemble_gain: r.heldOutEnsembleGain,
    fit_seconds: null,
    ms_per_model: null,
    parameter_count: null,
  };
}

/** The novelty columns, in the order the novelty view shows them. */
const NOVELTY_COLUMNS = [
  'generator',
  'nearest_distance_median',
  'nearest_distance_p5',
  'closer_than_held_out_p5',
  'max_iou_median',
  'accuracy_mean',
] as const;

/** Several evaluations on the same task and zoos, shown together. */
export class GeneratorComparison {
  readonly evaluations: GeneratorEvaluationData[];
  private readonly options: Required<CompareGeneratorsOptions>;
  constructor(
    evaluations: readonly (GeneratorEvaluationData | GeneratorEvaluation)[],
    options: CompareGeneratorsOptions = {},
  ) {
    if (evaluations.length === 0)
      throw new ArgumentError('nothing to compare', {
        field: 'evaluations',
        expected: 'at least one evaluation (from evaluateGenerator)',
        found: 'an empty list',
      });
    this.evaluations = evaluations.map((e) => (e instanceof GeneratorEvaluation ? e.data : e));
    this.options = resolveOptions('compareGenerators', COMPARE_GENERATORS_DEFAULTS, options);
  }

  private get reference(): ReferenceSummary {
    return this.evaluations[0].reference;
  }
  private get finetuneSteps(): number[] {
    return [...new Set(this.evaluations.flatMap((e) => e.finetuned.map((f) => f.steps)))].sort((a, b) => a - b);
  }

  /** Rows of the text table (strings, as printed). */
  private textRows(): { header: string[]; rows: string[][] } {
    const cols = columns(this.finetuneSteps);
    return {
      header: cols.map((c) => c.header),
      rows: [
        referenceRow(this.reference, this.finetuneSteps),
        ...this.evaluations.map((e) => cols.map((c) => c.cell(e))),
      ],
    };
  }

  /** The novelty columns only (with the accuracy they come with), as a table; printable whatever the display shows. */
  noveltyTable(): ResultTable<Pick<GeneratorComparisonRow, (typeof NOVELTY_COLUMNS)[number]>> {
    return this.table().select(...NOVELTY_COLUMNS);
  }

  /**
   * Accuracy (y) against nearest aligned L2 distance to the train zoo (x), every model a point;
   * two dashed rules mark the held-out zoo's median distance and 5th-percentile accuracy, each
   * named in its own legend.
   */
  scatterSpec(): VegaLiteSpec {
    const r = this.reference;
    const values: Record<string, unknown>[] = r.heldOutAccuracies.map((accuracy, i) => ({
      source: 'held-out zoo (reference)',
      accuracy,
      distance: r.heldOutNearestDistance.values[i],
    }));
    for (const e of this.evaluations)
      e.accuracies.forEach((accuracy, i) =>
        values.push({ source: e.generator, accuracy, distance: e.novelty.nearestDistance.values[i] }),
      );
    const rules = {
      distance: `held-out median distance (${fixed(r.heldOutNearestDistance.median)})`,
      accuracy: `held-out 5th-percentile accuracy (${pct(r.heldOutAccuracy.p5)})`,
    };
    const dash = (name: string) => ({
      strokeDash: {
        datum: name,
        type: 'nominal',
        scale: {
          domain: [rules.distance, rules.accuracy],
          range: [
            [6, 3],
            [2, 2],
          ],
        },
        legend: { title: 'reference lines', orient: 'bottom', direction: 'vertical', labelLimit: 360 },
      },
    });
    return {
      $schema: VEGA_LITE_SCHEMA,
      title: {
        text: `Accuracy vs novelty: ${this.evaluations[0].task}`,
        subtitle: [
          'x: permutation-aligned L2 to the nearest train model (fresh models: held-out zoo)',
          'y: accuracy without finetuning',
        ],
      },
      width: 520,
      height: 340,
      data: { values },
      layer: [
        {
          mark: { type: 'rule', color: 'gray', strokeWidth: 1.5 },
          encoding: { x: { datum: r.heldOutNearestDistance.median, type: 'quantitative' }, ...dash(rules.distance) },
        },
        {
          mark: { type: 'rule', color: 'gray', strokeWidth: 1.5 },
          encoding: { y: { datum: r.heldOutAccuracy.p5, type: 'quantitative' }, ...dash(rules.accuracy) },
        },
        {
          mark: { type: 'point', filled: true, opacity: 0.6, size: 28 },
          encoding: {
            x: { field: 'distance', type: 'quantitative', title: 'nearest aligned L2 to train zoo' },
            y: {
              field: 'accuracy',
              type: 'quantitative',
              title: 'test accuracy (no finetuning)',
              axis: { format: '%' },
            },
            color: { field: 'source', type: 'nominal', title: 'generator / baseline', legend: { labelLimit: 360 } },
            shape: { field: 'source', type: 'nominal', title: 'generator / baseline' },
            tooltip: [{ field: 'source' }, { field: 'accuracy', format: '.3f' }, { field: 'distance', format: '.2f' }],
          },
        },
      ],
    };
  }

  /** The accuracy-vs-novelty scatter: what the comparison shows by default. */
  chart(options: ChartOptions = {}): VegaLiteChart {
    return vegaLite(retitled(this.scatterSpec(), options));
  }

  /** Every generator's accuracy, novelty, diversity and cost as a table (held-out reference row first unless `reference: false`). */
  table(): ResultTable<GeneratorComparisonRow> {
    const rows = [
      ...(this.options.reference ? [referenceTableRow(this.reference)] : []),
      ...this.evaluations.map(evaluationRow),
    ];
    return ResultTable.fromRows(rows, { title: this.caption() });
  }

  private caption(): string {
    const r = this.reference;
    return `Generator evaluation on ${this.evaluations[0].task} (${r.trainModels} train / ${r.heldOutModels} held-out models, ${this.evaluations[0].samples} samples each)`;
  }

  toString(): string {
    const { header, rows } = this.textRows();
    return `${this.caption()}\n${textTable(header, rows)}`;
  }

  /** The scatter (the notebook's prose reads it), the weightlab payload and the text table. */
  [mimeBundle](): Promise<MimeBundle> {
    const chart = this.chart();
    const payload = {
      version: 1,
      reference: this.reference,
      evaluations: this.evaluations.map(({ reference: _r, ...rest }) => rest),
      vegaLite: chart.spec,
    };
    return chartBundle(chart, { [weightlabMimeType(GENERATOR_EVALUATION_KIND)]: payload }, this.toString());
  }
}

/** One generator's result; displays as a comparison of one (with the held-out reference). */
export class GeneratorEvaluation {
  constructor(readonly data: GeneratorEvaluationData) {}
  get generator(): string {
    return this.data.generator;
  }
  get accuracy(): GeneratorEvaluationData['accuracy'] {
    return this.data.accuracy;
  }
  get novelty(): GeneratorEvaluationData['novelty'] {
    return this.data.novelty;
  }
  get diversity(): GeneratorEvaluationData['diversity'] {
    return this.data.diversity;
  }
  get cost(): GeneratorEvaluationData['cost'] {
    return this.data.cost;
  }
  get reference(): ReferenceSummary {
    return this.data.reference;
  }
  toString(): string {
    return new GeneratorComparison([this]).toString();
  }
  chart(options: ChartOptions = {}): VegaLiteChart {
    return new GeneratorComparison([this]).chart(options);
  }
  table(): ResultTable<GeneratorComparisonRow> {
    return new GeneratorComparison([this]).table();
  }
  [mimeBundle](): Promise<MimeBundle> {
    return new GeneratorComparison([this])[mimeBundle]();
  }
}

/** Shows several evaluations (same task and zoos) in one scatter; `.table()` has the numbers. */
export function compareGenerators(
  evaluations: readonly GeneratorEvaluation[],
  options: CompareGeneratorsOptions = {},
): GeneratorComparison {
  return new GeneratorComparison(evaluations, options);
}
