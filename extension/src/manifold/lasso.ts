// Lasso selection for the manifold view: the freehand outline drawn while alt-shift-dragging
// (an SVG polygon over the canvas, built from data only) and the test of which models' screen
// positions fall inside it (even-odd rule, so a self-crossing outline behaves predictably).

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Whether (x, y) lies inside the closed polygon `outline` = [x0, y0, x1, y1, ...] (even-odd rule). */
export function insideOutline(x: number, y: number, outline: readonly number[]): boolean {
  let inside = false;
  const vertices = outline.length / 2;
  for (let i = 0, j = vertices - 1; i < vertices; j = i++) {
    const xi = outline[2 * i],
      yi = outline[2 * i + 1],
      xj = outline[2 * j],
      yj = outline[2 * j + 1];
    // Count crossings of the horizontal ray from (x, y) to the right.
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Indices of the first `count` points (screen coordinates with `stride` numbers per point) inside `outline`. */
export function pointsInsideOutline(
  screen: ArrayLike<number>,
  count: number,
  stride: number,
  outline: readonly number[],
): number[] {
  if (outline.length < 6) return [];
  let minX = Infinity,
    maxX = -Infinity,
    minY = Infinity,
    maxY = -Infinity;
  for (let i = 0; i < outline.length; i += 2) {
    minX = Math.min(minX, outline[i]);
    maxX = Math.max(maxX, outline[i]);
    minY = Math.min(minY, outline[i + 1]);
    maxY = Math.max(maxY, outline[i + 1]);
  }
  const inside: number[] = [];
  for (let i = 0; i < count; i++) {
    const x = screen[stride * i],
      y = screen[stride * i + 1];
    // The bounding box rejects most points of a large zoo before the polygon test.
    if (x < minX || x > maxX || y < minY || y > maxY) continue;
    if (insideOutline(x, y, outline)) inside.push(i);
  }
  return inside;
}

/** The overlay that shows the lasso outline while it is drawn. */
export class LassoOverlay {
  readonly node: SVGSVGElement;
  private readonly polygon: SVGPolygonElement;
  private outline: number[] = [];

  constructor() {
    this.node = document.createElementNS(SVG_NS, 'svg');
    this.node.setAttribute('class', 'wl-lasso');
    this.polygon = document.createElementNS(SVG_NS, 'polygon');
    this.node.appendChild(this.polygon);
    this.hide();
  }

  start(x: number, y: number): void {
    this.outline = [x, y];
    this.polygon.setAttribute('points', '');
    this.node.style.display = '';
  }

  /** Adds a vertex unless it is within 2 px of the last one (pointer events come fast). */
  extend(x: number, y: number): void {
    const n = this.outline.length;
    if (Math.hypot(x - this.outline[n - 2], y - this.outline[n - 1]) < 2) return;
    this.outline.push(x, y);
    const pairs: string[] = [];
    for (let i = 0; i < this.outline.length; i += 2) pairs.push(`${this.outline[i]},${this.outline[i + 1]}`);
    this.polygon.setAttribute('points', pairs.join(' '));
  }

  /** Hides the overlay and returns the outline drawn. */
  finish(): number[] {
    const outline = this.outline;
    this.hide();
    return outline;
  }

  private hide(): void {
    this.outline = [];
    this.node.style.display = 'none';
  }
}
