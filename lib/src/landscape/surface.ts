// 2-D loss surfaces and 1-D slices around a trained model (Li et al. 2018, "Visualizing the Loss
// Landscape of Neural Nets"): L(θ* + α d1 + β d2) on a grid of (α, β). Random Gaussian directions
// are rescaled filter by filter (each output unit's incoming weights get the norm of the model's
// own filter), which is what makes surfaces of different networks comparable; the
// loss-landscapes package's open bug #3 is that it scales whole layers instead. PCA directions
// come from the optimisation trajectory (Li et al. §7): the top principal components of the
// checkpoints' offsets from θ*, with the trajectory projected onto them.

import { ArgumentError, NumericalError, ShapeError } from '../errors';
import { resolveOptions, type OptionDefaults } from '../options/resolve';
import { rng } from '../random/rng';
import { symmetricEigen } from '../linalg/symmetric-eigen';
import { dot } from '../linalg/dense';
import { networkSlots, fromWeightSet } from '../train/mlp';
import type { NetworkArchitecture } from '../train/network';
import { errorPercent, type TrainingTask } from '../train/task';
import { WeightSet } from '../weights/weight-set';
import { ResultTable } from '../table/result-table';
import { mimeBundle, type MimeBundle } from '../display/protocol';
import { chartBundle, vegaLite, type VegaLiteChart } from '../display/vega-lite';
import { SURFACE_MIME, type SurfacePayload } from '../display/payloads';

/** How a direction is rescaled against the model's parameters before use. */
export type DirectionNormalization = 'filter' | 'layer' | 'none';

/** Where the directions come from: seeded Gaussians, the trajectory's principal components, or given vectors. */
export type SurfaceDirections = 'random' | 'pca' | readonly Float64Array[];

export interface LossSurfaceOptions {
  /**
   * 'random': Gaussian directions from `seed`; 'pca': the top principal components of
   * `trajectory` (offsets from the model); or one or two vectors of the model's dimension.
   * @default 'random'
   */
  directions?: SurfaceDirections;
  /**
   * 'filter' (Li et al.): every filter (the incoming weights of one output unit or conv channel)
   * of a direction gets the norm of the same filter of the model; 'layer': every weight matrix
   * gets the norm of the model's; 'none': the direction as it is. Not applied to PCA directions
   * (they are orthonormal components in parameter units, as in Li et al. §7).
   * @default 'filter'
   */
  normalization?: DirectionNormalization;
  /**
   * 'ignore': the bias entries of a direction are zero (Li et al.'s default `biasbn`); 'include':
   * with filter or layer normalisation a bias direction is the model's bias itself (Li et al.'s
   * rule for one-dimensional parameters), otherwise it is kept as drawn.
   * @default 'ignore'
   */
  bias?: 'ignore' | 'include';
  /**
   * The coordinates' span, on both axes: r for [-r, r], or [low, high].
   * @default undefined ([-1, 1]; with 'pca' each axis spans the projected trajectory plus 20 %)
   */
  range?: number | readonly [number, number];
  /**
   * Grid points per axis (odd puts a point on the model itself).
   * @default 21
   */
  resolution?: number;
  /**
   * 2 for a surface, 1 for a slice along the first direction.
   * @default 2
   */
  dimensions?: 1 | 2;
  /**
   * Seed of the random directions (first direction from fold 1, second from fold 2).
   * @default 0
   */
  seed?: number;
  /**
   * Checkpoints of the optimisation (e.g. every epoch, in order), as flat vectors or WeightSets:
   * the input of 'pca', and projected onto any directions when given.
   * @default undefined
   */
  trajectory?: readonly (Float64Array | WeightSet)[];
}

/** lossSurface's defaults (documented with @default in LossSurfaceOptions). */
export const LOSS_SURFACE_DEFAULTS = {
  directions: 'random',
  normalization: 'filter',
  bias: 'ignore',
  range: undefined,
  resolution: 21,
  dimensions: 2,
  seed: 0,
  trajectory: undefined,
} as const satisfies OptionDefaults<LossSurfaceOptions>;

/** One grid point of a surface. */
export interface SurfaceRow {
  /** Coordinate along the first direction. */
  alpha: number;
  /** Coordinate along the second direction (0 on a 1-D slice). */
  beta: number;
  /** The task's training loss at θ* + α d1 + β d2. */
  train_loss: number;
  /** The task's test loss there. */
  test_loss: number;
  /** Training error in percent (the relative L2 error of a regression task). */
  train_error: number;
  /** Test error in percent. */
  test_error: number;
}

/** One checkpoint of the trajectory, projected onto the directions. */
export interface TrajectoryRow {
  /** Position of the checkpoint in the trajectory (0 = first). */
  step: number;
  /** Least-squares coordinate along the first direction. */
  alpha: number;
  /** Least-squares coordinate along the second direction (0 for a slice). */
  beta: number;
  /** Distance of the checkpoint from the plane (or line) of the directions through θ*. */
  residual: number;
}

/** `value` as the flat vector of `arch` (a WeightSet is converted), checked against the task's dimension. */
export function vectorOf(arch: NetworkArchitecture, value: Float64Array | WeightSet, field: string, dimension: number) {
  const vector = value instanceof WeightSet ? fromWeightSet(arch, value) : value;
  if (!(vector instanceof Float64Array) || vector.length !== dimension)
    throw new ShapeError('a parameter vector must match the task', {
      field,
      expected: `a Float64Array of ${dimension} parameters or a WeightSet of the architecture`,
      found: vector instanceof Float64Array ? `${vector.length} values` : typeof vector,
    });
  return vector;
}

/**
 * A direction rescaled against `params` (Li et al.'s normalize_directions_for_weights): 'filter'
 * gives every row of every weight matrix (one output unit; for a conv layer one output channel
 * across in x k x k) the norm of the same row of `params`; 'layer' does it for whole matrices.
 * Bias entries follow `bias` (see LossSurfaceOptions). A zero filter of the direction stays zero.
 */
export function normalizeDirection(
  direction: Float64Array,
  params: Float64Array,
  architecture: NetworkArchitecture,
  normalization: DirectionNormalization,
  bias: 'ignore' | 'include' = 'ignore',
): Float64Array {
  if (direction.length !== params.length)
    throw new ShapeError('direction and parameters differ in length', {
      field: 'direction',
      expected: String(params.length),
      found: String(direction.length),
    });
  const out = Float64Array.from(direction);
  const rescale = (start: number, end: number) => {
    let model = 0;
    let drawn = 0;
    for (let i = start; i < end; i++) {
      model += params[i] * params[i];
      drawn += out[i] * out[i];
    }
    const factor = drawn > 0 ? Math.sqrt(model) / Math.sqrt(drawn) : 0;
    for (let i = start; i < end; i++) out[i] *= factor;
  };
  for (const slot of networkSlots(architecture)) {
    if (normalization === 'filter')
      for (let row = 0; row < slot.outputs; row++)
        rescale(slot.weight + row * slot.inputs, slot.weight + (row + 1) * slot.inputs);
    else if (normalization === 'layer') rescale(slot.weight, slot.bias);
    const biasEnd = slot.bias + slot.outputs;
    if (bias === 'ignore') out.fill(0, slot.bias, biasEnd);
    else if (normalization !== 'none') out.set(params.subarray(slot.bias, biasEnd), slot.bias);
  }
  return out;
}

/** Zero the bias entries of `vector` in place (Li et al. ignore_biasbn). */
function zeroBiases(vector: Float64Array, architecture: NetworkArchitecture): Float64Array {
  for (const slot of networkSlots(architecture)) vector.fill(0, slot.bias, slot.bias + slot.outputs);
  return vector;
}

/**
 * The top `count` principal directions of the offsets θ_i - θ* (rows; bias entries zeroed
 * unless `bias` is 'include'; checkpoints equal to θ* left out, as Li et al. leave out the
 * final model), with columns centred as sklearn's PCA does. Computed from the small Gram matrix
 * of the checkpoints; each direction has unit norm and its largest-magnitude entry positive.
 */
export function trajectoryDirections(
  center: Float64Array,
  trajectory: readonly Float64Array[],
  architecture: NetworkArchitecture,
  count: number,
  bias: 'ignore' | 'include' = 'ignore',
): { directions: Float64Array[]; explainedVariance: number[] } {
  const P = center.length;
  const rows = trajectory
    .filter((point) => point.some((value, i) => value !== center[i]))
    .map((point) => {
      const offset = Float64Array.from(point, (value, i) => value - center[i]);
      return bias === 'ignore' ? zeroBiases(offset, architecture) : offset;
    });
  const n = rows.length;
  if (n < count + 1)
    throw new ArgumentError('PCA directions need more checkpoints that differ from the model', {
      field: 'trajectory',
      expected: `at least ${count + 1} checkpoints other than the model`,
      found: String(n),
    });
  const mean = new Float64Array(P);
  for (const row of rows) for (let j = 0; j < P; j++) mean[j] += row[j] / n;
  for (const row of rows) for (let j = 0; j < P; j++) row[j] -= mean[j];
  const gram = new Float64Array(n * n);
  for (let a = 0; a < n; a++) for (let b = a; b < n; b++) gram[a * n + b] = gram[b * n + a] = dot(rows[a], rows[b]);
  const { values, vectors } = symmetricEigen(gram, n);
  const total = values.reduce((s, v) => s + Math.max(v, 0), 0);
  const directions: Float64Array[] = [];
  for (let k = 0; k < count; k++) {
    if (!(values[k] > 1e-12 * total))
      throw new NumericalError('the trajectory spans fewer dimensions than directions asked for', {
        field: 'trajectory',
        expected: `${count} non-zero principal components`,
        found: `eigenvalues ${Array.from(values.subarray(0, count)).join(', ')}`,
      });
    const direction = new Float64Array(P);
    for (let i = 0; i < n; i++) {
      const weight = vectors[k * n + i];
      for (let j = 0; j < P; j++) direction[j] += weight * rows[i][j];
    }
    let norm = 0;
    let largest = 0;
    for (let j = 0; j < P; j++) {
      norm += direction[j] * direction[j];
      if (Math.abs(direction[j]) > Math.abs(largest)) largest = direction[j];
    }
    const scale = (largest < 0 ? -1 : 1) / Math.sqrt(norm);
    for (let j = 0; j < P; j++) direction[j] *= scale;
    directions.push(direction);
  }
  return { directions, explainedVariance: Array.from(values.subarray(0, count), (v) => v / total) };
}

/** Least-squares coordinates of `point - center` on the directions, and the distance left over. */
function project(point: Float64Array, center: Float64Array, directions: readonly Float64Array[]) {
  const offset = Float64Array.from(point, (value, i) => value - center[i]);
  const rhs = directions.map((d) => dot(d, offset));
  let coordinates: number[];
  if (directions.length === 1) coordinates = [rhs[0] / dot(directions[0], directions[0])];
  else {
    const [g11, g12, g22] = [
      dot(directions[0], directions[0]),
      dot(directions[0], directions[1]),
      dot(directions[1], directions[1]),
    ];
    const det = g11 * g22 - g12 * g12;
    coordinates = [(g22 * rhs[0] - g12 * rhs[1]) / det, (g11 * rhs[1] - g12 * rhs[0]) / det];
  }
  directions.forEach((d, k) => d.forEach((value, i) => (offset[i] -= coordinates[k] * value)));
  return { coordinates, residual: Math.sqrt(dot(offset, offset)) };
}

/** count points from low to high, written about the midpoint so a symmetric odd grid has 0 exactly. */
function linspace(low: number, high: number, count: number): Float64Array {
  const [middle, half] = [(low + high) / 2, (high - low) / 2];
  return Float64Array.from({ length: count }, (_, i) => middle + (half * (2 * i - (count - 1))) / (count - 1));
}

function checkRange(range: number | readonly [number, number]): [number, number] {
  const pair: [number, number] = typeof range === 'number' ? [-range, range] : [range[0], range[1]];
  if (!(Number.isFinite(pair[0]) && Number.isFinite(pair[1]) && pair[0] < pair[1]))
    throw new ArgumentError('range must be a positive number or an increasing [low, high]', {
      field: 'range',
      expected: 'r > 0 or [low, high] with low < high',
      found: JSON.stringify(range),
    });
  return pair;
}

/**
 * The loss of `task` on a grid around `model` (a flat parameter vector or a WeightSet of the
 * task's architecture): a 2-D surface L(θ* + α d1 + β d2) or, with `dimensions: 1`, a slice.
 */
export function lossSurface(
  model: Float64Array | WeightSet,
  task: TrainingTask,
  options: LossSurfaceOptions = {},
): LossSurface {
  const o = resolveOptions('lossSurface', LOSS_SURFACE_DEFAULTS, options);
  const arch = task.architecture;
  const center = vectorOf(arch, model, 'model', task.dimension);
  const count = o.dimensions;
  if (count !== 1 && count !== 2)
    throw new ArgumentError('dimensions must be 1 or 2', {
      field: 'dimensions',
      expected: '1 or 2',
      found: String(count),
    });
  if (!['filter', 'layer', 'none'].includes(o.normalization))
    throw new ArgumentError('unknown normalization', {
      field: 'normalization',
      expected: "'filter', 'layer' or 'none'",
      found: String(o.normalization),
    });
  if (o.bias !== 'ignore' && o.bias !== 'include')
    throw new ArgumentError('unknown bias rule', {
      field: 'bias',
      expected: "'ignore' or 'include'",
      found: String(o.bias),
    });
  if (!(Number.isInteger(o.resolution) && o.resolution >= 2))
    throw new ArgumentError('resolution must be an integer of at least 2', {
      field: 'resolution',
      expected: 'an integer >= 2',
      found: String(o.resolution),
    });
  const trajectory = o.trajectory?.map((point, i) => vectorOf(arch, point, `trajectory[${i}]`, task.dimension));

  let directions: Float64Array[];
  let kind: 'random' | 'pca' | 'given';
  let explainedVariance: number[] | undefined;
  if (o.directions === 'pca') {
    if (options?.normalization !== undefined && options.normalization !== 'none')
      throw new ArgumentError('PCA directions are used as they are', {
        field: 'normalization',
        expected: "'none' (or no normalization) with directions 'pca'",
        found: `'${options?.normalization}'`,
      });
    if (!trajectory)
      throw new ArgumentError("directions 'pca' needs the trajectory", {
        field: 'trajectory',
        expected: 'an array of checkpoints',
        found: 'undefined',
      });
    ({ directions, explainedVariance } = trajectoryDirections(center, trajectory, arch, count, o.bias));
    kind = 'pca';
  } else if (o.directions === 'random') {
    directions = Array.from({ length: count }, (_, k) =>
      normalizeDirection(
        rng(o.seed)
          .fold(k + 1)
          .normal(task.dimension),
        center,
        arch,
        o.normalization,
        o.bias,
      ),
    );
    kind = 'random';
  } else if (Array.isArray(o.directions) && o.directions.length === count) {
    directions = o.directions.map((d, k) =>
      normalizeDirection(vectorOf(arch, d, `directions[${k}]`, task.dimension), center, arch, o.normalization, o.bias),
    );
    kind = 'given';
  } else
    throw new ArgumentError('directions must be random, pca, or one vector per dimension', {
      field: 'directions',
      expected: `'random', 'pca' or an array of ${count} Float64Array`,
      found: Array.isArray(o.directions) ? `an array of ${o.directions.length}` : String(o.directions),
    });

  const path = trajectory?.map((point, step) => {
    const { coordinates, residual } = project(point, center, directions);
    return { step, alpha: coordinates[0], beta: coordinates[1] ?? 0, residual };
  });

  let ranges: [number, number][];
  if (o.range !== undefined) ranges = Array(count).fill(checkRange(o.range));
  else if (kind === 'pca' && path) {
    ranges = (['alpha', 'beta'] as const).slice(0, count).map((axis) => {
      const values = path.map((p) => p[axis]).concat(0);
      const [low, high] = [Math.min(...values), Math.max(...values)];
      const margin = 0.2 * (high - low);
      return [low - margin, high + margin];
    });
  } else ranges = Array(count).fill([-1, 1]);
  const alphas = linspace(ranges[0][0], ranges[0][1], o.resolution);
  const betas = count === 2 ? linspace(ranges[1][0], ranges[1][1], o.resolution) : Float64Array.of(0);

  const theta = new Float64Array(task.dimension);
  const rows: SurfaceRow[] = [];
  for (const beta of betas)
    for (const alpha of alphas) {
      for (let i = 0; i < theta.length; i++)
        theta[i] = center[i] + alpha * directions[0][i] + (count === 2 ? beta * directions[1][i] : 0);
      const metrics = task.evaluate(theta);
      rows.push({
        alpha,
        beta,
        train_loss: metrics.train_loss,
        test_loss: metrics.test_loss,
        train_error: errorPercent(metrics, 'train'),
        test_error: errorPercent(metrics, 'test'),
      });
    }
  return new LossSurface({
    task: task.name,
    kind,
    normalization: kind === 'pca' ? 'none' : o.normalization,
    center,
    directions,
    alphas,
    betas,
    rows,
    trajectory: path,
    explainedVariance,
  });
}

/** Segments of the level-`level` contour of a grid (values[row * columns + column]) by marching squares. */
export function contourSegments(
  values: ArrayLike<number>,
  xs: ArrayLike<number>,
  ys: ArrayLike<number>,
  level: number,
): [number, number, number, number][] {
  const columns = xs.length;
  const segments: [number, number, number, number][] = [];
  const at = (r: number, c: number) => values[r * columns + c];
  for (let r = 0; r + 1 < ys.length; r++)
    for (let c = 0; c + 1 < columns; c++) {
      // Corners counter-clockwise from (r, c); an edge is crossed when its ends straddle the level.
      const corners: [number, number, number][] = [
        [xs[c], ys[r], at(r, c)],
        [xs[c + 1], ys[r], at(r, c + 1)],
        [xs[c + 1], ys[r + 1], at(r + 1, c + 1)],
        [xs[c], ys[r + 1], at(r + 1, c)],
      ];
      const crossings: [number, number][] = [];
      for (let e = 0; e < 4; e++) {
        const [x0, y0, v0] = corners[e];
        const [x1, y1, v1] = corners[(e + 1) % 4];
        if (v0 < level !== v1 < level) {
          const t = (level - v0) / (v1 - v0);
          crossings.push([x0 + t * (x1 - x0), y0 + t * (y1 - y0)]);
        }
      }
      // Two crossings: one segment; four (a saddle): pair them around the cell in order.
      for (let k = 0; k + 1 < crossings.length; k += 2)
        segments.push([crossings[k][0], crossings[k][1], crossings[k + 1][0], crossings[k + 1][1]]);
    }
  return segments;
}

export interface SurfaceChartOptions {
  /**
   * Which loss the chart shows.
   * @default 'train'
   */
  split?: 'train' | 'test';
  /**
   * Contour levels: evenly spaced in log(loss) between the grid's minimum and maximum when every
   * loss is positive, else linearly.
   * @default 12
   */
  levels?: number;
  /** Chart title. @default undefined (the surface's description) */
  title?: string;
}

/** LossSurface.chart's defaults (documented with @default in SurfaceChartOptions). */
export const SURFACE_CHART_DEFAULTS = {
  split: 'train',
  levels: 12,
  title: undefined,
} as const satisfies OptionDefaults<SurfaceChartOptions>;

interface LossSurfaceParts {
  task: string;
  kind: 'random' | 'pca' | 'given';
  normalization: DirectionNormalization;
  center: Float64Array;
  directions: Float64Array[];
  alphas: Float64Array;
  betas: Float64Array;
  rows: SurfaceRow[];
  trajectory?: TrajectoryRow[];
  explainedVariance?: number[];
}

/** A loss surface or slice: the grid, the directions it was measured along, and the projected trajectory. */
export class LossSurface {
  /** Name of the task the loss belongs to. */
  readonly task: string;
  /** Where the directions came from. */
  readonly kind: 'random' | 'pca' | 'given';
  /** The normalisation applied to the directions ('none' for PCA directions). */
  readonly normalization: DirectionNormalization;
  /** The model θ* at the origin. */
  readonly center: Float64Array;
  /** The directions as used (after normalisation): one for a slice, two for a surface. */
  readonly directions: readonly Float64Array[];
  /** Grid coordinates along the first direction. */
  readonly alphas: Float64Array;
  /** Grid coordinates along the second direction ([0] for a slice). */
  readonly betas: Float64Array;
  /** PCA only: fraction of the trajectory's variance each direction explains. */
  readonly explainedVariance?: readonly number[];
  readonly #rows: SurfaceRow[];
  readonly #trajectory?: TrajectoryRow[];

  constructor(parts: LossSurfaceParts) {
    this.task = parts.task;
    this.kind = parts.kind;
    this.normalization = parts.normalization;
    this.center = parts.center;
    this.directions = parts.directions;
    this.alphas = parts.alphas;
    this.betas = parts.betas;
    this.explainedVariance = parts.explainedVariance;
    this.#rows = parts.rows;
    this.#trajectory = parts.trajectory;
  }

  /** 1 for a slice, 2 for a surface. */
  get dimensions(): 1 | 2 {
    return this.directions.length as 1 | 2;
  }

  /** The grid points, β-major (all α at the first β, then the next β). */
  rows(): SurfaceRow[] {
    return this.#rows.map((row) => ({ ...row }));
  }

  /** The loss on the grid as a β-major array (loss(split)[j * alphas.length + i] is at alphas[i], betas[j]). */
  loss(split: 'train' | 'test' = 'train'): Float64Array {
    return Float64Array.from(this.#rows, (row) => (split === 'train' ? row.train_loss : row.test_loss));
  }

  /** The projected trajectory (undefined when no trajectory was given). */
  trajectory(): TrajectoryRow[] | undefined {
    return this.#trajectory?.map((row) => ({ ...row }));
  }

  table(): ResultTable<SurfaceRow> {
    return ResultTable.fromRows(this.#rows, { title: this.description() });
  }

  description(): string {
    const what = this.dimensions === 2 ? 'loss surface' : 'loss slice';
    const along =
      this.kind === 'pca'
        ? 'PCA directions of the trajectory'
        : `${this.kind} directions, ${this.normalization} normalisation`;
    return `${what} of ${this.task} (${along})`;
  }

  /** Heatmap with contour lines (and the trajectory for PCA or when given); a line chart for a slice. */
  chart(options: SurfaceChartOptions = {}): VegaLiteChart {
    const o = resolveOptions('LossSurface.chart', SURFACE_CHART_DEFAULTS, options);
    const field = o.split === 'train' ? 'train_loss' : 'test_loss';
    const title = o.title ?? this.description();
    if (this.dimensions === 1)
      return vegaLite({
        title,
        width: 420,
        height: 280,
        data: { values: this.rows() },
        transform: [{ fold: ['train_loss', 'test_loss'], as: ['split', 'loss'] }],
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'alpha', type: 'quantitative', title: 'α (first direction)' },
          y: { field: 'loss', type: 'quantitative', title: 'loss' },
          color: { field: 'split', type: 'nominal', title: null },
        },
      });
    const values = this.loss(o.split);
    const positive = values.every((v) => v > 0);
    const [low, high] = [Math.min(...values), Math.max(...values)];
    const levels = Array.from({ length: o.levels }, (_, k) => {
      const t = (k + 0.5) / o.levels;
      return positive ? Math.exp(Math.log(low) + t * (Math.log(high) - Math.log(low))) : low + t * (high - low);
    });
    const contours = levels.flatMap((level) =>
      contourSegments(values, this.alphas, this.betas, level).map(([x, y, x2, y2]) => ({ x, y, x2, y2, level })),
    );
    const half = (axis: Float64Array) => (axis.length > 1 ? (axis[1] - axis[0]) / 2 : 0.5);
    const [hx, hy] = [half(this.alphas), half(this.betas)];
    const cells = this.#rows.map((row) => ({
      x: row.alpha - hx,
      x2: row.alpha + hx,
      y: row.beta - hy,
      y2: row.beta + hy,
      loss: row[field],
    }));
    const axisTitles =
      this.kind === 'pca'
        ? (this.explainedVariance ?? []).map((v, k) => `PC${k + 1} (${(100 * v).toFixed(1)} % of the trajectory)`)
        : ['α (first direction)', 'β (second direction)'];
    const x = { field: 'x', type: 'quantitative', title: axisTitles[0], scale: { zero: false, nice: false } };
    const y = { field: 'y', type: 'quantitative', title: axisTitles[1], scale: { zero: false, nice: false } };
    const layer: Record<string, unknown>[] = [
      {
        data: { values: cells },
        mark: { type: 'rect' },
        encoding: {
          x,
          x2: { field: 'x2' },
          y,
          y2: { field: 'y2' },
          color: {
            field: 'loss',
            type: 'quantitative',
            title: field,
            scale: { scheme: 'viridis', type: positive ? 'log' : 'linear' },
          },
          tooltip: [{ field: 'loss', type: 'quantitative', format: '.4g' }],
        },
      },
      {
        data: { values: contours },
        mark: { type: 'rule', color: 'white', strokeWidth: 1, opacity: 0.8 },
        encoding: { x, y, x2: { field: 'x2' }, y2: { field: 'y2' } },
      },
    ];
    const path = this.#trajectory;
    if (path)
      layer.push({
        data: { values: path.map((p) => ({ x: p.alpha, y: p.beta, step: p.step })) },
        mark: { type: 'line', color: '#D55E00', point: { color: '#D55E00' }, clip: true },
        encoding: { x, y, order: { field: 'step', type: 'quantitative' } },
      });
    return vegaLite({ title, width: 360, height: 360, layer });
  }

  /** The weightlab payload of the extension's 3-D view. */
  toJSON(): SurfacePayload {
    const rows = (split: 'train' | 'test') => {
      const values = this.loss(split);
      return Array.from(this.betas, (_, j) =>
        Array.from(values.subarray(j * this.alphas.length, (j + 1) * this.alphas.length), (v) =>
          Number.isFinite(v) ? v : null,
        ),
      );
    };
    return {
      version: 1,
      title: this.description(),
      alphas: Array.from(this.alphas),
      betas: Array.from(this.betas),
      loss: { train: rows('train'), test: rows('test') },
      trajectory: this.#trajectory?.map((p) => [p.alpha, p.beta]) ?? null,
    };
  }

  toString(): string {
    const values = this.loss('train');
    let best = 0;
    for (let k = 1; k < values.length; k++) if (values[k] < values[best]) best = k;
    const origin = this.#rows.find((row) => row.alpha === 0 && row.beta === 0);
    return [
      `${this.description()}: ${this.alphas.length}${this.dimensions === 2 ? ` x ${this.betas.length}` : ''} points`,
      `  train loss from ${values[best].toPrecision(4)} at (α ${this.#rows[best].alpha.toPrecision(3)}, β ${this.#rows[best].beta.toPrecision(3)}) to ${Math.max(...values).toPrecision(4)}`,
      origin
        ? `  at the model: train ${origin.train_loss.toPrecision(4)}, test ${origin.test_loss.toPrecision(4)}`
        : '',
      this.explainedVariance
        ? `  PCA directions explain ${this.explainedVariance.map((v) => `${(100 * v).toFixed(1)} %`).join(', ')} of the trajectory`
        : '',
    ]
      .filter(Boolean)
      .join('\n');
  }

  [mimeBundle](): Promise<MimeBundle> {
    const extra = this.dimensions === 2 ? { [SURFACE_MIME]: this.toJSON() } : {};
    return chartBundle(this.chart(), extra, this.toString());
  }
}
