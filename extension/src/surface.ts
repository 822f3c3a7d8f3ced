// The loss-surface view: the grid of landscape.lossSurface drawn as a 3-D surface on a canvas, so
// the basin's shape reads at a glance where the Vega-Lite heatmap needs the colour legend. Height
// and colour are the loss (log when every loss is positive and they span 100x or more, as the
// other views' colour scales); cells are filled back to front (painter's algorithm), and the
// projected training path is drawn on the surface. Drag rotates, double-click resets, and a switch
// shows the train or the test loss.

import type { SurfacePayload } from 'weightlab/payloads';
import { colorScale, scalePosition, scaleColor, type ColorScale } from './colors';
import { html, select } from './dom';
import { initialCamera, rotate, type Camera } from './manifold/camera';

const WIDTH = 520,
  HEIGHT = 400;
/** Radians of rotation per pixel dragged. */
const DRAG_SPEED = 0.01;
const PATH_COLOR = '#D55E00';

/** One filled cell: its four corners on screen, how near it is (larger is nearer) and its colour. */
interface Quad {
  corners: number[];
  depth: number;
  color: string;
}

export class SurfaceView {
  readonly node: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly payload: SurfacePayload;
  private camera: Camera = initialCamera();
  private split: 'train' | 'test' = 'train';

  constructor(payload: SurfacePayload) {
    this.payload = payload;
    this.canvas = html('canvas', {
      className: 'wl-canvas',
      attributes: {
        role: 'img',
        'aria-label': `${payload.title}: ${payload.alphas.length} x ${payload.betas.length} grid`,
      },
    });
    this.node = html(
      'div',
      {
        className: 'wl-surface',
        dataset: { weightlabGrid: `${payload.alphas.length}x${payload.betas.length}` },
      },
      html('div', { className: 'wl-title' }, payload.title),
      html(
        'div',
        { className: 'wl-toolbar' },
        select(
          'loss',
          ['train', 'test'],
          this.split,
          (value) => {
            this.split = value as 'train' | 'test';
            this.draw();
          },
          'split',
        ),
        html('span', { className: 'wl-hint' }, 'drag to rotate, double-click to reset'),
      ),
      html('div', { className: 'wl-plot' }, this.canvas),
    );
    this.listen();
    this.draw();
  }

  /** The colour scale of the shown split over every finite loss. */
  private scale(): ColorScale {
    const values = this.payload.loss[this.split].flat().filter((v): v is number => v !== null);
    return colorScale(values, 'quantitative');
  }

  /** Screen position and depth of grid coordinates (alpha, beta) at scale position t (0 lowest, 1 highest loss). */
  private project(alpha: number, beta: number, t: number): [number, number, number] {
    const { alphas, betas } = this.payload;
    const across = (v: number, axis: number[]) => (2 * (v - axis[0])) / (axis[axis.length - 1] - axis[0]) - 1;
    // x: alpha, z: beta (both in [-1, 1]); y: the loss, up.
    const [x, y, depth] = rotate(across(alpha, alphas) * 0.7, (t - 0.5) * 0.9, -across(beta, betas) * 0.7, this.camera);
    const half = Math.min(WIDTH, HEIGHT) / 2;
    return [WIDTH / 2 + x * half, HEIGHT / 2 - y * half, depth];
  }

  /** The loss at (alpha, beta) by bilinear interpolation of the grid (null when a corner is missing). */
  private lossAt(alpha: number, beta: number): number | null {
    const { alphas, betas } = this.payload;
    const grid = this.payload.loss[this.split];
    const cell = (axis: number[], v: number) => {
      let i = 0;
      while (i < axis.length - 2 && v > axis[i + 1]) i++;
      const f = Math.min(1, Math.max(0, (v - axis[i]) / (axis[i + 1] - axis[i])));
      return [i, f];
    };
    const [i, fx] = cell(alphas, alpha);
    const [j, fy] = cell(betas, beta);
    const corners = [grid[j][i], grid[j][i + 1], grid[j + 1][i], grid[j + 1][i + 1]];
    if (corners.some((v) => v === null)) return null;
    const [a, b, c, d] = corners as number[];
    return (1 - fy) * ((1 - fx) * a + fx * b) + fy * ((1 - fx) * c + fx * d);
  }

  private draw(): void {
    const ratio = window.devicePixelRatio || 1;
    this.canvas.width = Math.round(WIDTH * ratio);
    this.canvas.height = Math.round(HEIGHT * ratio);
    this.canvas.style.width = `${WIDTH}px`;
    this.canvas.style.height = `${HEIGHT}px`;
    const context = this.canvas.getContext('2d');
    if (!context) return;
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.clearRect(0, 0, WIDTH, HEIGHT);
    const { alphas, betas } = this.payload;
    const grid = this.payload.loss[this.split];
    const scale = this.scale();
    const position = (v: number) => scalePosition(scale, v);
    const quads: Quad[] = [];
    for (let j = 0; j + 1 < betas.length; j++)
      for (let i = 0; i + 1 < alphas.length; i++) {
        const cells: [number, number][] = [
          [i, j],
          [i + 1, j],
          [i + 1, j + 1],
          [i, j + 1],
        ];
        const values = cells.map(([c, r]) => grid[r][c]);
        if (values.some((v) => v === null)) continue;
        const corners: number[] = [];
        let depth = 0;
        cells.forEach(([c, r], k) => {
          const [x, y, z] = this.project(alphas[c], betas[r], position(values[k] as number));
          corners.push(x, y);
          depth += z / 4;
        });
        const mean = (values as number[]).reduce((s, v) => s + v, 0) / 4;
        quads.push({ corners, depth, color: scaleColor(scale, position(mean)) });
      }
    quads.sort((a, b) => a.depth - b.depth);
    context.lineWidth = 0.5;
    context.strokeStyle = 'rgba(255, 255, 255, 0.35)';
    for (const quad of quads) {
      const c = quad.corners;
      context.beginPath();
      context.moveTo(c[0], c[1]);
      for (let k = 2; k < 8; k += 2) context.lineTo(c[k], c[k + 1]);
      context.closePath();
      context.fillStyle = quad.color;
      context.fill();
      context.stroke();
    }
    const path = this.payload.trajectory ?? [];
    if (path.length > 0) {
      context.strokeStyle = PATH_COLOR;
      context.fillStyle = PATH_COLOR;
      context.lineWidth = 2;
      context.beginPath();
      const points = path.flatMap(([alpha, beta]) => {
        const loss = this.lossAt(alpha, beta);
        return loss === null ? [] : [this.project(alpha, beta, position(loss))];
      });
      points.forEach(([x, y], k) => (k === 0 ? context.moveTo(x, y) : context.lineTo(x, y)));
      context.stroke();
      for (const [x, y] of points) {
        context.beginPath();
        context.arc(x, y, 2.5, 0, 2 * Math.PI);
        context.fill();
      }
    }
    // Axis names at the ends of the base edges.
    // The theme's text colour (the view's CSS colour), so labels read in light and dark themes.
    context.fillStyle = getComputedStyle(this.node).color || '#212121';
    context.font = '12px sans-serif';
    const floor = 0;
    const [ax, ay] = this.project(alphas[alphas.length - 1], betas[0], floor);
    const [bx, by] = this.project(alphas[0], betas[betas.length - 1], floor);
    context.fillText('α', ax + 6, ay + 4);
    context.fillText('β', bx - 14, by + 4);
    const [low, high] = scale.domain as [number, number];
    context.fillText(`${this.split} loss ${low.toPrecision(3)} – ${high.toPrecision(3)}`, 8, HEIGHT - 8);
    this.node.dataset.split = this.split;
    this.node.dataset.yaw = this.camera.yaw.toFixed(3);
    this.node.dataset.quads = String(quads.length);
  }

  private listen(): void {
    let last: [number, number] | undefined;
    this.canvas.addEventListener('pointerdown', (event) => {
      last = [event.clientX, event.clientY];
      this.canvas.setPointerCapture?.(event.pointerId);
    });
    this.canvas.addEventListener('pointermove', (event) => {
      if (!last) return;
      const [dx, dy] = [event.clientX - last[0], event.clientY - last[1]];
      last = [event.clientX, event.clientY];
      const pitch = Math.min(1.5, Math.max(-1.5, this.camera.pitch + dy * DRAG_SPEED));
      this.camera = { ...this.camera, yaw: this.camera.yaw + dx * DRAG_SPEED, pitch };
      this.draw();
    });
    const finish = () => (last = undefined);
    this.canvas.addEventListener('pointerup', finish);
    this.canvas.addEventListener('pointercancel', finish);
    this.canvas.addEventListener('dblclick', () => {
      this.camera = initialCamera();
      this.draw();
    });
  }
}
