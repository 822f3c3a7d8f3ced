// The interactive weight-manifold view: a canvas scatter of models (2-D with value ticks and
// axis titles, or 3-D with drag to rotate and an orientation triad) with zoom and pan that
// always keep some data in view, a tooltip with the hovered model's hyperparameters and metrics,
// colour-by and size-by switchers over every table column, shift-drag box selection and
// alt-shift-drag lasso selection listing the selected models, and training trajectories as
// lines. Canvas rather than SVG for the points because a zoo of 10,000 models must redraw
// within a frame while rotating; the axes are an SVG layer over it (crisp text, and tests and
// screen readers can read the tick values).

import type { ManifoldPayload, SelectionKind, SelectionMessage, TableValue } from 'weightlab/payloads';
import { SelectionLink } from '../selection-link';
import { colorScale, phaseScale, type ColorScale } from '../colors';
import { cssVariable, formatValue, html, select, svg, textWidth } from '../dom';
import { formatTick, linearTicks } from '../ticks';
import { LassoOverlay, pointsInsideOutline } from './lasso';
import {
  dataCoordinate,
  initialCamera,
  normalisation,
  plotArea,
  projectPoint,
  rotate,
  screenCoordinate,
  ZOOM_LIMITS,
  type Aspect,
  type Camera,
  type Margins,
  type Normalisation,
  type Viewport,
} from './camera';

const NONE = '(none)';
const HOVER_RADIUS = 10;
/** A pointer that moves at most this many pixels between press and release clicked (selects a point) rather than dragged. */
const CLICK_SLOP = 3;
const SELECTION_LIST_LIMIT = 200;
/** Depth slabs of the 3-D painter's order. */
const DEPTH_SLABS = 24;
/** Room around the plot frame: tick labels and axis titles in 2-D, a thin border in 3-D. */
const MARGINS: Record<2 | 3, Margins> = {
  2: { left: 64, right: 14, top: 10, bottom: 44 },
  3: { left: 8, right: 8, top: 8, bottom: 8 },
};
/** Pixels between the data's extent and the frame at zoom 1 (points are drawn whole). */
const PADDING = 14;
/** Zoom and pan stop where fewer than this many pixels of the frame's inside would still hold a point. */
const KEEP_VISIBLE = 16;
/** The 3-D orientation triad: arm length, distance of its origin from the frame's corner, label font size. */
const TRIAD = { arm: 30, inset: 52, font: 11, gap: 4, fadeBelow: 0.35 };

/** What tests and automation can ask a rendered view (exposed as `node.weightlabManifold`). */
export interface ManifoldProbe {
  /** Client (page) coordinates of point `index`'s centre. */
  clientPosition(index: number): [number, number];
  /** The fill colour of point `index`. */
  color(index: number): string;
  /** The plot frame in client (page) coordinates. */
  plotArea(): { left: number; top: number; right: number; bottom: number };
  /** Milliseconds the last full redraw took. */
  lastDrawMs(): number;
  /** Redraws synchronously; returns the milliseconds it took. */
  redraw(): number;
}

export class ManifoldView {
  readonly node: HTMLElement;
  private readonly payload: ManifoldPayload;
  private readonly canvas: HTMLCanvasElement;
  /** Frame, ticks, axis titles (2-D) or the orientation triad (3-D), over the canvas. */
  private readonly axes: SVGElement;
  private readonly plot: HTMLElement;
  private readonly tooltip: HTMLElement;
  private readonly band: HTMLElement;
  private readonly lasso = new LassoOverlay();
  private readonly legend: HTMLElement;
  private readonly selectionPanel: HTMLElement;
  private norm!: Normalisation;
  private camera: Camera = initialCamera();
  private dimensions: 2 | 3;
  private colorBy: string;
  private sizeBy: string;
  private showTrajectories = true;
  /** 'fill' (each axis fills its side of the plot) or 'equal' (one scale for every axis); see camera.ts. */
  private aspect: Aspect;
  private scale!: ColorScale;
  private radii!: Float64Array;
  private screen: Float64Array;
  private trajectoryScreen: Float64Array[];
  private viewport: Viewport = { width: 640, height: 420, margins: MARGINS[2], padding: PADDING, isotropic: false };
  private hovered = -1;
  private selected = new Set<number>();
  private frame = 0;
  private drawMs = 0;
  private readonly resizeObserver?: ResizeObserver;
  /** The comm to the kernel object this view shows (absent: the output carries no view id). */
  private readonly link?: SelectionLink;

  /** `viewId`: the id the displaying kernel knows this view by; selections are sent to it. */
  constructor(payload: ManifoldPayload, viewId?: string) {
    this.payload = payload;
    this.dimensions = payload.dimensions;
    this.aspect = payload.aspect ?? 'fill';
    const columns = payload.table.columns;
    this.colorBy =
      payload.colorBy ?? columns.find((c) => c.role === 'metric' && c.type === 'quantitative')?.name ?? NONE;
    this.sizeBy = payload.sizeBy ?? NONE;
    this.normalise();
    this.screen = new Float64Array(payload.points.length * 3);
    this.trajectoryScreen = payload.trajectories.map((t) => new Float64Array(t.points.length * 3));

    this.canvas = html('canvas', {
      className: 'wl-canvas',
      attributes: { role: 'img', 'aria-label': `${payload.title}: ${payload.points.length} models` },
    });
    this.tooltip = html('div', { className: 'wl-tooltip', attributes: { role: 'tooltip' } });
    this.tooltip.hidden = true;
    this.band = html('div', { className: 'wl-band' });
    this.band.hidden = true;
    this.axes = svg('svg', { class: 'wl-axes', 'aria-hidden': 'true' });
    this.plot = html('div', { className: 'wl-plot' }, this.canvas, this.axes, this.band, this.lasso.node, this.tooltip);
    this.legend = html('div', { className: 'wl-legend' });
    this.selectionPanel = html('div', { className: 'wl-selection' });
    this.node = html(
      'div',
      {
        className: 'wl-manifold',
        dataset: {
          weightlabPoints: String(payload.points.length),
          method: payload.method,
          trajectories: String(payload.trajectories.length),
        },
      },
      html('div', { className: 'wl-title' }, payload.title),
      this.toolbar(),
      this.plot,
      this.legend,
      this.selectionPanel,
    );

    if (viewId) this.link = new SelectionLink(this.node, viewId, (message) => this.onKernelSelection(message));
    if (payload.dimensions === 3) this.node.dataset.view = '3-D';
    this.node.dataset.aspect = this.aspect;
    this.applyEncodings();
    this.attachPointerHandlers();
    const probe: ManifoldProbe = {
      clientPosition: (index) => {
        const box = this.canvas.getBoundingClientRect();
        return [box.left + this.screen[3 * index], box.top + this.screen[3 * index + 1]];
      },
      color: (index) => this.scale.colors[index],
      plotArea: () => {
        const box = this.canvas.getBoundingClientRect();
        const area = plotArea(this.viewport);
        return {
          left: box.left + area.left,
          top: box.top + area.top,
          right: box.left + area.right,
          bottom: box.top + area.bottom,
        };
      },
      lastDrawMs: () => this.drawMs,
      redraw: () => {
        this.draw();
        return this.drawMs;
      },
    };
    Object.defineProperty(this.node, 'weightlabManifold', { value: probe });
    if (typeof ResizeObserver !== 'undefined') {
      this.resizeObserver = new ResizeObserver(() => this.resize());
      this.resizeObserver.observe(this.plot);
    }
    this.resize();
  }

  /** Opens the selection comm (the renderer calls it once the view is in the page). */
  connect(): void {
    this.link?.connect();
  }

  /** A selection a cell made (view.select): shown, not sent back. */
  private onKernelSelection(message: SelectionMessage): void {
    const count = this.payload.points.length;
    this.setSelection((message.indices ?? []).filter((index) => index < count));
  }

  dispose(): void {
    this.link?.dispose();
    this.resizeObserver?.disconnect();
    cancelAnimationFrame(this.frame);
  }

  private toolbar(): HTMLElement {
    const columns = this.payload.table.columns;
    const colorOptions = [NONE, ...columns.filter((c) => c.role !== 'id').map((c) => c.name)];
    const sizeOptions = [NONE, ...columns.filter((c) => c.type === 'quantitative').map((c) => c.name)];
    const bar = html(
      'div',
      { className: 'wl-toolbar' },
      select(
        'Colour',
        colorOptions,
        this.colorBy,
        (value) => {
          this.colorBy = value;
          this.applyEncodings();
        },
        'color-by',
      ),
      select(
        'Size',
        sizeOptions,
        this.sizeBy,
        (value) => {
          this.sizeBy = value;
          this.applyEncodings();
        },
        'size-by',
      ),
    );
    if (this.payload.dimensions === 3) {
      bar.appendChild(
        select(
          'View',
          ['3-D', '2-D'],
          '3-D',
          (value) => {
            this.dimensions = value === '3-D' ? 3 : 2;
            this.camera = initialCamera();
            this.node.dataset.view = value;
            this.normalise();
            this.resize();
          },
          'view',
        ),
      );
    }
    bar.appendChild(
      select(
        'Axes',
        [
          { value: 'fill', text: 'fill the plot' },
          { value: 'equal', text: 'equal scales' },
        ],
        this.aspect,
        (value) => {
          this.aspect = value === 'equal' ? 'equal' : 'fill';
          this.node.dataset.aspect = this.aspect;
          this.camera = initialCamera();
          this.normalise();
          this.resize();
        },
        'aspect',
      ),
    );
    if (this.payload.trajectories.length) {
      const box = html('input', { attributes: { type: 'checkbox' }, dataset: { role: 'trajectories' } });
      box.checked = true;
      box.addEventListener('change', () => {
        this.showTrajectories = box.checked;
        this.schedule();
      });
      bar.appendChild(html('label', { className: 'wl-control' }, box, ' trajectories'));
    }
    const reset = html(
      'button',
      {
        className: 'wl-button',
        dataset: { role: 'reset' },
        attributes: { title: 'back to the initial zoom, pan and rotation (or double-click the plot)' },
      },
      'Reset view',
    );
    reset.addEventListener('click', () => this.setCamera(initialCamera()));
    bar.appendChild(reset);
    bar.appendChild(
      html(
        'span',
        { className: 'wl-hint' },
        this.payload.dimensions === 3
          ? 'drag: rotate · alt-drag: pan · wheel: zoom · shift-drag: select · alt-shift-drag: lasso'
          : 'drag: pan · wheel: zoom · shift-drag: select · alt-shift-drag: lasso',
      ),
    );
    return bar;
  }

  /** Fits the normalisation to the data for the dimensions shown (3-D also fits the unit ball). */
  private normalise(): void {
    const { points, trajectories } = this.payload;
    this.norm = normalisation([...points, ...trajectories.flatMap((t) => t.points)], this.dimensions, this.aspect);
  }

  /** Applies `camera` after shifting its pan so that some point stays inside the frame, then redraws. */
  private setCamera(camera: Camera): void {
    this.camera = this.keepDataInView(camera);
    this.node.dataset.zoom = String(this.camera.zoom);
    this.schedule();
  }

  /**
   * `camera`, panned by the least amount that brings the nearest point at least KEEP_VISIBLE
   * pixels inside the frame when none is: zooming into an empty corner or dragging the cloud
   * away can never leave an empty view.
   */
  private keepDataInView(camera: Camera): Camera {
    const area = plotArea(this.viewport);
    const inside = {
      left: area.left + KEEP_VISIBLE,
      right: area.right - KEEP_VISIBLE,
      top: area.top + KEEP_VISIBLE,
      bottom: area.bottom - KEEP_VISIBLE,
    };
    const out = new Float64Array(3);
    let best = Infinity,
      shiftX = 0,
      shiftY = 0;
    for (const point of this.payload.points) {
      projectPoint(point, this.dimensions, this.norm, camera, this.viewport, out, 0);
      const dx = out[0] < inside.left ? inside.left - out[0] : out[0] > inside.right ? inside.right - out[0] : 0;
      const dy = out[1] < inside.top ? inside.top - out[1] : out[1] > inside.bottom ? inside.bottom - out[1] : 0;
      if (dx === 0 && dy === 0) return camera;
      if (dx * dx + dy * dy < best) {
        best = dx * dx + dy * dy;
        shiftX = dx;
        shiftY = dy;
      }
    }
    return best === Infinity ? camera : { ...camera, panX: camera.panX + shiftX, panY: camera.panY + shiftY };
  }

  private column(name: string): TableValue[] | undefined {
    return name === NONE ? undefined : this.payload.table.values[name];
  }

  /** Recomputes colours, radii and the legend after a switcher changed, then redraws. */
  private applyEncodings(): void {
    const n = this.payload.points.length;
    const colorValues = this.column(this.colorBy);
    const colorInfo = this.payload.table.columns.find((c) => c.name === this.colorBy);
    // A phase column takes the phase diagram's colours, so a phase reads the same in both views.
    this.scale =
      colorValues && colorInfo
        ? (colorInfo.type === 'nominal' && phaseScale(colorValues)) || colorScale(colorValues, colorInfo.type)
        : {
            kind: 'nominal',
            domain: [],
            colors: new Array(n).fill(cssVariable(this.node, '--jp-brand-color1', '#1976d2')),
          };
    const baseRadius = n > 3000 ? 2 : n > 500 ? 3 : 4.5;
    this.radii = new Float64Array(n).fill(baseRadius);
    const sizeValues = this.column(this.sizeBy);
    if (sizeValues) {
      const numbers = sizeValues.filter((v): v is number => typeof v === 'number');
      const low = Math.min(...numbers),
        high = Math.max(...numbers);
      sizeValues.forEach((v, i) => {
        // Area proportional to the value: radius grows with the square root.
        this.radii[i] =
          typeof v === 'number' && high > low
            ? baseRadius * (0.6 + 1.6 * Math.sqrt((v - low) / (high - low)))
            : baseRadius;
      });
    }
    this.node.dataset.colorBy = this.colorBy;
    this.node.dataset.sizeBy = this.sizeBy;
    this.renderLegend();
    this.schedule();
  }

  private renderLegend(): void {
    this.legend.replaceChildren();
    if (this.colorBy === NONE) return;
    this.legend.appendChild(
      html('span', { className: 'wl-legend-title' }, this.scale.logarithmic ? `${this.colorBy} (log)` : this.colorBy),
    );
    if (this.scale.kind === 'quantitative') {
      const [low, high] = this.scale.domain as [number, number];
      const ramp = html('span', { className: 'wl-ramp' });
      ramp.style.background = 'linear-gradient(to right, #440154, #3b528b, #21918c, #5ec962, #fde725)';
      this.legend.append(html('span', {}, formatValue(low)), ramp, html('span', {}, formatValue(high)));
    } else {
      const categories = this.scale.domain as string[];
      categories.slice(0, 12).forEach((category) => {
        const index = this.column(this.colorBy)!.findIndex((v) => v !== null && String(v) === category);
        const swatch = html('span', { className: 'wl-swatch' });
        swatch.style.background = this.scale.colors[index];
        this.legend.appendChild(html('span', { className: 'wl-category' }, swatch, category));
      });
      if (categories.length > 12) this.legend.appendChild(html('span', {}, `+${categories.length - 12} more`));
    }
  }

  private resize(): void {
    const width = Math.max(240, Math.floor(this.plot.clientWidth || 640));
    const height = Math.round(Math.min(520, Math.max(300, width * 0.62)));
    const ratio = window.devicePixelRatio || 1;
    this.viewport = {
      width,
      height,
      margins: MARGINS[this.dimensions],
      padding: PADDING,
      isotropic: this.dimensions === 3 || this.aspect === 'equal',
    };
    this.canvas.width = Math.round(width * ratio);
    this.canvas.height = Math.round(height * ratio);
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    for (const [name, value] of Object.entries({ width, height, viewBox: `0 0 ${width} ${height}` }))
      this.axes.setAttribute(name, String(value));
    this.draw();
  }

  private schedule(): void {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => this.draw());
  }

  private projectAll(): void {
    const { points, trajectories } = this.payload;
    for (let i = 0; i < points.length; i++)
      projectPoint(points[i], this.dimensions, this.norm, this.camera, this.viewport, this.screen, 3 * i);
    trajectories.forEach((trajectory, t) => {
      trajectory.points.forEach((point, i) =>
        projectPoint(point, this.dimensions, this.norm, this.camera, this.viewport, this.trajectoryScreen[t], 3 * i),
      );
    });
  }

  private draw(): void {
    const started = performance.now();
    const context = this.canvas.getContext('2d');
    if (!context) return;
    const ratio = this.canvas.width / this.viewport.width;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, this.viewport.width, this.viewport.height);
    this.projectAll();
    const text = cssVariable(this.node, '--jp-ui-font-color2', '#616161');
    const background = cssVariable(this.node, '--jp-layout-color0', '#ffffff');
    this.renderAxes();
    // Points and trajectories stay inside the frame (zoomed-in points would cover the ticks).
    const area = plotArea(this.viewport);
    context.save();
    context.beginPath();
    context.rect(area.left, area.top, area.right - area.left, area.bottom - area.top);
    context.clip();

    if (this.showTrajectories) {
      context.lineWidth = 1.2;
      context.globalAlpha = 0.55;
      this.payload.trajectories.forEach((trajectory, t) => {
        const screen = this.trajectoryScreen[t];
        context.strokeStyle = this.scale.colors[trajectory.model];
        context.beginPath();
        for (let i = 0; i < trajectory.points.length; i++) {
          if (i === 0) context.moveTo(screen[0], screen[1]);
          else context.lineTo(screen[3 * i], screen[3 * i + 1]);
        }
        context.stroke();
        context.fillStyle = this.scale.colors[trajectory.model];
        context.fillRect(screen[0] - 1.5, screen[1] - 1.5, 3, 3);
      });
      context.globalAlpha = 1;
    }

    const n = this.payload.points.length;
    const colors = this.scale.colors;
    // Points are filled one path per colour (far fewer canvas state changes than one fill
    // per point at 10,000 points). In 3-D they are first cut into depth slabs drawn far to
    // near, so nearer points still cover farther ones; order inside a slab does not show.
    const slabs = this.dimensions === 3 ? DEPTH_SLABS : 1;
    let nearest = -Infinity,
      farthest = Infinity;
    if (slabs > 1)
      for (let i = 0; i < n; i++) {
        const z = this.screen[3 * i + 2];
        if (z > nearest) nearest = z;
        if (z < farthest) farthest = z;
      }
    const span = nearest - farthest || 1;
    const groups: Map<string, number[]>[] = Array.from({ length: slabs }, () => new Map());
    for (let i = 0; i < n; i++) {
      const slab =
        slabs > 1 ? Math.min(slabs - 1, Math.floor(((this.screen[3 * i + 2] - farthest) / span) * slabs)) : 0;
      const list = groups[slab].get(colors[i]);
      if (list) list.push(i);
      else groups[slab].set(colors[i], [i]);
    }
    context.globalAlpha = n > 3000 ? 0.75 : 0.9;
    context.lineWidth = 0.75;
    context.strokeStyle = cssVariable(this.node, '--jp-ui-font-color3', '#9e9e9e');
    for (const byColor of groups) {
      for (const [color, indices] of byColor) {
        context.fillStyle = color;
        context.beginPath();
        for (const i of indices) {
          const x = this.screen[3 * i],
            y = this.screen[3 * i + 1],
            r = this.radii[i];
          context.moveTo(x + r, y);
          context.arc(x, y, r, 0, 2 * Math.PI);
        }
        context.fill();
        // A thin neutral rim separates overlapping points and keeps the darkest viridis
        // colours visible on dark themes (skipped for big zoos, where it would double the cost).
        if (n <= 3000) context.stroke();
      }
    }
    context.globalAlpha = 1;
    if (this.selected.size) {
      context.strokeStyle = cssVariable(this.node, '--jp-ui-font-color0', '#000000');
      context.lineWidth = 1.5;
      context.beginPath();
      for (const i of this.selected) {
        context.moveTo(this.screen[3 * i] + this.radii[i] + 1.5, this.screen[3 * i + 1]);
        context.arc(this.screen[3 * i], this.screen[3 * i + 1], this.radii[i] + 1.5, 0, 2 * Math.PI);
      }
      context.stroke();
    }
    if (this.hovered >= 0) {
      const i = this.hovered;
      context.lineWidth = 2;
      context.strokeStyle = background;
      context.beginPath();
      context.arc(this.screen[3 * i], this.screen[3 * i + 1], this.radii[i] + 2, 0, 2 * Math.PI);
      context.stroke();
      context.strokeStyle = text;
      context.beginPath();
      context.arc(this.screen[3 * i], this.screen[3 * i + 1], this.radii[i] + 4, 0, 2 * Math.PI);
      context.stroke();
    }
    context.restore();
    this.drawMs = performance.now() - started;
  }

  /** Redraws the SVG layer: frame, value ticks and axis titles in 2-D; the orientation triad in 3-D. */
  private renderAxes(): void {
    const axes = this.payload.axes;
    const title = (i: number) =>
      axes[i].explainedVariance !== undefined
        ? `${axes[i].label} (${(axes[i].explainedVariance! * 100).toFixed(1)}% of variance)`
        : axes[i].label;
    const area = plotArea(this.viewport);
    const children: SVGElement[] = [
      svg('rect', {
        x: area.left + 0.5,
        y: area.top + 0.5,
        width: area.right - area.left - 1,
        height: area.bottom - area.top - 1,
        class: 'wl-frame',
      }),
    ];
    if (this.dimensions === 3) {
      children.push(this.triad(area));
      this.axes.replaceChildren(...children);
      return;
    }
    // Ticks at round data values across what the frame shows now (they follow zoom and pan).
    for (const axis of [0, 1] as const) {
      const [from, to] = axis === 0 ? [area.left, area.right] : [area.bottom, area.top];
      const low = dataCoordinate(axis, from, this.norm, this.camera, this.viewport);
      const high = dataCoordinate(axis, to, this.norm, this.camera, this.viewport);
      const count = Math.max(2, Math.round(Math.abs(to - from) / (axis === 0 ? 90 : 60)));
      for (const value of linearTicks(low, high, count)) {
        const at = screenCoordinate(axis, value, this.norm, this.camera, this.viewport);
        const label = formatTick(value);
        if (axis === 0) {
          children.push(svg('line', { x1: at, x2: at, y1: area.bottom, y2: area.bottom + 5, class: 'wl-tick-mark' }));
          children.push(
            svg(
              'text',
              {
                x: at,
                y: area.bottom + 17,
                'text-anchor': 'middle',
                class: 'wl-tick',
                'data-axis': 'x',
                'data-value': value,
              },
              label,
            ),
          );
        } else {
          children.push(svg('line', { x1: area.left - 5, x2: area.left, y1: at, y2: at, class: 'wl-tick-mark' }));
          children.push(
            svg(
              'text',
              {
                x: area.left - 8,
                y: at,
                'text-anchor': 'end',
                'dominant-baseline': 'central',
                class: 'wl-tick',
                'data-axis': 'y',
                'data-value': value,
              },
              label,
            ),
          );
        }
      }
    }
    const middleY = (area.top + area.bottom) / 2;
    children.push(
      svg(
        'text',
        {
          x: (area.left + area.right) / 2,
          y: this.viewport.height - 8,
          'text-anchor': 'middle',
          class: 'wl-axis-label',
          'data-axis': 'x',
        },
        title(0),
      ),
    );
    children.push(
      svg(
        'text',
        {
          x: 14,
          y: middleY,
          'text-anchor': 'middle',
          transform: `rotate(-90 14 ${middleY})`,
          class: 'wl-axis-label',
          'data-axis': 'y',
        },
        title(1),
      ),
    );
    this.axes.replaceChildren(...children);
  }

  /**
   * The 3-D orientation triad in the frame's lower-left corner, rotated with the points. Each
   * label sits beyond its arm's tip, on the arm's side, and moves further out until it clears
   * the labels already placed (longest arms first, so the clearest axes keep their place);
   * labels of arms pointing nearly at or away from the viewer are faded, and arms pointing
   * away are dashed.
   */
  private triad(area: { left: number; bottom: number }): SVGElement {
    const origin = [area.left + TRIAD.inset, area.bottom - TRIAD.inset];
    const font = `${TRIAD.font}px ${cssVariable(this.node, '--jp-ui-font-family', 'sans-serif')}`;
    const arms = [0, 1, 2].map((axis) => {
      const unit = [0, 0, 0];
      unit[axis] = 1;
      const [right, up, depth] = rotate(unit[0], unit[1], unit[2], this.camera);
      return { axis, dx: right, dy: -up, depth, length: Math.hypot(right, up), label: this.payload.axes[axis].label };
    });
    const group = svg('g', { class: 'wl-triad' });
    const placed: { left: number; right: number; top: number; bottom: number }[] = [];
    for (const arm of [...arms].sort((a, b) => b.length - a.length)) {
      group.appendChild(
        svg('line', {
          x1: origin[0],
          y1: origin[1],
          x2: origin[0] + arm.dx * TRIAD.arm,
          y2: origin[1] + arm.dy * TRIAD.arm,
          class: `wl-triad-arm${arm.depth < 0 ? ' wl-triad-back' : ''}`,
          'data-axis': arm.axis,
        }),
      );
      // An arm seen end-on has no side of its own: its label goes opposite the other two.
      let [ux, uy] = [arm.dx, arm.dy];
      if (arm.length < 0.05) {
        ux = -arms.filter((a) => a !== arm).reduce((sum, a) => sum + a.dx, 0);
        uy = -arms.filter((a) => a !== arm).reduce((sum, a) => sum + a.dy, 0);
      }
      const norm = Math.hypot(ux, uy) || 1;
      ux /= norm;
      uy /= norm;
      const width = textWidth(arm.label, font) + 2,
        height = TRIAD.font + 3;
      // Distance from the origin to the label box's centre: past the tip, plus the box's half-extent along the arm.
      let distance = arm.length * TRIAD.arm + TRIAD.gap + (Math.abs(ux) * width) / 2 + (Math.abs(uy) * height) / 2;
      const box = () => {
        const cx = origin[0] + ux * distance,
          cy = origin[1] + uy * distance;
        return { left: cx - width / 2, right: cx + width / 2, top: cy - height / 2, bottom: cy + height / 2 };
      };
      const clashes = (b: ReturnType<typeof box>) =>
        placed.some(
          (p) => b.left < p.right + 2 && p.left < b.right + 2 && b.top < p.bottom + 2 && p.top < b.bottom + 2,
        );
      for (let step = 0; step < 100 && clashes(box()); step++) distance += 2;
      const b = box();
      placed.push(b);
      group.appendChild(
        svg(
          'text',
          {
            x: (b.left + b.right) / 2,
            y: (b.top + b.bottom) / 2,
            'text-anchor': 'middle',
            'dominant-baseline': 'central',
            class: `wl-triad-label${arm.length < TRIAD.fadeBelow ? ' wl-triad-faded' : ''}`,
            'data-axis': arm.axis,
          },
          arm.label,
        ),
      );
    }
    return group;
  }

  private nearest(x: number, y: number): number {
    let best = -1;
    let bestDistance = HOVER_RADIUS * HOVER_RADIUS;
    let bestDepth = -Infinity;
    for (let i = 0; i < this.payload.points.length; i++) {
      const dx = this.screen[3 * i] - x,
        dy = this.screen[3 * i + 1] - y;
      const distance = dx * dx + dy * dy;
      // In 3-D several points can sit under the cursor: prefer the nearest to the viewer.
      if (
        distance < bestDistance - 1e-9 ||
        (Math.abs(distance - bestDistance) < 1e-9 && this.screen[3 * i + 2] > bestDepth)
      ) {
        best = i;
        bestDistance = distance;
        bestDepth = this.screen[3 * i + 2];
      }
    }
    return best;
  }

  private showTooltip(index: number, x: number, y: number): void {
    const { table, idColumn } = this.payload;
    const rows: HTMLElement[] = [];
    const section = (title: string, role: string) => {
      const columns = table.columns.filter((c) => c.role === role || (role === 'hyperparameter' && c.role === 'other'));
      if (!columns.length) return;
      rows.push(html('div', { className: 'wl-tooltip-section' }, title));
      for (const column of columns) {
        rows.push(
          html(
            'div',
            { className: 'wl-tooltip-row', dataset: { column: column.name } },
            html('span', { className: 'wl-tooltip-key' }, column.name),
            html('span', { className: 'wl-tooltip-value' }, formatValue(table.values[column.name][index])),
          ),
        );
      }
    };
    section('hyperparameters', 'hyperparameter');
    section('metrics', 'metric');
    const point = this.payload.points[index];
    const id = String(table.values[idColumn][index]);
    this.tooltip.replaceChildren(
      html('div', { className: 'wl-tooltip-title' }, id),
      ...rows,
      html(
        'div',
        { className: 'wl-tooltip-coordinates' },
        point.map((v, c) => `${this.payload.axes[c].label} ${formatValue(v)}`).join('  '),
      ),
    );
    this.tooltip.dataset.model = id;
    this.tooltip.hidden = false;
    const left = x + 14 + this.tooltip.offsetWidth > this.viewport.width ? x - 14 - this.tooltip.offsetWidth : x + 14;
    this.tooltip.style.left = `${Math.max(0, left)}px`;
    this.tooltip.style.top = `${Math.max(0, Math.min(y + 10, this.viewport.height - this.tooltip.offsetHeight))}px`;
  }

  /** Shows a selection; `kind` (a selection the user made here) also tells the kernel. */
  private setSelection(indices: number[], kind?: SelectionKind): void {
    if (kind) this.link?.send({ event: 'selection', kind: indices.length ? kind : 'clear', indices });
    this.selected = new Set(indices);
    this.node.dataset.selected = String(indices.length);
    this.selectionPanel.replaceChildren();
    if (indices.length) {
      const { table, idColumn } = this.payload;
      const clear = html('button', { className: 'wl-button', dataset: { role: 'clear-selection' } }, 'Clear');
      clear.addEventListener('click', () => this.setSelection([], 'clear'));
      const detail = this.colorBy !== NONE ? this.colorBy : undefined;
      const list = html('ol', { className: 'wl-selection-list' });
      for (const i of indices.slice(0, SELECTION_LIST_LIMIT)) {
        list.appendChild(
          html(
            'li',
            { dataset: { model: String(table.values[idColumn][i]) } },
            String(table.values[idColumn][i]),
            detail
              ? html(
                  'span',
                  { className: 'wl-selection-detail' },
                  ` ${detail} = ${formatValue(table.values[detail][i])}`,
                )
              : null,
          ),
        );
      }
      this.selectionPanel.append(
        html(
          'div',
          { className: 'wl-selection-header' },
          `${indices.length} model${indices.length === 1 ? '' : 's'} selected `,
          clear,
        ),
        list,
      );
      if (indices.length > SELECTION_LIST_LIMIT)
        this.selectionPanel.appendChild(html('div', {}, `… and ${indices.length - SELECTION_LIST_LIMIT} more`));
    }
    this.schedule();
  }

  private attachPointerHandlers(): void {
    let drag: { mode: 'pan' | 'rotate' | 'select' | 'lasso'; x: number; y: number; camera: Camera } | undefined;
    const local = (event: MouseEvent): [number, number] => {
      const box = this.canvas.getBoundingClientRect();
      return [event.clientX - box.left, event.clientY - box.top];
    };
    this.canvas.addEventListener('pointerdown', (event) => {
      const [x, y] = local(event);
      const mode = event.shiftKey
        ? event.altKey
          ? 'lasso'
          : 'select'
        : this.dimensions === 3 && !event.altKey
          ? 'rotate'
          : 'pan';
      drag = { mode, x, y, camera: { ...this.camera } };
      if (mode === 'lasso') this.lasso.start(x, y);
      this.canvas.setPointerCapture?.(event.pointerId);
      this.tooltip.hidden = true;
    });
    this.canvas.addEventListener('pointermove', (event) => {
      const [x, y] = local(event);
      if (!drag) {
        const index = this.nearest(x, y);
        if (index !== this.hovered) {
          this.hovered = index;
          this.schedule();
        }
        if (index >= 0) this.showTooltip(index, x, y);
        else this.tooltip.hidden = true;
        return;
      }
      const dx = x - drag.x,
        dy = y - drag.y;
      if (drag.mode === 'pan') {
        this.setCamera({ ...this.camera, panX: drag.camera.panX + dx, panY: drag.camera.panY + dy });
      } else if (drag.mode === 'rotate') {
        const pitch = Math.max(-1.5, Math.min(1.5, drag.camera.pitch + dy * 0.01));
        this.setCamera({ ...this.camera, yaw: drag.camera.yaw + dx * 0.01, pitch });
      } else if (drag.mode === 'lasso') {
        this.lasso.extend(x, y);
      } else {
        Object.assign(this.band.style, {
          left: `${Math.min(x, drag.x)}px`,
          top: `${Math.min(y, drag.y)}px`,
          width: `${Math.abs(dx)}px`,
          height: `${Math.abs(dy)}px`,
        });
        this.band.hidden = false;
      }
    });
    const finish = (event: PointerEvent) => {
      if (!drag) return;
      if (drag.mode === 'select') {
        const [x, y] = local(event);
        const [x0, x1] = [Math.min(x, drag.x), Math.max(x, drag.x)];
        const [y0, y1] = [Math.min(y, drag.y), Math.max(y, drag.y)];
        const inside: number[] = [];
        for (let i = 0; i < this.payload.points.length; i++) {
          const px = this.screen[3 * i],
            py = this.screen[3 * i + 1];
          if (px >= x0 && px <= x1 && py >= y0 && py <= y1) inside.push(i);
        }
        this.band.hidden = true;
        this.setSelection(inside, 'box');
      } else if (drag.mode === 'lasso') {
        const [x, y] = local(event);
        this.lasso.extend(x, y);
        this.setSelection(
          pointsInsideOutline(this.screen, this.payload.points.length, 3, this.lasso.finish()),
          'lasso',
        );
      } else {
        // A click (a drag that did not move) on a point selects that model.
        const [x, y] = local(event);
        if (Math.hypot(x - drag.x, y - drag.y) <= CLICK_SLOP) {
          const index = this.nearest(x, y);
          if (index >= 0) this.setSelection([index], 'point');
        }
      }
      drag = undefined;
    };
    this.canvas.addEventListener('pointerup', finish);
    this.canvas.addEventListener('pointercancel', finish);
    this.canvas.addEventListener('pointerleave', () => {
      if (drag) return;
      this.tooltip.hidden = true;
      if (this.hovered >= 0) {
        this.hovered = -1;
        this.schedule();
      }
    });
    this.canvas.addEventListener(
      'wheel',
      (event) => {
        event.preventDefault();
        const [x, y] = local(event);
        const factor = Math.exp(-event.deltaY * 0.0015);
        const zoom = Math.max(ZOOM_LIMITS.min, Math.min(ZOOM_LIMITS.max, this.camera.zoom * factor));
        const applied = zoom / this.camera.zoom;
        // Keep the data under the cursor fixed: pan scales about the cursor position (relative to the frame's centre, where zoom acts).
        const area = plotArea(this.viewport);
        const cx = x - (area.left + area.right) / 2,
          cy = y - (area.top + area.bottom) / 2;
        this.setCamera({
          ...this.camera,
          zoom,
          panX: cx - (cx - this.camera.panX) * applied,
          panY: cy - (cy - this.camera.panY) * applied,
        });
      },
      { passive: false },
    );
    this.canvas.addEventListener('dblclick', () => this.setCamera(initialCamera()));
  }
}
