// The per-cell metric table of a zoo's phase analysis (one row per grid cell, metrics
// aggregated over the cell's seeds and seed pairs, under PTMZ's key names), and its display.

import { mimeBundle, type MimeBundle } from '../display/protocol';
import { escapeHtml, htmlTable } from '../display/builders';

export interface PhaseRow {
  /** The cell's coordinates: each swept axis (PTMZ key) -> value, seed excluded. */
  cell: Record<string, number>;
  /** Models of the cell that entered the metrics (readable checkpoint, finite loss). */
  models: string[];
  /** Mean over models: final-epoch train/test loss and accuracy (accuracy in [0, 1]). */
  train_loss: number | null;
  train_acc: number | null;
  test_loss: number | null;
  test_acc: number | null;
  /** PINN zoos (no accuracies): mean over models of the relative L2 error against the exact solution. */
  relative_l2_error?: number | null;
  /** Mean over models of PyHessian's top eigenvalue / Hutchinson trace, and their natural logs (PTMZ plots the log of the mean). */
  hessian_top_ev: number | null;
  hessian_trace: number | null;
  log_hessian_top_ev: number | null;
  log_hessian_trace: number | null;
  /** Mean over seed pairs of the Bezier-curve mc (Yang/PTMZ sign: < 0 barrier) on train/test error in percentage points, and on train loss. */
  curve_mc_train_error: number | null;
  curve_mc_test_error: number | null;
  curve_mc_train_loss: number | null;
  /** Mean over seed pairs of the Git Re-Basin linear barrier on train loss (> 0: barrier). */
  linear_barrier_train_loss: number | null;
  /** Mean over seed pairs of linear CKA of the test-set representation (the logits unless phaseMetrics' ckaLayer says otherwise). */
  representation_similarity: number | null;
  /** Mean over seed pairs of |theta_a - theta_b|_2. */
  l2_distance: number | null;
  /** True when a model of the cell has a NaN or infinite loss (it is left out of the means). */
  nan: boolean;
  /** Phase label once classified ('I', 'II', 'III', 'IV-A', 'IV-B'), with the rule that fired. */
  phase?: string | null;
  phaseReason?: string;
}

export interface ModelProblem {
  model: string;
  problem: string;
}

export const METRIC_COLUMNS = [
  'train_loss', 'train_acc', 'test_loss', 'test_acc', 'hessian_top_ev', 'hessian_trace', 'log_hessian_top_ev', 'log_hessian_trace',
  'curve_mc_train_error', 'curve_mc_test_error', 'curve_mc_train_loss', 'linear_barrier_train_loss', 'representation_similarity', 'l2_distance',
  'relative_l2_error',
] as const;
export type MetricColumn = typeof METRIC_COLUMNS[number];

export class PhaseTable {
  constructor(
    readonly rows: PhaseRow[],
    /** The load-like axis (default 'model::width') and the temperature-like one (default 'training::batchsize'). */
    readonly axes: { load: string; temperature: string },
    /** Models reported and skipped (missing or corrupt checkpoint, NaN loss), per model. */
    readonly problems: ModelProblem[] = [],
    /** Options the metrics were computed with. */
    readonly options: Record<string, unknown> = {},
    /** Thresholds resolved by classifyPhases, when classified. */
    readonly thresholds?: Record<string, number>,
  ) {}

  /** Distinct phase labels present (after classification). */
  get phases(): string[] {
    return [...new Set(this.rows.map((row) => row.phase).filter((p): p is string => typeof p === 'string'))].sort();
  }

  /** Plain objects with the cell coordinates flattened (for arquero: aq.from(table.records())). */
  records(): Record<string, unknown>[] {
    return this.rows.map(({ cell, models, ...rest }) => ({ ...cell, models: models.length, ...rest }));
  }

  /** The columns shown by toString() and the HTML table: header and formatted cells. */
  private displayed(): { header: string[]; lines: string[][] } {
    // A PINN zoo has no accuracies: its column is the relative L2 error against the exact solution.
    const pinn = this.rows.some((r) => r.relative_l2_error !== undefined);
    const header = [this.axes.load, this.axes.temperature, 'n', 'train_loss', pinn ? 'rel_l2' : 'test_acc', 'log_top_ev', 'log_trace', 'mc_err', 'cka', 'phase'];
    const fmt = (v: number | null | undefined, digits = 3) => (v === null || v === undefined || Number.isNaN(v) ? '-' : v.toFixed(digits));
    const lines = this.rows.map((r) => [String(r.cell[this.axes.load]), String(r.cell[this.axes.temperature]), String(r.models.length), fmt(r.train_loss), fmt(pinn ? r.relative_l2_error : r.test_acc),
      fmt(r.log_hessian_top_ev, 2), fmt(r.log_hessian_trace, 2), fmt(r.curve_mc_train_error, 2), fmt(r.representation_similarity), r.phase ?? '-']);
    return { header, lines };
  }

  private title(): string {
    return `PhaseTable(${this.rows.length} cells${this.phases.length ? `, phases ${this.phases.join(' ')}` : ''})`;
  }

  private problemLines(): string[] {
    return this.problems.length ? [`${this.problems.length} model problem(s):`, ...this.problems.slice(0, 10).map((p) => `  ${p.model}: ${p.problem}`)] : [];
  }

  toString(): string {
    const { header, lines } = this.displayed();
    const widths = header.map((h, c) => Math.max(h.length, ...lines.map((l) => l[c].length)));
    const row = (cells: string[]) => cells.map((cell, c) => cell.padStart(widths[c])).join('  ');
    return [this.title(), row(header), ...lines.map(row), ...this.problemLines()].join('\n');
  }

  [mimeBundle](): MimeBundle {
    const { header, lines } = this.displayed();
    const problems = this.problemLines();
    const after = problems.length ? `<pre>${escapeHtml(problems.join('\n'))}</pre>` : '';
    return { data: { 'text/plain': this.toString(), 'text/html': htmlTable(header, lines, { caption: this.title(), className: 'weightlab-table weightlab-phase-table', after }) } };
  }
}
