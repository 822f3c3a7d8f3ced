// The per-cell metric table of a zoo's phase analysis (one row per grid cell, metrics
// aggregated over the cell's seeds and seed pairs, under PTMZ's metric names), a ResultTable
// like every tabular result, and its display.

import { mimeBundle, type MimeBundle } from '../display/protocol';
import { escapeHtml } from '../display/builders';
import { arqueroFromRows, ResultTable, type CellValue } from '../table/result-table';

export interface PhaseRow {
  /** Grid coordinates of the cell: one column per swept axis (width, batch_size, learning_rate, ...; seed excluded). */
  width?: number;
  depth?: number;
  batch_size?: number;
  learning_rate?: number;
  weight_decay?: number;
  data_fraction?: number;
  label_noise?: number;
  beta?: number;
  /** Models of the cell that entered the metrics (readable checkpoint, finite loss), by id. */
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
  /**
   * The Student-t interval (95 %) of the mean curve_mc_train_error over the cell's seed pairs;
   * null with fewer than two pairs (absent in tables built before phaseMetrics recorded it).
   */
  curve_mc_train_error_lower?: number | null;
  curve_mc_train_error_upper?: number | null;
  /**
   * Train error of the trivial predictor on the cell's data: the majority class's error for a
   * classifier, 1 (the zero prediction's relative L2 error) for a regression or PINN; the scale of
   * classifyPhases' underfit line.
   */
  trivial_error?: number | null;
  /** Mean over seed pairs of the Git Re-Basin linear barrier on train loss (> 0: barrier). */
  linear_barrier_train_loss: number | null;
  /** Mean over seed pairs of linear CKA of the test-set representation (the logits unless phaseMetrics' ckaLayer says otherwise). */
  representation_similarity: number | null;
  /** Mean over seed pairs of |theta_a - theta_b|_2. */
  l2_distance: number | null;
  /** True when a model of the cell has a NaN or infinite loss (it is left out of the means). */
  nan: boolean;
  /** Phase label once classified ('I', 'II', 'III', 'IV-A', 'IV-B'; null when the metrics cannot decide). */
  phase?: string | null;
  /** Why classifyPhases chose that label: the rule that fired and the numbers it read. */
  phase_reason?: string;
  /** Axes of zoos whose swept hyperparameters are not zoo axes (ray-tune zoos), under their own names. */
  [axis: string]: CellValue;
}

export interface ModelProblem {
  model: string;
  problem: string;
}

export const METRIC_COLUMNS = [
  'train_loss',
  'train_acc',
  'test_loss',
  'test_acc',
  'hessian_top_ev',
  'hessian_trace',
  'log_hessian_top_ev',
  'log_hessian_trace',
  'curve_mc_train_error',
  'curve_mc_test_error',
  'curve_mc_train_loss',
  'linear_barrier_train_loss',
  'representation_similarity',
  'l2_distance',
  'relative_l2_error',
  'curve_mc_train_error_lower',
  'curve_mc_train_error_upper',
  'trivial_error',
] as const;
export type MetricColumn = (typeof METRIC_COLUMNS)[number];

/** The load-like and temperature-like axes of a phase table (column names). */
export interface PhaseAxes {
  load: string;
  temperature: string;
}

/**
 * The phase metrics of a zoo: a ResultTable of PhaseRow (one row per grid cell, sorted by load
 * then temperature) that also keeps the axes it is drawn over, the model problems met, the
 * settings the metrics were computed with and, once classified, the thresholds. `filter` and
 * `orderby` keep all of that; the other verbs return a plain ResultTable.
 */
export class PhaseTable extends ResultTable<PhaseRow> {
  constructor(
    rows: readonly PhaseRow[],
    /** The load-like axis (default 'width') and the temperature-like one (default 'batch_size'). */
    readonly axes: PhaseAxes,
    /** Models reported and skipped (missing or corrupt checkpoint, NaN loss), per model. */
    readonly problems: readonly ModelProblem[] = [],
    /** Options the metrics were computed with. */
    readonly settings: Readonly<Record<string, unknown>> = {},
    /** Thresholds resolved by classifyPhases, when classified. */
    readonly thresholds?: Readonly<Record<string, number>>,
  ) {
    const pinn = rows.some((r) => r.relative_l2_error !== undefined);
    const classified = rows.some((r) => r.phase !== undefined);
    super(arqueroFromRows(rows, [axes.load, axes.temperature]), {
      title: `PhaseTable(${rows.length} cells${classified ? `, phases ${distinctPhases(rows).join(' ')}` : ''})`,
      shown: [
        axes.load,
        axes.temperature,
        'train_loss',
        pinn ? 'relative_l2_error' : 'test_acc',
        'log_hessian_top_ev',
        'log_hessian_trace',
        'curve_mc_train_error',
        'representation_similarity',
        ...(classified ? ['phase'] : []),
      ],
      displayRows: 100,
    });
  }

  /** Distinct phase labels present (after classification). */
  get phases(): string[] {
    return distinctPhases(this.rows());
  }

  /** The same table with other rows (axes, problems, settings and thresholds kept). */
  withCells(rows: readonly PhaseRow[]): PhaseTable {
    return new PhaseTable(rows, this.axes, this.problems, this.settings, this.thresholds);
  }

  override filter(predicate: (row: PhaseRow, index: number) => boolean): PhaseTable {
    return this.withCells(super.filter(predicate).rows());
  }

  override orderby(...keys: Parameters<ResultTable<PhaseRow>['orderby']>): PhaseTable {
    return this.withCells(super.orderby(...keys).rows());
  }

  private problemLines(): string[] {
    return this.problems.length
      ? [
          `${this.problems.length} model problem(s):`,
          ...this.problems.slice(0, 10).map((p) => `  ${p.model}: ${p.problem}`),
        ]
      : [];
  }

  override toString(): string {
    return [super.toString(), ...this.problemLines()].join('\n');
  }

  override [mimeBundle](): MimeBundle {
    const { data } = super[mimeBundle]() as MimeBundle;
    const problems = this.problemLines();
    const after = problems.length ? `<pre>${escapeHtml(problems.join('\n'))}</pre>` : '';
    return {
      data: {
        ...data,
        'text/html': `<div class="weightlab-phase-table">${String(data['text/html'])}${after}</div>`,
        'text/plain': this.toString(),
      },
    };
  }
}

function distinctPhases(rows: readonly PhaseRow[]): string[] {
  return [...new Set(rows.map((row) => row.phase).filter((p): p is string => typeof p === 'string'))].sort();
}
