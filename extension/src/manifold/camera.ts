// From embedding coordinates to canvas pixels. Points are first normalised into the unit
// cube around their centre (so any embedding scale fills the plot), then 3-D points are
// rotated (yaw about the vertical axis, then pitch) and projected orthographically; zoom
// and pan act last, in screen space, so they behave the same in 2-D and 3-D.

export interface Camera {
  zoom: number;
  panX: number;
  panY: number;
  /** Radians; only used in 3-D. */
  yaw: number;
  pitch: number;
}

export const initialCamera = (): Camera => ({ zoom: 1, panX: 0, panY: 0, yaw: 0.6, pitch: 0.35 });

export interface Normalisation {
  centre: number[];
  scale: number;
}

/** Centre and scale that map every point (and trajectory point) into [-1, 1] on its widest axis. */
export function normalisation(points: readonly (readonly number[])[], dimensions: number): Normalisation {
  const low = new Array(dimensions).fill(Infinity);
  const high = new Array(dimensions).fill(-Infinity);
  for (const point of points) {
    for (let c = 0; c < dimensions; c++) {
      if (point[c] < low[c]) low[c] = point[c];
      if (point[c] > high[c]) high[c] = point[c];
    }
  }
  const centre = low.map((l, c) => (Number.isFinite(l) ? (l + high[c]) / 2 : 0));
  const span = Math.max(...low.map((l, c) => (Number.isFinite(l) ? high[c] - l : 0)));
  return { centre, scale: span > 0 ? 2 / span : 1 };
}

export interface Viewport {
  width: number;
  height: number;
  /** Pixels left empty around the unit square. */
  margin: number;
}

/**
 * Projects `point` to screen pixels; returns [x, y, depth] (depth only orders 3-D drawing:
 * larger is nearer). In 2-D the data's y axis points up.
 */
export function projectPoint(point: readonly number[], dimensions: number, norm: Normalisation, camera: Camera, viewport: Viewport, out: Float64Array, at: number): void {
  let x = (point[0] - norm.centre[0]) * norm.scale;
  let y = (point[1] - norm.centre[1]) * norm.scale;
  let depth = 0;
  if (dimensions === 3) {
    const z = (point[2] - norm.centre[2]) * norm.scale;
    const cosYaw = Math.cos(camera.yaw), sinYaw = Math.sin(camera.yaw);
    const cosPitch = Math.cos(camera.pitch), sinPitch = Math.sin(camera.pitch);
    const x1 = cosYaw * x + sinYaw * z;
    const z1 = -sinYaw * x + cosYaw * z;
    const y1 = cosPitch * y - sinPitch * z1;
    depth = sinPitch * y + cosPitch * z1;
    x = x1;
    y = y1;
  }
  const half = Math.min(viewport.width, viewport.height) / 2 - viewport.margin;
  out[at] = viewport.width / 2 + (x * half) * camera.zoom + camera.panX;
  out[at + 1] = viewport.height / 2 - (y * half) * camera.zoom + camera.panY;
  out[at + 2] = depth;
}
