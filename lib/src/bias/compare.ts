// Comparisons: several hypothesis spaces (architectures, kernels) on one task, and one or more
// spaces across task dimension, each displayed as a chart with bootstrap intervals (`.chart()`)
// and offering the same numbers as a table (`.table()`).
// "Differ measurably" is decided by non-overlapping intervals (`separated`). Both tables hold one
// InductiveBiasRow per result, so a comparison and a sweep are filtered and exported the same way.

import { ArgumentError } from '../errors';
import { mimeBundle, weightlabMimeType, type MimeBundle } from '../display/protocol';
import { ResultTable } from '../table/result-table';
import { resolveOptions } from '../options/resolve';
import { chartBundle, retitled, vegaLite, type ChartOptions, type VegaLiteChart } from '../display/vega-lite';
import {
  INDUCTIVE_BIAS_DEFAULTS,
  sampleInductiveBias,
  type InductiveBiasOptions,
  type InductiveBiasResult,
  type InductiveBiasRow,
} from './inductive-bias';
import type { HypothesisSpace } from './hypothesis-space';
import type { Task } from './tasks';
import { comparisonSpec, dimensionSpec, type BiasRow } from './chart';

function row(result: InductiveBiasResult, x?: number): BiasRow {
  return {
    label: result.space.name,
    bits: result.bits,
    low: result.interval[0],
    high: result.interval[1],
    ...(x === undefined ? {} : { x }),
  };
}

const bitsText = (r: InductiveBiasResult): string =>
  `${r.bits.toFixed(2)} [${r.interval[0].toFixed(2)}, ${r.interval[1].toFixed(2)}]`;

/** The columns a table shows by default (it keeps every InductiveBiasRow column). */
const SHOWN = [
  'hypothesis_space',
  'bits',
  'bits_low',
  'bits_high',
  'median_error',
  'smallest_error',
  'ks',
  'trustworthy',
];

/** Whether two results' intervals do not overlap (a measurable difference at their common eps). */
export function separated(a: InductiveBiasResult, b: InductiveBiasResult): boolean {
  return a.interval[1] < b.interval[0] || b.interval[1] < a.interval[0];
}

/** Several hypothesis spaces on one task at one eps. */
export class InductiveBiasComparison {
  readonly results: InductiveBiasResult[];
  /** Results of inductiveBias (or their `.at(eps)`) on one task, all at the same eps. */
  constructor(results: InductiveBiasResult[]) {
    if (!Array.isArray(results) || results.length === 0)
      throw new ArgumentError('a comparison needs at least one result', {
        field: 'results',
        expected: 'a non-empty array of InductiveBiasResult',
        found: Array.isArray(results) ? 'an empty array' : typeof results,
      });
    const eps = results[0].eps;
    const other = results.find((result) => result.eps !== eps);
    if (other)
      throw new ArgumentError('the results of a comparison must share one eps (use result.at(eps))', {
        field: 'results',
        expected: `eps = ${eps}`,
        found: `eps = ${other.eps} for ${other.space.name}`,
      });
    this.results = results;
  }
  get eps(): number {
    return this.results[0].eps;
  }
  /** All results re-evaluated at another eps (no resampling). */
  at(eps: number): InductiveBiasComparison {
    return new InductiveBiasComparison(this.results.map((r) => r.at(eps)));
  }
  /** The result for a space name. */
  get(name: string): InductiveBiasResult {
    const found = this.results.find((r) => r.space.name === name);
    if (!found)
      throw new ArgumentError('no result for this space', {
        field: 'name',
        expected: this.results.map((r) => r.space.name).join(', '),
        found: name,
      });
    return found;
  }
  chartSpec(): Record<string, unknown> {
    return comparisonSpec(
      this.results.map((r) => row(r)),
      this.eps,
      this.results[0].estimate.interval.level,
      `inductive bias on ${this.results[0].task.name}`,
    );
  }
  /** Bars with interval whiskers: what the comparison shows by default. */
  chart(options: ChartOptions = {}): VegaLiteChart {
    return vegaLite(retitled(this.chartSpec(), options));
  }
  /** One row per space: bits, interval, median error and fit diagnostics. */
  table(): ResultTable<InductiveBiasRow> {
    return ResultTable.fromRows(
      this.results.map((r) => r.row()),
      { title: `inductive bias at eps = ${this.eps}`, shown: SHOWN },
    );
  }
  toString(): string {
    const lines = [`inductive bias at eps = ${this.eps} on ${this.results[0].task.name}:`];
    for (const r of this.results)
      lines.push(
        `  ${r.space.name}: ${bitsText(r)} bits, median error ${r.quantile(0.5).toPrecision(4)}${r.trustworthy ? '' : ' (fit NOT trustworthy)'}`,
      );
    return lines.join('\n');
  }
  toJSON(): Record<string, unknown> {
    return { eps: this.eps, results: this.results.map((r) => ({ ...r.toJSON(), errors: undefined })) };
  }
  [mimeBundle](): Promise<MimeBundle> {
    return chartBundle(
      this.chart(),
      { [weightlabMimeType('inductive-bias-comparison')]: this.toJSON() },
      this.toString(),
    );
  }
}

/** Required inductive bias of several hypothesis spaces on one task, same eps, same seed. */
export async function compareInductiveBias(
  task: Task,
  spaces: HypothesisSpace[],
  options: InductiveBiasOptions,
): Promise<InductiveBiasComparison> {
  const resolved = resolveOptions('compareInductiveBias', INDUCTIVE_BIAS_DEFAULTS, options);
  if (!Array.isArray(spaces) || spaces.length === 0)
    throw new ArgumentError('give at least one hypothesis space', { field: 'spaces', found: String(spaces) });
  const results: InductiveBiasResult[] = [];
  for (const space of spaces) results.push(await sampleInductiveBias('compareInductiveBias', task, space, resolved));
  return new InductiveBiasComparison(results);
}

/** Results per (space, dimension). */
export class InductiveBiasByDimension {
  readonly dimensions: number[];
  /** results[s][i]: space s at dimensions[i]. */
  readonly results: InductiveBiasResult[][];
  constructor(dimensions: number[], results: InductiveBiasResult[][]) {
    this.dimensions = dimensions;
    this.results = results;
  }
  get eps(): number {
    return this.results[0][0].eps;
  }
  /** Bits per dimension for space s (default the first). */
  bits(space = 0): number[] {
    return this.results[space].map((r) => r.bits);
  }
  /** Whether space s's interval at each dimension lies strictly above the previous one's. */
  increasing(space = 0): boolean {
    const r = this.results[space];
    return r.every((result, i) => i === 0 || result.interval[0] > r[i - 1].interval[1]);
  }
  at(eps: number): InductiveBiasByDimension {
    return new InductiveBiasByDimension(
      this.dimensions,
      this.results.map((list) => list.map((r) => r.at(eps))),
    );
  }
  chartSpec(): Record<string, unknown> {
    const rows = this.results.flatMap((list) => list.map((r, i) => ({ ...row(r), x: this.dimensions[i] })));
    return dimensionSpec(
      rows,
      this.eps,
      this.results[0][0].estimate.interval.level,
      'required inductive bias against task dimension',
    );
  }
  /** Bits against dimension, one line and interval band per space: what the sweep shows by default. */
  chart(options: ChartOptions = {}): VegaLiteChart {
    return vegaLite(retitled(this.chartSpec(), options));
  }
  /** One row per space and dimension (spaces in order, dimensions ascending within each). */
  table(): ResultTable<InductiveBiasRow> {
    return ResultTable.fromRows(
      this.results.flat().map((r) => r.row()),
      { title: `inductive bias at eps = ${this.eps} by task dimension`, shown: ['dimension', ...SHOWN] },
    );
  }
  toString(): string {
    const lines = [`inductive bias at eps = ${this.eps} by task dimension:`];
    for (const list of this.results)
      lines.push(
        `  ${list[0].space.name}: ${list.map((r, i) => `d=${this.dimensions[i]}: ${bitsText(r)}`).join('; ')}`,
      );
    return lines.join('\n');
  }
  toJSON(): Record<string, unknown> {
    return {
      eps: this.eps,
      dimensions: this.dimensions,
      results: this.results.map((list) => list.map((r) => ({ ...r.toJSON(), errors: undefined }))),
    };
  }
  [mimeBundle](): Promise<MimeBundle> {
    return chartBundle(
      this.chart(),
      { [weightlabMimeType('inductive-bias-by-dimension')]: this.toJSON() },
      this.toString(),
    );
  }
}

/**
 * Sweeps task dimension: `inductiveBiasByDimension((d) => teacherTask({ dimension: d }), [space], [8, 16, 32], { eps })`.
 * Each dimension's task comes from `makeTask(d)`; every space sees the same tasks.
 */
export async function inductiveBiasByDimension(
  makeTask: (dimension: number) => Task,
  spaces: HypothesisSpace[],
  dimensions: number[],
  options: InductiveBiasOptions,
): Promise<InductiveBiasByDimension> {
  const resolved = resolveOptions('inductiveBiasByDimension', INDUCTIVE_BIAS_DEFAULTS, options);
  if (!Array.isArray(dimensions) || dimensions.length === 0 || !dimensions.every((d) => Number.isInteger(d) && d > 0))
    throw new ArgumentError('dimensions must be positive integers', {
      field: 'dimensions',
      found: JSON.stringify(dimensions),
    });
  if (!Array.isArray(spaces) || spaces.length === 0)
    throw new ArgumentError('give at least one hypothesis space', { field: 'spaces', found: String(spaces) });
  const tasks = dimensions.map((d) => makeTask(d));
  const results: InductiveBiasResult[][] = [];
  for (const space of spaces) {
    const list: InductiveBiasResult[] = [];
    for (const task of tasks) list.push(await sampleInductiveBias('inductiveBiasByDimension', task, space, resolved));
    results.push(list);
  }
  return new InductiveBiasByDimension(dimensions, results);
}
