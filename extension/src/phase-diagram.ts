// The phase-diagram view: a grid over two swept hyperparameters. It opens on the phase map
// (one colour-blind-safe colour per phase, the phase named in every cell that has room, a
// legend of colour swatches naming each phase); the switch recolours the cells by any metric
// on a continuous scale with a colour bar. Thick lines mark where the phase changes in both
// views, and hovering a cell shows every metric. SVG: grids are small (tens of cells a side)
// and SVG keeps text crisp.

import type { PhaseDiagramPayload, SelectionKind, SelectionMessage } from 'weightlab/payloads';
import { SelectionLink } from './selection-link';
import {
  colorScale,
  gradientStops,
  MISSING_COLOR,
  phaseColors,
  phaseOrder,
  readableTextColor,
  scalePosition,
  type ColorScale,
} from './colors';
import { cssVariable, formatValue, html, select, svg, textWidth } from './dom';
import { formatTick, linearTicks, logTicks } from './ticks';

/** The switch's first entry: colour by phase rather than by a metric. */
export const PHASE_MAP = 'phase map';

/** Layout in pixels: cell sizes, the font sizes tried for phase names (largest that fits), the colour bar. */
const LAYOUT = {
  cellMin: 18,
  cellMax: 64,
  gridSpan: 560,
  labelFonts: [14, 13, 12, 11],
  labelPadding: 6,
  tickFont: 11,
  colorBarWidth: 14,
  colorBarGap: 16,
};

/** Distinct ids for the colour bars' gradients (several diagrams share one page). */
let gradients = 0;

/** An axis value as a tick label: round numbers compactly (1e-4, 0.003), anything else as written. */
function axisLabel(value: number | string): string {
  return typeof value === 'number' ? formatTick(value) : String(value);
}

export class PhaseDiagramView {
  readonly node: HTMLElement;
  private readonly payload: PhaseDiagramPayload;
  private readonly figure: HTMLElement;
  private readonly tooltip: HTMLElement;
  private readonly legend: HTMLElement;
  private readonly phases: string[];
  private readonly colors: Map<string, string>;
  /** PHASE_MAP or a metric name. */
  private view = PHASE_MAP;
  /** The clicked cell (its models are the selection the kernel reads), or null. */
  private selected: { row: number; column: number } | null = null;
  private readonly selectionNote: HTMLElement;
  /** The comm to the kernel object this diagram shows (absent: the output carries no view id). */
  private readonly link?: SelectionLink;

  /** `viewId`: the id the displaying kernel knows this diagram by; clicked cells are sent to it. */
  constructor(payload: PhaseDiagramPayload, viewId?: string) {
    this.payload = payload;
    this.phases = phaseOrder(payload.phases.flat());
    this.colors = phaseColors(this.phases, payload.phaseColors);
    this.tooltip = html('div', { className: 'wl-tooltip', attributes: { role: 'tooltip' } });
    this.tooltip.hidden = true;
    this.figure = html('div', { className: 'wl-plot' });
    this.legend = html('div', { className: 'wl-legend' });
    this.selectionNote = html('div', { className: 'wl-selection' });
    const metrics = Object.keys(payload.metrics);
    // The payload's first metric leads the list after the phase map.
    const choices = [
      PHASE_MAP,
      ...[payload.metric, ...metrics.filter((m) => m !== payload.metric)].map((metric) => ({
        value: metric,
        text: this.title(metric),
      })),
    ];
    this.node = html(
      'div',
      {
        className: 'wl-phase-diagram',
        dataset: { weightlabCells: String(payload.x.values.length * payload.y.values.length) },
      },
      html('div', { className: 'wl-title' }, payload.title),
      html(
        'div',
        { className: 'wl-toolbar' },
        select(
          'Colour',
          choices,
          this.view,
          (value) => {
            this.view = value;
            this.render();
          },
          'metric',
        ),
      ),
      this.figure,
      this.legend,
      this.selectionNote,
    );
    if (viewId) this.link = new SelectionLink(this.node, viewId, (message) => this.onKernelSelection(message));
    // A click on a cell (its rectangle or its label) selects it; a click on the selected one clears.
    this.figure.addEventListener('click', (event) => {
      const target = (event.target as Element).closest?.('[data-row][data-column]');
      if (!target) return;
      const row = Number(target.getAttribute('data-row')),
        column = Number(target.getAttribute('data-column'));
      const same = this.selected?.row === row && this.selected?.column === column;
      this.select(same ? null : { row, column }, same ? 'clear' : 'cell');
    });
    this.render();
  }

  /** Opens the selection comm (the renderer calls it once the view is in the page). */
  connect(): void {
    this.link?.connect();
  }

  dispose(): void {
    this.link?.dispose();
  }

  /** A cell a notebook cell selected (diagram.selectCell): shown, not sent back. */
  private onKernelSelection(message: SelectionMessage): void {
    const cell = message.cell ?? null;
    const inside = cell && cell.row < this.payload.y.values.length && cell.column < this.payload.x.values.length;
    this.select(inside ? cell : null);
  }

  /** Shows the selected cell; `kind` (a click here) also tells the kernel. */
  private select(cell: { row: number; column: number } | null, kind?: SelectionKind): void {
    if (kind) this.link?.send({ event: 'selection', kind, cell });
    this.selected = cell;
    this.node.dataset.selectedCell = cell ? `${cell.row},${cell.column}` : '';
    this.selectionNote.textContent = cell
      ? `Selected: ${this.payload.x.name} ${axisLabel(this.payload.x.values[cell.column])}, ` +
        `${this.payload.y.name} ${axisLabel(this.payload.y.values[cell.row])}` +
        `${this.payload.phases[cell.row][cell.column] ? ` (phase ${this.payload.phases[cell.row][cell.column]})` : ''}; click it again to clear`
      : '';
    this.render();
  }

  /** A metric's readable name (the payload's title, else its key). */
  private title(metric: string): string {
    return this.payload.metricDisplay?.[metric]?.title ?? metric;
  }

  private render(): void {
    const { x, y, phases } = this.payload;
    const byPhase = this.view === PHASE_MAP;
    const grid = byPhase ? undefined : this.payload.metrics[this.view];
    const columns = x.values.length,
      rows = y.values.length;
    const cell = Math.max(
      LAYOUT.cellMin,
      Math.min(LAYOUT.cellMax, Math.floor(LAYOUT.gridSpan / Math.max(columns, rows))),
    );
    const fontFamily = cssVariable(this.node, '--jp-ui-font-family', 'sans-serif');
    const tickFont = `${LAYOUT.tickFont}px ${fontFamily}`;
    const xLabels = x.values.map(axisLabel),
      yLabels = y.values.map(axisLabel);
    // Room on the left for the widest y tick label and the rotated axis title.
    const left = Math.ceil(Math.max(...yLabels.map((label) => textWidth(label, tickFont)))) + 34,
      top = 10,
      bottom = 46;
    const display = grid ? (this.payload.metricDisplay?.[this.view] ?? {}) : {};
    const scale = grid
      ? colorScale(grid.flat(), 'quantitative', {
          logarithmic: display.scale === undefined ? undefined : display.scale === 'log',
          divergingAt: display.divergingAt,
        })
      : undefined;
    const [low, high] = (scale?.domain ?? [0, 1]) as [number, number];
    // Powers of ten on a log bar when it spans two or more; round linear values otherwise.
    const decades = scale?.logarithmic ? logTicks(low, high) : [];
    const barTicks = !scale
      ? []
      : decades.length >= 2
        ? decades
        : linearTicks(low, high, Math.max(2, Math.min(6, Math.floor((rows * cell) / 40))));
    const right = scale
      ? LAYOUT.colorBarGap +
        LAYOUT.colorBarWidth +
        8 +
        Math.ceil(Math.max(0, ...barTicks.map((t) => textWidth(formatTick(t), tickFont)))) +
        8
      : 10;
    const width = left + columns * cell + right,
      height = top + rows * cell + bottom;
    const root = svg('svg', {
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      class: 'wl-svg',
      role: 'img',
      'aria-label': `${this.payload.title}: ${byPhase ? 'phases' : this.view}`,
    });
    // Row 0 at the bottom, like a plot's y axis.
    const cellX = (c: number) => left + c * cell;
    const cellY = (r: number) => top + (rows - 1 - r) * cell;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < columns; c++) {
        const phase = phases[r][c];
        const fill = grid
          ? grid[r][c] === null
            ? MISSING_COLOR
            : scale!.colors[r * columns + c]
          : phase
            ? this.colors.get(phase)!
            : MISSING_COLOR;
        const rect = svg('rect', {
          x: cellX(c),
          y: cellY(r),
          width: cell,
          height: cell,
          fill,
          'data-row': r,
          'data-column': c,
          'data-phase': phase ?? '',
          class: 'wl-cell',
        });
        rect.addEventListener('pointerenter', (event) => this.showTooltip(r, c, event as PointerEvent));
        rect.addEventListener('pointerleave', () => {
          this.tooltip.hidden = true;
        });
        root.appendChild(rect);
        if (!phase) continue;
        // The largest font at which the name fits the cell; names that fit none are left to
        // the legend and the tooltip rather than cut.
        const size = LAYOUT.labelFonts.find(
          (px) => textWidth(phase, `600 ${px}px ${fontFamily}`) + LAYOUT.labelPadding <= cell && px + 4 <= cell,
        );
        if (size === undefined) continue;
        root.appendChild(
          svg(
            'text',
            {
              x: cellX(c) + cell / 2,
              y: cellY(r) + cell / 2,
              'text-anchor': 'middle',
              'dominant-baseline': 'central',
              fill: readableTextColor(fill),
              'font-size': size,
              class: 'wl-cell-label',
              'data-row': r,
              'data-column': c,
            },
            phase,
          ),
        );
      }
    }
    // Phase boundaries: a thick line between neighbouring cells of different phases.
    const boundary = (x1: number, y1: number, x2: number, y2: number) =>
      root.appendChild(svg('line', { x1, y1, x2, y2, class: 'wl-boundary' }));
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < columns; c++) {
        if (c + 1 < columns && phases[r][c] !== phases[r][c + 1])
          boundary(cellX(c + 1), cellY(r), cellX(c + 1), cellY(r) + cell);
        if (r + 1 < rows && phases[r][c] !== phases[r + 1][c]) boundary(cellX(c), cellY(r), cellX(c) + cell, cellY(r));
      }
    }
    if (this.selected) {
      root.appendChild(
        svg('rect', {
          x: cellX(this.selected.column) + 1.5,
          y: cellY(this.selected.row) + 1.5,
          width: cell - 3,
          height: cell - 3,
          fill: 'none',
          stroke: cssVariable(this.node, '--jp-ui-font-color0', '#000000'),
          'stroke-width': 3,
          'pointer-events': 'none',
          class: 'wl-cell-selected',
        }),
      );
    }
    // Every k-th tick label, so the widest label never runs into its neighbour.
    const widest = Math.max(...xLabels.map((label) => textWidth(label, tickFont)));
    const every = Math.max(1, Math.ceil((widest + 8) / cell));
    xLabels.forEach((label, c) => {
      if (c % every) return;
      root.appendChild(
        svg(
          'text',
          {
            x: cellX(c) + cell / 2,
            y: top + rows * cell + 15,
            'text-anchor': 'middle',
            class: 'wl-tick',
            'data-axis': 'x',
          },
          label,
        ),
      );
    });
    const everyRow = Math.max(1, Math.ceil((LAYOUT.tickFont + 4) / cell));
    yLabels.forEach((label, r) => {
      if (r % everyRow) return;
      root.appendChild(
        svg(
          'text',
          {
            x: left - 6,
            y: cellY(r) + cell / 2,
            'dominant-baseline': 'central',
            'text-anchor': 'end',
            class: 'wl-tick',
            'data-axis': 'y',
          },
          label,
        ),
      );
    });
    root.appendChild(
      svg(
        'text',
        { x: left + (columns * cell) / 2, y: height - 8, 'text-anchor': 'middle', class: 'wl-axis-label' },
        `${x.name}${x.scale === 'log' ? ' (log)' : ''}`,
      ),
    );
    root.appendChild(
      svg(
        'text',
        {
          x: 14,
          y: top + (rows * cell) / 2,
          'text-anchor': 'middle',
          class: 'wl-axis-label',
          transform: `rotate(-90 14 ${top + (rows * cell) / 2})`,
        },
        `${y.name}${y.scale === 'log' ? ' (log)' : ''}`,
      ),
    );
    if (scale) this.colorBar(root, left + columns * cell + LAYOUT.colorBarGap, top, rows * cell, scale, barTicks);
    this.figure.replaceChildren(root, this.tooltip);
    this.node.dataset.metric = this.view;
    this.node.dataset.view = byPhase ? 'phases' : 'metric';
    this.renderLegend(scale);
  }

  /** A vertical colour bar (low at the bottom) with its tick values, right of the grid. */
  private colorBar(root: SVGElement, x: number, top: number, height: number, scale: ColorScale, ticks: number[]): void {
    const id = `wl-colorbar-${++gradients}`;
    const gradient = svg(
      'linearGradient',
      { id, x1: 0, y1: 1, x2: 0, y2: 0 },
      ...gradientStops(scale).map((stop) => svg('stop', { offset: stop.offset, 'stop-color': stop.color })),
    );
    root.appendChild(svg('defs', {}, gradient));
    const [low, high] = scale.domain as [number, number];
    const kind = scale.logarithmic ? 'log' : scale.divergingAt !== undefined ? 'diverging' : 'linear';
    const bar = svg('g', { class: 'wl-colorbar', 'data-low': low, 'data-high': high, 'data-scale': kind });
    bar.appendChild(
      svg('rect', { x, y: top, width: LAYOUT.colorBarWidth, height, fill: `url(#${id})`, class: 'wl-colorbar-ramp' }),
    );
    // The bar is linear in the value (log10 of it on a log scale); a diverging scale's gradient
    // turns white at its centre value wherever that falls (gradientStops).
    const along = (v: number) => (scale.logarithmic ? scalePosition(scale, v) : (v - low) / (high - low || 1));
    for (const tick of ticks) {
      const ty = top + (1 - along(tick)) * height;
      bar.appendChild(
        svg('line', {
          x1: x + LAYOUT.colorBarWidth,
          x2: x + LAYOUT.colorBarWidth + 4,
          y1: ty,
          y2: ty,
          class: 'wl-tick-mark',
        }),
      );
      bar.appendChild(
        svg(
          'text',
          {
            x: x + LAYOUT.colorBarWidth + 7,
            y: ty,
            'dominant-baseline': 'central',
            class: 'wl-tick',
            'data-value': tick,
          },
          formatTick(tick),
        ),
      );
    }
    root.appendChild(bar);
  }

  private renderLegend(scale?: ColorScale): void {
    if (scale) {
      const how = scale.logarithmic
        ? ' (log colour scale)'
        : scale.divergingAt !== undefined
          ? ` (white at ${formatTick(scale.divergingAt)})`
          : '';
      this.legend.replaceChildren(
        html('span', { className: 'wl-legend-title' }, `${this.title(this.view)}${how}`),
        html('span', { className: 'wl-hint' }, 'cells named by phase; thick lines: phase boundaries; grey: not run'),
      );
      return;
    }
    const item = (label: string, color: string, description?: string) => {
      const swatch = html('span', { className: 'wl-swatch wl-swatch-square', dataset: { color } });
      swatch.style.background = color;
      return html(
        'span',
        { className: 'wl-category', dataset: { phase: label } },
        swatch,
        html('span', { className: 'wl-category-name' }, label),
        description ? html('span', { className: 'wl-category-description' }, description) : null,
      );
    };
    const unknown = this.payload.phases.some((row) => row.some((p) => !p));
    this.legend.replaceChildren(
      html('span', { className: 'wl-legend-title' }, 'phase'),
      ...this.phases.map((label) => item(label, this.colors.get(label)!, this.payload.phaseDescriptions?.[label])),
      ...(unknown ? [item('unknown', MISSING_COLOR, 'not run or not classified')] : []),
    );
  }

  private showTooltip(r: number, c: number, event: PointerEvent): void {
    const { x, y, metrics, phases } = this.payload;
    const phase = phases[r][c];
    this.tooltip.replaceChildren(
      html('div', { className: 'wl-tooltip-title' }, phase ?? 'phase unknown'),
      ...(phase && this.payload.phaseDescriptions?.[phase]
        ? [html('div', { className: 'wl-tooltip-description' }, this.payload.phaseDescriptions[phase])]
        : []),
      ...[
        [x.name, x.values[c]],
        [y.name, y.values[r]],
      ].map(([name, value]) =>
        html(
          'div',
          { className: 'wl-tooltip-row' },
          html('span', { className: 'wl-tooltip-key' }, String(name)),
          html('span', { className: 'wl-tooltip-value' }, formatValue(value)),
        ),
      ),
      html('div', { className: 'wl-tooltip-section' }, 'metrics'),
      ...Object.entries(metrics).map(([name, grid]) =>
        html(
          'div',
          { className: 'wl-tooltip-row', dataset: { column: name } },
          html('span', { className: 'wl-tooltip-key' }, name),
          html('span', { className: 'wl-tooltip-value' }, formatValue(grid[r][c])),
        ),
      ),
    );
    this.tooltip.dataset.cell = `${r},${c}`;
    this.tooltip.hidden = false;
    const box = this.figure.getBoundingClientRect();
    this.tooltip.style.left = `${event.clientX - box.left + 12}px`;
    this.tooltip.style.top = `${event.clientY - box.top + 12}px`;
  }
}
