// Results of the evaluation protocol and how they are shown: one GeneratorEvaluation per
// generator, and a GeneratorComparison that overlays every generator and baseline in one
// accuracy-vs-novelty scatter (held-out zoo as the reference cloud) and a table. Displays as the
// scatter (Vega-Lite v5 + SVG + application/vnd.weightlab.generator-evaluation.v1+json + text);
// `.table()` shows the table (HTML + text) as its own output, `.chart()` the scatter alone.

import { mimeBundle, VEGA_LITE_SCHEMA, weightlabMimeType, type MimeBundle } from '../../display/protocol';
import { escapeHtml, html, type Bundle } from '../../display/builders';
import { chartBundle, retitled, vegaLite, type ChartOptions, type VegaLiteChart, type VegaLiteSpec } from '../../display/vega-lite';

export interface AccuracySummary { mean: number; median: number; p5: number; min: number; max: number }

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

interface Column { header: string; cell: (e: GeneratorEvaluationData) => string }

function columns(finetuneSteps: number[]): Column[] {
  return [
    { header: 'generator', cell: (e) => e.generator },
    { header: 'kind', cell: (e) => (e.family === 'baseline' ? 'baseline' : e.mini ? 'generator (mini)' : 'generator') },
    { header: 'acc mean', cell: (e) => pct(e.accuracy.mean) },
    { header: 'median', cell: (e) => pct(e.accuracy.median) },
    { header: 'p5', cell: (e) => pct(e.accuracy.p5) },
    { header: '>= held-out p5', cell: (e) => pct(e.accuracy.fractionAboveHeldOutP5) },
    ...finetuneSteps.map((steps) => ({ header: `acc after ${steps} steps`, cell: (e: GeneratorEvaluationData) => { const f = e.finetuned.find((x) => x.steps === steps); return f ? pct(f.mean) : '-'; } })),
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
  return ['held-out zoo (reference)', 'reference', pct(r.heldOutAccuracy.mean), pct(r.heldOutAccuracy.median), pct(r.heldOutAccuracy.p5), '95.0%',
    ...finetuneSteps.map(() => '-'), fixed(r.heldOutNearestDistance.median), '5.0%', fixed(r.heldOutMaxIou.median, 3), fixed(r.heldOutDisagreement, 3),
    `${(100 * r.heldOutEnsembleGain).toFixed(1)} pt`, '-', '-'];
}

function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Several evaluations on the same task and zoos, shown together. */
export class GeneratorComparison {
  readonly evaluations: GeneratorEvaluationData[];
  constructor(evaluations: readonly (GeneratorEvaluationData | GeneratorEvaluation)[]) {
    this.evaluations = evaluations.map((e) => (e instanceof GeneratorEvaluation ? e.data : e));
  }

  private get reference(): ReferenceSummary { return this.evaluations[0].reference; }
  private get finetuneSteps(): number[] { return [...new Set(this.evaluations.flatMap((e) => e.finetuned.map((f) => f.steps)))].sort((a, b) => a - b); }

  /** Rows of the summary table (strings, as displayed). */
  tableRows(): { header: string[]; rows: string[][] } {
    const cols = columns(this.finetuneSteps);
    return { header: cols.map((c) => c.header), rows: [referenceRow(this.reference, this.finetuneSteps), ...this.evaluations.map((e) => cols.map((c) => c.cell(e)))] };
  }

  /** The novelty columns only, always printable (the notebook prints it whatever it shows). */
  noveltyTable(): string {
    const r = this.reference;
    const header = ['generator', 'NN-L2 median', 'NN-L2 p5', 'closer than held-out p5', 'max IoU median', 'acc mean'];
    const rows = [
      ['held-out zoo (reference)', fixed(r.heldOutNearestDistance.median), fixed(r.heldOutNearestDistance.p5), '5.0%', fixed(r.heldOutMaxIou.median, 3), pct(r.heldOutAccuracy.mean)],
      ...this.evaluations.map((e) => [e.generator, fixed(e.novelty.nearestDistance.median), fixed(e.novelty.nearestDistance.p5), pct(e.novelty.fractionCloserThanHeldOutP5), fixed(e.novelty.maxIou.median, 3), pct(e.accuracy.mean)]),
    ];
    return textTable(header, rows);
  }

  /**
   * Accuracy (y) against nearest aligned L2 distance to the train zoo (x), every model a point;
   * two dashed rules mark the held-out zoo's median distance and 5th-percentile accuracy, each
   * named in its own legend.
   */
  scatterSpec(): VegaLiteSpec {
    const r = this.reference;
    const values: Record<string, unknown>[] = r.heldOutAccuracies.map((accuracy, i) => ({ source: 'held-out zoo (reference)', accuracy, distance: r.heldOutNearestDistance.values[i] }));
    for (const e of this.evaluations) e.accuracies.forEach((accuracy, i) => values.push({ source: e.generator, accuracy, distance: e.novelty.nearestDistance.values[i] }));
    const rules = { distance: `held-out median distance (${fixed(r.heldOutNearestDistance.median)})`, accuracy: `held-out 5th-percentile accuracy (${pct(r.heldOutAccuracy.p5)})` };
    const dash = (name: string) => ({ strokeDash: { datum: name, type: 'nominal', scale: { domain: [rules.distance, rules.accuracy], range: [[6, 3], [2, 2]] }, legend: { title: 'reference lines', orient: 'bottom', direction: 'vertical', labelLimit: 360 } } });
    return {
      $schema: VEGA_LITE_SCHEMA,
      title: { text: `Accuracy vs novelty: ${this.evaluations[0].task}`, subtitle: ['x: permutation-aligned L2 to the nearest train model (fresh models: held-out zoo)', 'y: accuracy without finetuning'] },
      width: 520,
      height: 340,
      data: { values },
      layer: [
        { mark: { type: 'rule', color: 'gray', strokeWidth: 1.5 }, encoding: { x: { datum: r.heldOutNearestDistance.median, type: 'quantitative' }, ...dash(rules.distance) } },
        { mark: { type: 'rule', color: 'gray', strokeWidth: 1.5 }, encoding: { y: { datum: r.heldOutAccuracy.p5, type: 'quantitative' }, ...dash(rules.accuracy) } },
        {
          mark: { type: 'point', filled: true, opacity: 0.6, size: 28 },
          encoding: {
            x: { field: 'distance', type: 'quantitative', title: 'nearest aligned L2 to train zoo' },
            y: { field: 'accuracy', type: 'quantitative', title: 'test accuracy (no finetuning)', axis: { format: '%' } },
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

  /** Every generator's accuracy, novelty, diversity and cost, with the held-out reference row, as an HTML table. */
  table(): Bundle {
    return html(this.html(), this.toString());
  }

  toString(): string {
    const { header, rows } = this.tableRows();
    const r = this.reference;
    return `Generator evaluation on ${this.evaluations[0].task} (${r.trainModels} train / ${r.heldOutModels} held-out models, ${this.evaluations[0].samples} samples each)\n${textTable(header, rows)}`;
  }

  private html(): string {
    const { header, rows } = this.tableRows();
    return `<table class="weightlab-table"><caption>${escapeHtml(this.toString().split('\n')[0])}</caption><thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${
      rows.map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  }

  /** The scatter (the notebook's prose reads it), the weightlab payload and the text table. */
  [mimeBundle](): Promise<MimeBundle> {
    const chart = this.chart();
    const payload = { version: 1, reference: this.reference, evaluations: this.evaluations.map(({ reference: _r, ...rest }) => rest), vegaLite: chart.spec };
    return chartBundle(chart, { [weightlabMimeType(GENERATOR_EVALUATION_KIND)]: payload }, this.toString());
  }
}

/** One generator's result; displays as a comparison of one (with the held-out reference). */
export class GeneratorEvaluation {
  constructor(readonly data: GeneratorEvaluationData) {}
  get generator(): string { return this.data.generator; }
  get accuracy(): GeneratorEvaluationData['accuracy'] { return this.data.accuracy; }
  get novelty(): GeneratorEvaluationData['novelty'] { return this.data.novelty; }
  get diversity(): GeneratorEvaluationData['diversity'] { return this.data.diversity; }
  get cost(): GeneratorEvaluationData['cost'] { return this.data.cost; }
  get reference(): ReferenceSummary { return this.data.reference; }
  toString(): string { return new GeneratorComparison([this]).toString(); }
  chart(options: ChartOptions = {}): VegaLiteChart { return new GeneratorComparison([this]).chart(options); }
  table(): Bundle { return new GeneratorComparison([this]).table(); }
  [mimeBundle](): Promise<MimeBundle> { return new GeneratorComparison([this])[mimeBundle](); }
}

/** Shows several evaluations (same task and zoos) in one scatter and table. */
export function compareGenerators(evaluations: readonly GeneratorEvaluation[]): GeneratorComparison {
  return new GeneratorComparison(evaluations);
}
