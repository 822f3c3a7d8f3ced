// The phase-diagram view: a grid over two swept hyperparameters, each cell coloured by the
// chosen metric and labelled with its phase, thick lines where the phase changes, a metric
// switcher and a tooltip with every metric of the hovered cell. SVG: grids are small (tens
// of cells a side) and SVG keeps text crisp.

import type { PhaseDiagramPayload } from 'weightlab/dist/manifold/payloads';
import { colorScale, MISSING_COLOR } from './colors';
import { formatValue, html, select, svg } from './dom';

const CELL_MIN = 18;

export class PhaseDiagramView {
  readonly node: HTMLElement;
  private readonly payload: PhaseDiagramPayload;
  private readonly figure: HTMLElement;
  private readonly tooltip: HTMLElement;
  private readonly legend: HTMLElement;
  private metric: string;

  constructor(payload: PhaseDiagramPayload) {
    this.payload = payload;
    this.metric = payload.metric;
    this.tooltip = html('div', { className: 'wl-tooltip', attributes: { role: 'tooltip' } });
    this.tooltip.hidden = true;
    this.figure = html('div', { className: 'wl-plot' });
    this.legend = html('div', { className: 'wl-legend' });
    const metrics = Object.keys(payload.metrics);
    this.node = html('div', { className: 'wl-phase-diagram', dataset: { weightlabCells: String(payload.x.values.length * payload.y.values.length) } },
      html('div', { className: 'wl-title' }, payload.title),
      html('div', { className: 'wl-toolbar' }, select('Metric', metrics, this.metric, (value) => { this.metric = value; this.render(); }, 'metric')),
      this.figure, this.legend);
    this.render();
  }

  private render(): void {
    const { x, y, phases } = this.payload;
    const grid = this.payload.metrics[this.metric];
    const columns = x.values.length, rows = y.values.length;
    const cell = Math.max(CELL_MIN, Math.min(56, Math.floor(520 / Math.max(columns, rows))));
    const left = 70, top = 10, bottom = 46;
    const width = left + columns * cell + 10, height = top + rows * cell + bottom;
    const flat = grid.flat();
    const scale = colorScale(flat, 'quantitative');
    const root = svg('svg', { width, height, viewBox: `0 0 ${width} ${height}`, class: 'wl-svg', role: 'img', 'aria-label': `${this.payload.title}: ${this.metric}` });
    // Row 0 at the bottom, like a plot's y axis.
    const cellX = (c: number) => left + c * cell;
    const cellY = (r: number) => top + (rows - 1 - r) * cell;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < columns; c++) {
        const value = grid[r][c];
        const phase = phases[r][c];
        const rect = svg('rect', { x: cellX(c), y: cellY(r), width: cell, height: cell, fill: value === null ? MISSING_COLOR : scale.colors[r * columns + c], 'data-row': r, 'data-column': c, class: 'wl-cell' });
        rect.addEventListener('pointerenter', (event) => this.showTooltip(r, c, event as PointerEvent));
        rect.addEventListener('pointerleave', () => { this.tooltip.hidden = true; });
        root.appendChild(rect);
        if (phase && cell >= 26) {
          root.appendChild(svg('text', { x: cellX(c) + cell / 2, y: cellY(r) + cell / 2 + 4, 'text-anchor': 'middle', class: 'wl-cell-label' }, phase.slice(0, Math.floor(cell / 7))));
        }
      }
    }
    // Phase boundaries: a thick line between neighbouring cells of different phases.
    const boundary = (x1: number, y1: number, x2: number, y2: number) => root.appendChild(svg('line', { x1, y1, x2, y2, class: 'wl-boundary' }));
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < columns; c++) {
        if (c + 1 < columns && phases[r][c] !== phases[r][c + 1]) boundary(cellX(c + 1), cellY(r), cellX(c + 1), cellY(r) + cell);
        if (r + 1 < rows && phases[r][c] !== phases[r + 1][c]) boundary(cellX(c), cellY(r), cellX(c) + cell, cellY(r));
      }
    }
    const every = Math.ceil(columns / Math.floor((columns * cell) / 44));
    x.values.forEach((value, c) => {
      if (c % every) return;
      root.appendChild(svg('text', { x: cellX(c) + cell / 2, y: top + rows * cell + 14, 'text-anchor': 'middle', class: 'wl-tick' }, formatValue(value)));
    });
    const everyRow = Math.ceil(rows / Math.floor((rows * cell) / 16));
    y.values.forEach((value, r) => {
      if (r % everyRow) return;
      root.appendChild(svg('text', { x: left - 6, y: cellY(r) + cell / 2 + 4, 'text-anchor': 'end', class: 'wl-tick' }, formatValue(value)));
    });
    root.appendChild(svg('text', { x: left + (columns * cell) / 2, y: height - 8, 'text-anchor': 'middle', class: 'wl-axis-label' }, `${x.name}${x.scale === 'log' ? ' (log)' : ''}`));
    root.appendChild(svg('text', { x: 12, y: top + (rows * cell) / 2, 'text-anchor': 'middle', class: 'wl-axis-label', transform: `rotate(-90 12 ${top + (rows * cell) / 2})` }, `${y.name}${y.scale === 'log' ? ' (log)' : ''}`));
    this.figure.replaceChildren(root, this.tooltip);
    this.node.dataset.metric = this.metric;

    const [low, high] = scale.domain as [number, number];
    const ramp = html('span', { className: 'wl-ramp' });
    ramp.style.background = 'linear-gradient(to right, #440154, #3b528b, #21918c, #5ec962, #fde725)';
    const labels = [...new Set(phases.flat().filter((p): p is string => !!p))];
    this.legend.replaceChildren(html('span', { className: 'wl-legend-title' }, scale.logarithmic ? `${this.metric} (log)` : this.metric), html('span', {}, formatValue(low)), ramp, html('span', {}, formatValue(high)),
      ...labels.map((label) => html('span', { className: 'wl-category', dataset: { phase: label } }, label, this.payload.phaseDescriptions?.[label] ? ` (${this.payload.phaseDescriptions[label]})` : '')));
  }

  private showTooltip(r: number, c: number, event: PointerEvent): void {
    const { x, y, metrics, phases } = this.payload;
    this.tooltip.replaceChildren(
      html('div', { className: 'wl-tooltip-title' }, phases[r][c] ?? 'phase unknown'),
      ...[[x.name, x.values[c]], [y.name, y.values[r]]].map(([name, value]) => html('div', { className: 'wl-tooltip-row' }, html('span', { className: 'wl-tooltip-key' }, String(name)), html('span', { className: 'wl-tooltip-value' }, formatValue(value)))),
      html('div', { className: 'wl-tooltip-section' }, 'metrics'),
      ...Object.entries(metrics).map(([name, grid]) => html('div', { className: 'wl-tooltip-row', dataset: { column: name } }, html('span', { className: 'wl-tooltip-key' }, name), html('span', { className: 'wl-tooltip-value' }, formatValue(grid[r][c])))),
    );
    this.tooltip.dataset.cell = `${r},${c}`;
    this.tooltip.hidden = false;
    const box = this.figure.getBoundingClientRect();
    this.tooltip.style.left = `${event.clientX - box.left + 12}px`;
    this.tooltip.style.top = `${event.clientY - box.top + 12}px`;
  }
}
