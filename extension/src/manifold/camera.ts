// From embedding coordinates to canvas pixels. Points are first normalised around the centre
// of their extent, then 3-D points are rotated (yaw about the vertical axis, then pitch) and
// projected orthographically; zoom and pan act last, in screen space, so they behave the same
// in 2-D and 3-D.
//
// Aspect (the payload's `aspect`, default 'fill'): in 2-D, 'fill' stretches each axis to the
// plot's width or height, so two seeds' PCA (PC1 far wider than PC2) fills the plot instead
// of a sliver, and the tick values carry each axis's real scale; 'equal' gives every axis the
// same scale (on-screen distances proportional to embedding distances). In 3-D each axis is
// scaled to the unit cube under 'fill' too (a flat third component still shows its shape when
// rotated), and then the whole cloud is scaled into the unit ball, so no rotation can carry a
// point out of the view; the screen mapping is isotropic so rotation does not shear.

export interface Camera {
  zoom: number;
  panX: number;
  panY: number;
  /** Radians; only used in 3-D. */
  yaw: number;
  pitch: number;
}

export const initialCamera = (): Camera => ({ zoom: 1, panX: 0, panY: 0, yaw: 0.6, pitch: 0.35 });

/** Zoom factors the wheel may reach: out to half the initial size, in to 100 times it. */
export const ZOOM_LIMITS = { min: 0.5, max: 100 } as const;

export type Aspect = 'fill' | 'equal';

export interface Normalisation {
  centre: number[];
  /** Per-axis factor: (coordinate - centre) · scale lies in [-1, 1]. */
  scale: number[];
}

/** Centre and per-axis scales that map every point (and trajectory point) into [-1, 1] (2-D) or the unit ball (3-D). */
export function normalisation(
  points: readonly (readonly number[])[],
  dimensions: number,
  aspect: Aspect = 'fill',
): Normalisation {
  const low = new Array(dimensions).fill(Infinity);
  const high = new Array(dimensions).fill(-Infinity);
  for (const point of points) {
    for (let c = 0; c < dimensions; c++) {
      if (point[c] < low[c]) low[c] = point[c];
      if (point[c] > high[c]) high[c] = point[c];
    }
  }
  const centre = low.map((l, c) => (Number.isFinite(l) ? (l + high[c]) / 2 : 0));
  const spans = low.map((l, c) => (Number.isFinite(l) ? high[c] - l : 0));
  const widest = Math.max(...spans);
  // An axis with no spread (all points equal on it) takes the widest axis's scale.
  const shared = widest > 0 ? 2 / widest : 1;
  let scale = spans.map((span) => (aspect === 'fill' && span > 0 ? 2 / span : shared));
  if (dimensions === 3) {
    let radius = 0;
    for (const point of points) {
      let squared = 0;
      for (let c = 0; c < 3; c++) squared += ((point[c] - centre[c]) * scale[c]) ** 2;
      radius = Math.max(radius, Math.sqrt(squared));
    }
    if (radius > 0) scale = scale.map((s) => s / radius);
  }
  return { centre, scale };
}

/** Pixels kept free around the plot frame, for tick labels and axis titles. */
export interface Margins {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface Viewport {
  width: number;
  height: number;
  margins: Margins;
  /** Pixels between the data's extent (at zoom 1) and the plot frame. */
  padding: number;
  /** One pixel scale for x and y (3-D, and 2-D with aspect 'equal'); otherwise each axis fills its side. */
  isotropic: boolean;
}

/** The plot frame in canvas pixels. */
export function plotArea(viewport: Viewport): { left: number; top: number; right: number; bottom: number } {
  const { width, height, margins } = viewport;
  return { left: margins.left, top: margins.top, right: width - margins.right, bottom: height - margins.bottom };
}

/** Centre of the plot frame and pixels per normalised unit along x and y at zoom 1. */
function frame(viewport: Viewport): { cx: number; cy: number; halfX: number; halfY: number } {
  const area = plotArea(viewport);
  let halfX = Math.max(1, (area.right - area.left) / 2 - viewport.padding);
  let halfY = Math.max(1, (area.bottom - area.top) / 2 - viewport.padding);
  if (viewport.isotropic) halfX = halfY = Math.min(halfX, halfY);
  return { cx: (area.left + area.right) / 2, cy: (area.top + area.bottom) / 2, halfX, halfY };
}

/** The camera's rotation of (x, y, z): [right, up, depth towards the viewer]. */
export function rotate(x: number, y: number, z: number, camera: Camera): [number, number, number] {
  const cosYaw = Math.cos(camera.yaw),
    sinYaw = Math.sin(camera.yaw);
  const cosPitch = Math.cos(camera.pitch),
    sinPitch = Math.sin(camera.pitch);
  const x1 = cosYaw * x + sinYaw * z;
  const z1 = -sinYaw * x + cosYaw * z;
  return [x1, cosPitch * y - sinPitch * z1, sinPitch * y + cosPitch * z1];
}

/**
 * Projects `point` to screen pixels; writes [x, y, depth] at `out[at]` (depth only orders 3-D
 * drawing: larger is nearer). In 2-D the data's y axis points up.
 */
export function projectPoint(
  point: readonly number[],
  dimensions: number,
  norm: Normalisation,
  camera: Camera,
  viewport: Viewport,
  out: Float64Array,
  at: number,
): void {
  let x = (point[0] - norm.centre[0]) * norm.scale[0];
  let y = (point[1] - norm.centre[1]) * norm.scale[1];
  let depth = 0;
  if (dimensions === 3) [x, y, depth] = rotate(x, y, (point[2] - norm.centre[2]) * norm.scale[2], camera);
  const { cx, cy, halfX, halfY } = frame(viewport);
  out[at] = cx + x * halfX * camera.zoom + camera.panX;
  out[at + 1] = cy - y * halfY * camera.zoom + camera.panY;
  out[at + 2] = depth;
}

/** 2-D only: the data coordinate of `axis` (0: x, 1: y) shown at screen pixel `position` (the inverse of projectPoint). */
export function dataCoordinate(
  axis: 0 | 1,
  position: number,
  norm: Normalisation,
  camera: Camera,
  viewport: Viewport,
): number {
  const { cx, cy, halfX, halfY } = frame(viewport);
  const normalised =
    axis === 0
      ? (position - cx - camera.panX) / (halfX * camera.zoom)
      : -(position - cy - camera.panY) / (halfY * camera.zoom);
  return normalised / norm.scale[axis] + norm.centre[axis];
}

/** 2-D only: the screen pixel of data coordinate `value` on `axis` (0: x, 1: y). */
export function screenCoordinate(
  axis: 0 | 1,
  value: number,
  norm: Normalisation,
  camera: Camera,
  viewport: Viewport,
): number {
  const { cx, cy, halfX, halfY } = frame(viewport);
  const normalised = (value - norm.centre[axis]) * norm.scale[axis];
  return axis === 0
    ? cx + normalised * halfX * camera.zoom + camera.panX
    : cy - normalised * halfY * camera.zoom + camera.panY;
}
