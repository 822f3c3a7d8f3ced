// phaseDiagram(table): the phase map of a zoo over (temperature x load) plus one heatmap per
// metric, as a bundle for every front end: the weightlab extension's phase-diagram.v1 payload
// (lib/src/display/payloads.ts), Vega-Lite v5 (JupyterLab, VS Code), SVG (everything else)
// and text. Diverging colour scales are centred where PTMZ centres them: 0 for mc, 1 for CKA.

import { mimeBundle, VEGA_LITE_MIME, type MimeBundle } from '../display/protocol';
import { renderSvg, type VegaLiteSpec } from '../display/vega-lite';
import {
  PayloadError,
  PHASE_COLORS,
  PHASE_DIAGRAM_MIME,
  type MetricDisplay,
  type PhaseDiagramPayload,
  type SelectionMessage,
} from '../display/payloads';
import { ViewSelection } from '../display/selection';
import { ArgumentError } from '../errors';
import { classifyPhases, PHASE_DESCRIPTIONS } from './classify';
import type { PhaseTable, PhaseRow, MetricColumn } from './table';

/** Metrics shown, with their titles and colour scales. */
type Panel = { metric: MetricColumn; title: string; scale: Record<string, unknown> };

const PANELS: Panel[] = [
  { metric: 'train_loss', title: 'train loss', scale: { scheme: 'viridis', type: 'log' } },
  { metric: 'test_acc', title: 'test accuracy', scale: { scheme: 'viridis' } },
  { metric: 'log_hessian_top_ev', title: 'log Hessian top eigenvalue', scale: { scheme: 'magma' } },
  { metric: 'log_hessian_trace', title: 'log Hessian trace', scale: { scheme: 'magma' } },
  {
    metric: 'curve_mc_train_error',
    title: 'mc, train error (pp; < 0 barrier)',
    scale: { scheme: 'redblue', domainMid: 0 },
  },
  { metric: 'representation_similarity', title: 'CKA of logits', scale: { scheme: 'redblue', domainMid: 1 } },
  { metric: 'linear_barrier_train_loss', title: 'linear barrier, train loss', scale: { scheme: 'reds' } },
  { metric: 'l2_distance', title: 'L2 distance between seeds', scale: { scheme: 'blues' } },
];

/** The panels of a table: a PINN zoo shows its relative L2 error where classifiers show test accuracy. */
function panelsOf(table: PhaseTable): Panel[] {
  if (!table.columnNames().includes('relative_l2_error')) return PANELS;
  return PANELS.map((panel) =>
    panel.metric === 'test_acc'
      ? { metric: 'relative_l2_error', title: 'relative L2 error', scale: { scheme: 'viridis', type: 'log' } }
      : panel,
  );
}

/** Axis titles in words (a column name that is not a zoo axis is shown as it is). */
const LABELS: Record<string, string> = {
  width: 'width',
  beta: 'beta',
  batch_size: 'batch size',
  learning_rate: 'learning rate',
  weight_decay: 'weight decay',
  data_fraction: 'data fraction',
  label_noise: 'label noise',
  depth: 'depth',
};

export class PhaseDiagram {
  readonly table: PhaseTable;
  /** The table's rows, read once. */
  private readonly cells: PhaseRow[];

  /** The cell a live view (a click) or selectCell() selected: its models are the selection. */
  private readonly selectionState = new ViewSelection((message) => this.cellModels(message));
  private selected: { row: number; column: number } | null = null;

  constructor(table: PhaseTable) {
    this.table = table.columnNames().includes('phase') ? table : classifyPhases(table);
    this.cells = this.table.rows();
  }

  /**
   * The ids of the models of the cell clicked in the displayed diagram (or chosen by
   * selectCell()), as of when the cell reading it runs; [] before any selection.
   */
  get selection(): string[] {
    return this.selectionState.current;
  }

  /** The selected cell as its axis values (e.g. { batch_size: 16, data_fraction: 1 }), or null. */
  get selectedCell(): Record<string, number> | null {
    if (!this.selected) return null;
    const { load, temperature } = this.table.axes;
    return {
      [temperature]: this.values(temperature)[this.selected.column],
      [load]: this.values(load)[this.selected.row],
    };
  }

  /** Resolves with the models of the next cell selected in a live view of this diagram (or by selectCell()). */
  nextSelection(): Promise<string[]> {
    return this.selectionState.next();
  }

  /**
   * Selects a cell from a notebook cell, by its axis values (`{ [temperature]: x, [load]: y }`,
   * the table's axes), or clears with null; every live view shows it. Returns its models.
   */
  selectCell(cell: Record<string, number> | null): string[] {
    if (cell === null) return this.selectionState.select({ event: 'selection', kind: 'clear', cell: null });
    const { load, temperature } = this.table.axes;
    const position = (axis: string) => {
      const values = this.values(axis);
      const index = values.indexOf(cell[axis]);
      if (index < 0)
        throw new ArgumentError('selectCell: no such grid value', {
          field: axis,
          expected: `one of ${values.join(', ')}`,
          found: JSON.stringify(cell[axis]),
        });
      return index;
    };
    const extra = Object.keys(cell).filter((key) => key !== load && key !== temperature);
    if (extra.length > 0)
      throw new ArgumentError('selectCell: a cell is named by the two axes of the diagram', {
        field: extra[0],
        expected: `${temperature} and ${load}`,
        found: Object.keys(cell).join(', '),
      });
    return this.selectionState.select({
      event: 'selection',
      kind: 'script',
      cell: { row: position(load), column: position(temperature) },
    });
  }

  /** The models of a selection message's cell (a position off the grid is a PayloadError: the message is dropped). */
  private cellModels(message: SelectionMessage): string[] {
    if (message.cell === undefined)
      throw new PayloadError('$.cell', 'a phase-diagram selection names a cell { row, column } or null');
    if (message.cell === null) {
      this.selected = null;
      return [];
    }
    const { load, temperature } = this.table.axes;
    const ys = this.values(load);
    const xs = this.values(temperature);
    const { row, column } = message.cell;
    if (row >= ys.length) throw new PayloadError('$.cell.row', `expected a row below ${ys.length}, found ${row}`);
    if (column >= xs.length)
      throw new PayloadError('$.cell.column', `expected a column below ${xs.length}, found ${column}`);
    this.selected = { row, column };
    const found = this.cells.find((r) => r[load] === ys[row] && r[temperature] === xs[column]);
    return found ? [...found.models] : [];
  }

  private values(axis: string): number[] {
    return [...new Set(this.cells.map((r) => r[axis] as number))].sort((a, b) => a - b);
  }

  /** The application/vnd.weightlab.phase-diagram.v1+json payload: rows = load values, columns = temperature values. */
  payload(): PhaseDiagramPayload {
    const { load, temperature } = this.table.axes;
    const ys = this.values(load);
    const xs = this.values(temperature);
    const find = (y: number, x: number) => this.cells.find((r) => r[load] === y && r[temperature] === x);
    const metrics: Record<string, (number | null)[][]> = {};
    for (const { metric } of panelsOf(this.table))
      metrics[metric] = ys.map((y) =>
        xs.map((x) => {
          const v = find(y, x)?.[metric];
          return typeof v === 'number' && Number.isFinite(v) ? v : null;
        }),
      );
    const positive = (values: number[]) => values.every((v) => v > 0);
    return {
      version: 1,
      title: 'Loss-landscape phases',
      x: { name: LABELS[temperature] ?? temperature, values: xs, scale: positive(xs) ? 'log' : 'linear' },
      y: { name: LABELS[load] ?? load, values: ys, scale: positive(ys) ? 'log' : 'linear' },
      metrics,
      metric: 'curve_mc_train_error',
      phases: ys.map((y) => xs.map((x) => find(y, x)?.phase ?? null)),
      phaseDescriptions: PHASE_DESCRIPTIONS,
      phaseColors: { ...PHASE_COLORS },
      // The same titles and scales as the Vega-Lite panels (log loss, mc diverging at 0, CKA at 1).
      metricDisplay: Object.fromEntries(
        panelsOf(this.table).map(({ metric, title, scale }): [string, MetricDisplay] => [
          metric,
          {
            title,
            scale: scale.type === 'log' ? 'log' : 'linear',
            ...(typeof scale.domainMid === 'number' ? { divergingAt: scale.domainMid } : {}),
          },
        ]),
      ),
    };
  }

  /** Vega-Lite v5: the phase map then one heatmap per metric, in a grid of 3 columns. */
  spec(): VegaLiteSpec {
    const { load, temperature } = this.table.axes;
    const values = this.cells.map((r) => ({
      load: r[load],
      temperature: r[temperature],
      phase: r.phase ?? 'unknown',
      ...Object.fromEntries(panelsOf(this.table).map(({ metric }) => [metric, r[metric]])),
    }));
    const x = { field: 'temperature', type: 'ordinal', title: LABELS[temperature] ?? temperature, sort: 'ascending' };
    const y = { field: 'load', type: 'ordinal', title: LABELS[load] ?? load, sort: 'descending' };
    const phases = [...new Set(values.map((v) => v.phase))].sort();
    const phasePanel = {
      title: 'phase',
      layer: [
        {
          mark: 'rect',
          encoding: {
            x,
            y,
            color: {
              field: 'phase',
              type: 'nominal',
              scale: { domain: phases, range: phases.map((p) => PHASE_COLORS[p] ?? '#cccccc') },
            },
          },
        },
        { mark: { type: 'text', fontSize: 10 }, encoding: { x, y, text: { field: 'phase' } } },
      ],
    };
    const panels = panelsOf(this.table).map(({ metric, title, scale }) => ({
      title,
      transform: [{ filter: `isValid(datum['${metric}']) && isFinite(datum['${metric}'])` }],
      mark: 'rect',
      encoding: {
        x,
        y,
        color: { field: metric, type: 'quantitative', title: null, scale },
        tooltip: [{ field: metric, type: 'quantitative', format: '.3f' }, { field: 'phase' }],
      },
    }));
    return {
      title: 'Loss-landscape phases',
      data: { values },
      concat: [phasePanel, ...panels],
      columns: 3,
      resolve: { scale: { color: 'independent' } },
      config: { view: { step: 18 }, axis: { labelFontSize: 9, titleFontSize: 10 } },
    };
  }

  toString(): string {
    const { load, temperature } = this.table.axes;
    const ys = this.values(load).reverse();
    const xs = this.values(temperature);
    const cellText = (y: number, x: number) =>
      this.cells.find((r) => r[load] === y && r[temperature] === x)?.phase ?? '-';
    const width = 5;
    const lines = [
      `Phase diagram (rows: ${LABELS[load] ?? load}, columns: ${LABELS[temperature] ?? temperature})`,
      `${''.padStart(6)}${xs.map((x) => String(x).padStart(width)).join('')}`,
      ...ys.map((y) => `${String(y).padStart(6)}${xs.map((x) => cellText(y, x).padStart(width)).join('')}`),
      `phases: ${this.table.phases.map((p) => `${p} = ${PHASE_DESCRIPTIONS[p]}`).join('; ')}`,
    ];
    return lines.join('\n');
  }

  async [mimeBundle](): Promise<MimeBundle> {
    const spec = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', ...this.spec() };
    return {
      data: {
        [PHASE_DIAGRAM_MIME]: this.payload(),
        [VEGA_LITE_MIME]: spec,
        'image/svg+xml': await renderSvg(spec),
        'text/plain': this.toString(),
      },
      metadata: { [PHASE_DIAGRAM_MIME]: this.selectionState.metadata() },
    };
  }
}

/** The displayable phase diagram of a (classified or not) phase table. */
export function phaseDiagram(table: PhaseTable): PhaseDiagram {
  return new PhaseDiagram(table);
}
