// The JSON payloads weightlab sends to its JupyterLab renderer, in one place: the library
// modules that emit them (manifold, spectral, phase diagrams) and the extension that draws
// them both import these types, so producer and renderer cannot drift apart. Each payload
// travels as a JSON object under its own versioned MIME type; a breaking change gets a new
// version (v2) and the renderer keeps reading v1. Everything here is plain data: no
// functions, no HTML, so the renderer can be `safe: true` and build its DOM from values only.

import { weightlabMimeType } from './protocol';
import { WeightlabError } from '../errors';

export const MANIFOLD_MIME = weightlabMimeType('manifold');
export const PHASE_DIAGRAM_MIME = weightlabMimeType('phase-diagram');
export const ESD_MIME = weightlabMimeType('esd');
export const SURFACE_MIME = weightlabMimeType('surface');

/** A cell of the per-model table: numbers for metrics, strings for categories, null when unknown. */
export type TableValue = number | string | boolean | null;

/** One column of a per-item table. */
export interface ColumnInfo {
  name: string;
  /** 'quantitative' columns get a continuous colour scale and can drive point size; 'nominal' get categorical colours. */
  type: 'quantitative' | 'nominal';
  /** Where the value comes from; the tooltip groups hyperparameters and metrics. */
  role: 'id' | 'hyperparameter' | 'metric' | 'other';
}

/** A table stored by column (compact for 10,000 rows): `values[column][row]`. */
export interface Table {
  columns: ColumnInfo[];
  values: Record<string, TableValue[]>;
}

/** One axis of an embedding. */
export interface AxisInfo {
  /** 'PC1', 'UMAP 2', ... */
  label: string;
  /** PCA only: fraction of the total variance this component explains. */
  explainedVariance?: number;
}

/** The path of one model through the embedding over training (checkpoints in epoch order). */
export interface Trajectory {
  /** Row of the model in `table` (and in `points`) that this trajectory belongs to. */
  model: number;
  /** Epoch (or step) of each checkpoint. */
  epochs: number[];
  /** Coordinates of each checkpoint, in the same space and dimension as `points`. */
  points: number[][];
}

/**
 * `application/vnd.weightlab.manifold.v1+json`: models of a zoo as points of an embedding.
 * `points[i]` is model i (`[x, y]` or `[x, y, z]`), described by row i of `table`.
 */
export interface ManifoldPayload {
  version: 1;
  title: string;
  method: 'pca' | 'umap';
  /** Number of coordinates per point (2 or 3). */
  dimensions: 2 | 3;
  axes: AxisInfo[];
  points: number[][];
  table: Table;
  /** Name of the `table` column that identifies a model (shown first in tooltips and selections). */
  idColumn: string;
  /** Initial colour and size columns (the renderer offers switchers over all columns). */
  colorBy?: string;
  sizeBy?: string;
  /**
   * How the view maps coordinates to the plot (default 'fill'): 'fill' scales each axis to
   * the plot's width or height, so a direction of small variance (PC2 of two seeds) is not
   * squashed into a sliver, and the tick values give each axis's true scale; 'equal' keeps one
   * scale for every axis, so on-screen distances are proportional to embedding distances.
   */
  aspect?: 'fill' | 'equal';
  trajectories: Trajectory[];
  /** How the vectors were prepared: 'none' or 'per-layer' standardisation, and the alignment applied. */
  preprocessing: { standardize: 'none' | 'per-layer'; alignment: string; inputDimension: number };
}

/** One axis of a phase diagram: the hyperparameter swept and its grid values. */
export interface PhaseAxis {
  name: string;
  values: (number | string)[];
  /** Spacing of numeric values ('log' for learning rates, weight decay, ...). */
  scale: 'linear' | 'log' | 'categorical';
}

/**
 * `application/vnd.weightlab.phase-diagram.v1+json`: a grid over two hyperparameters.
 * Cell (row r, column c) is (y.values[r], x.values[c]); `metrics[name][r][c]` is its value
 * (null where the cell was not run), `phases[r][c]` its phase label (null where unknown).
 */
export interface PhaseDiagramPayload {
  version: 1;
  title: string;
  x: PhaseAxis;
  y: PhaseAxis;
  metrics: Record<string, (number | null)[][]>;
  /** Metric first on the view switch (the view opens on the phase map; metrics are one switch away). */
  metric: string;
  phases: (string | null)[][];
  /** Optional descriptions of the phase labels, shown in the legend (e.g. 'memorization'). */
  phaseDescriptions?: Record<string, string>;
  /** Optional colour (CSS hex) per phase label; absent labels take PHASE_COLORS, then OKABE_ITO in legend order. */
  phaseColors?: Record<string, string>;
  /** Optional, per metric: its title on the switch and how its colour scale reads. */
  metricDisplay?: Record<string, MetricDisplay>;
}

/** How a phase-diagram metric is coloured (default: viridis over [min, max], log when positive and spanning 100x or more). */
export interface MetricDisplay {
  /** Readable name ('test accuracy' for test_acc). */
  title?: string;
  /** 'log' colours by log10 (positive values only); 'linear' never does. */
  scale?: 'linear' | 'log';
  /** A diverging scale (red below, blue above, white here), e.g. 0 for mode connectivity, 1 for CKA. */
  divergingAt?: number;
}

/**
 * The Okabe-Ito palette (Okabe & Ito 2008, "Color Universal Design"): eight colours that stay
 * distinguishable under the common colour-vision deficiencies. Phase maps draw from it.
 */
export const OKABE_ITO = [
  '#E69F00',
  '#56B4E9',
  '#009E73',
  '#F0E442',
  '#0072B2',
  '#D55E00',
  '#CC79A7',
  '#000000',
] as const;

/**
 * Colours of Yang et al.'s loss-landscape phases, shared by the extension and the Vega-Lite
 * fallback so both show a phase in the same colour: the underfit phases I and II warm
 * (vermillion, orange), the poorly connected fit phase III reddish purple, and the connected
 * fit phases cool (IV-A blue, IV-B bluish green, the generalizing one).
 */
export const PHASE_COLORS: Readonly<Record<string, string>> = {
  I: '#D55E00',
  II: '#E69F00',
  III: '#CC79A7',
  'IV-A': '#0072B2',
  'IV-B': '#009E73',
};

/** The layer an ESD belongs to: its name, or what lib/src/spectral's analysis knows of it. */
export type EsdLayer =
  string | { layerId?: number | string; name?: string; layerType?: string; N?: number; M?: number; Q?: number };

/**
 * `application/vnd.weightlab.esd.v1+json`: the empirical spectral density of one layer
 * (eigenvalues of W^T W / N, as weightwatcher defines it) with its power-law tail fit.
 * lib/src/spectral/plots.ts (esdPlot) emits this; its extra fields (fit candidates, the
 * MP fit's parameters, a precomputed histogram) are allowed and ignored by the renderer.
 */
export interface EsdPayload {
  /** 1 when present (esdPlot leaves it out; the MIME type carries the version). */
  version?: 1;
  title?: string;
  layer: EsdLayer;
  /** Eigenvalues, any order; the renderer histograms them on log-spaced bins. */
  eigenvalues: number[];
  /** Power-law fit of the tail p(λ) ∝ λ^-alpha for λ in [xmin, xmax]; null or absent when not fitted. */
  fit?: {
    alpha: number;
    xmin: number;
    xmax: number;
    /** Kolmogorov-Smirnov distance of the fit. */
    D?: number;
    /** '' | 'over-trained' | 'under-trained' (alpha outside [2, 6]). */
    warning?: string;
  } | null;
  /** Marchenko-Pastur bulk when fitted: edges (a shaded band) and optionally its density curve. */
  marchenkoPastur?: { bulkMin: number; bulkMax: number; curve?: { x: number; density: number }[] } | null;
}

/**
 * `application/vnd.weightlab.surface.v1+json`: a 2-D loss surface (landscape.lossSurface) for a
 * 3-D view. `loss.train[j][i]` is the loss at (alphas[i], betas[j]).
 */
export interface SurfacePayload {
  version: 1;
  title: string;
  alphas: number[];
  betas: number[];
  /** Non-finite losses (a diverged corner of the grid) are null. */
  loss: { train: (number | null)[][]; test: (number | null)[][] };
  /** The optimisation path projected on the directions, as [alpha, beta] pairs, or null. */
  trajectory: [number, number][] | null;
}

export type WeightlabPayload = ManifoldPayload | PhaseDiagramPayload | EsdPayload | SurfacePayload;

/** A payload that fails its schema: `path` (also the error's field) names the offending value, e.g. '$.points[3]'. */
export class PayloadError extends WeightlabError {
  readonly path: string;
  constructor(path: string, message: string) {
    super('E_PAYLOAD', message, { field: path });
    this.path = path;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function expect(condition: boolean, path: string, message: string): asserts condition {
  if (!condition) throw new PayloadError(path, message);
}

function finiteList(value: unknown, path: string, length?: number): asserts value is number[] {
  expect(Array.isArray(value), path, 'expected an array of numbers');
  if (length !== undefined) expect(value.length === length, path, `expected ${length} numbers, found ${value.length}`);
  value.forEach((entry, i) =>
    expect(typeof entry === 'number' && Number.isFinite(entry), `${path}[${i}]`, 'expected a finite number'),
  );
}

function checkTable(table: unknown, rows: number, path: string): asserts table is Table {
  expect(
    isRecord(table) && Array.isArray(table.columns) && isRecord(table.values),
    path,
    'expected { columns, values }',
  );
  for (const [i, column] of (table.columns as unknown[]).entries()) {
    expect(
      isRecord(column) && typeof column.name === 'string',
      `${path}.columns[${i}]`,
      'expected { name, type, role }',
    );
    expect(
      column.type === 'quantitative' || column.type === 'nominal',
      `${path}.columns[${i}].type`,
      "expected 'quantitative' or 'nominal'",
    );
    const values = table.values[column.name as string];
    expect(
      Array.isArray(values) && values.length === rows,
      `${path}.values.${String(column.name)}`,
      `expected ${rows} values`,
    );
  }
}

/** Checks a manifold payload (the renderer calls this before drawing; tests call it on what lib emits). */
export function checkManifoldPayload(value: unknown): ManifoldPayload {
  expect(isRecord(value), '$', 'expected an object');
  expect(value.version === 1, '$.version', 'expected 1');
  expect(value.dimensions === 2 || value.dimensions === 3, '$.dimensions', 'expected 2 or 3');
  expect(Array.isArray(value.points), '$.points', 'expected an array');
  const dimensions = value.dimensions as number;
  (value.points as unknown[]).forEach((point, i) => finiteList(point, `$.points[${i}]`, dimensions));
  expect(Array.isArray(value.axes) && value.axes.length === dimensions, '$.axes', `expected ${dimensions} axes`);
  checkTable(value.table, (value.points as unknown[]).length, '$.table');
  const names = new Set((value.table as Table).columns.map((c) => c.name));
  expect(typeof value.idColumn === 'string' && names.has(value.idColumn), '$.idColumn', 'expected a column of table');
  for (const key of ['colorBy', 'sizeBy'] as const) {
    if (value[key] !== undefined)
      expect(
        typeof value[key] === 'string' && names.has(value[key] as string),
        `$.${key}`,
        'expected a column of table',
      );
  }
  if (value.aspect !== undefined)
    expect(
      value.aspect === 'fill' || value.aspect === 'equal',
      '$.aspect',
      `expected 'fill' or 'equal', found ${JSON.stringify(value.aspect)}`,
    );
  expect(Array.isArray(value.trajectories), '$.trajectories', 'expected an array');
  (value.trajectories as unknown[]).forEach((trajectory, t) => {
    const path = `$.trajectories[${t}]`;
    expect(isRecord(trajectory) && Number.isInteger(trajectory.model), path, 'expected { model, epochs, points }');
    finiteList(trajectory.epochs, `${path}.epochs`);
    expect(
      Array.isArray(trajectory.points) && trajectory.points.length === (trajectory.epochs as number[]).length,
      `${path}.points`,
      'expected one point per epoch',
    );
    (trajectory.points as unknown[]).forEach((point, i) => finiteList(point, `${path}.points[${i}]`, dimensions));
  });
  return value as unknown as ManifoldPayload;
}

/** Checks a phase-diagram payload. */
export function checkPhaseDiagramPayload(value: unknown): PhaseDiagramPayload {
  expect(isRecord(value), '$', 'expected an object');
  expect(value.version === 1, '$.version', 'expected 1');
  for (const axis of ['x', 'y'] as const) {
    const entry = value[axis];
    expect(
      isRecord(entry) && typeof entry.name === 'string' && Array.isArray(entry.values) && entry.values.length > 0,
      `$.${axis}`,
      'expected { name, values, scale }',
    );
  }
  const rows = ((value.y as Record<string, unknown>).values as unknown[]).length;
  const columns = ((value.x as Record<string, unknown>).values as unknown[]).length;
  const grid = (cells: unknown, path: string) => {
    expect(Array.isArray(cells) && cells.length === rows, path, `expected ${rows} rows`);
    cells.forEach((row, r) =>
      expect(Array.isArray(row) && row.length === columns, `${path}[${r}]`, `expected ${columns} cells`),
    );
  };
  expect(
    isRecord(value.metrics) && Object.keys(value.metrics).length > 0,
    '$.metrics',
    'expected at least one metric grid',
  );
  for (const [name, cells] of Object.entries(value.metrics as Record<string, unknown>))
    grid(cells, `$.metrics.${name}`);
  expect(
    typeof value.metric === 'string' && value.metric in (value.metrics as object),
    '$.metric',
    'expected one of metrics',
  );
  grid(value.phases, '$.phases');
  if (value.phaseColors !== undefined) {
    expect(isRecord(value.phaseColors), '$.phaseColors', 'expected { phase: colour }');
    for (const [phase, colour] of Object.entries(value.phaseColors)) {
      expect(
        typeof colour === 'string' && /^#[0-9a-fA-F]{6}$/.test(colour),
        `$.phaseColors.${phase}`,
        `expected a colour '#rrggbb', found ${JSON.stringify(colour)}`,
      );
    }
  }
  if (value.metricDisplay !== undefined) {
    expect(isRecord(value.metricDisplay), '$.metricDisplay', 'expected { metric: { title?, scale?, divergingAt? } }');
    for (const [name, display] of Object.entries(value.metricDisplay)) {
      const path = `$.metricDisplay.${name}`;
      expect(isRecord(display), path, 'expected { title?, scale?, divergingAt? }');
      if (display.title !== undefined) expect(typeof display.title === 'string', `${path}.title`, 'expected a string');
      if (display.scale !== undefined)
        expect(
          display.scale === 'linear' || display.scale === 'log',
          `${path}.scale`,
          `expected 'linear' or 'log', found ${JSON.stringify(display.scale)}`,
        );
      if (display.divergingAt !== undefined)
        expect(
          typeof display.divergingAt === 'number' && Number.isFinite(display.divergingAt),
          `${path}.divergingAt`,
          'expected a finite number',
        );
    }
  }
  return value as unknown as PhaseDiagramPayload;
}

/** Checks an ESD payload. */
export function checkEsdPayload(value: unknown): EsdPayload {
  expect(isRecord(value), '$', 'expected an object');
  expect(value.version === undefined || value.version === 1, '$.version', 'expected 1 or absent');
  expect(typeof value.layer === 'string' || isRecord(value.layer), '$.layer', 'expected a name or { name, ... }');
  finiteList(value.eigenvalues, '$.eigenvalues');
  expect((value.eigenvalues as number[]).length > 0, '$.eigenvalues', 'expected at least one eigenvalue');
  if (value.fit !== undefined && value.fit !== null) {
    const fit = value.fit;
    expect(isRecord(fit), '$.fit', 'expected { alpha, xmin, xmax }');
    for (const key of ['alpha', 'xmin', 'xmax'] as const)
      expect(typeof fit[key] === 'number' && Number.isFinite(fit[key]), `$.fit.${key}`, 'expected a finite number');
  }
  const mp = value.marchenkoPastur;
  if (mp !== undefined && mp !== null) {
    expect(
      isRecord(mp) && typeof mp.bulkMin === 'number' && typeof mp.bulkMax === 'number',
      '$.marchenkoPastur',
      'expected { bulkMin, bulkMax, curve? }',
    );
  }
  return value as unknown as EsdPayload;
}

/** The display name of an ESD's layer. */
export function esdLayerName(layer: EsdLayer): string {
  if (typeof layer === 'string') return layer;
  const name = layer.name ?? (layer.layerId !== undefined ? `layer ${layer.layerId}` : 'layer');
  return layer.layerType ? `${name} (${layer.layerType}${layer.N && layer.M ? `, ${layer.N}x${layer.M}` : ''})` : name;
}

/** Checks a loss-surface payload: increasing axes, one loss per grid point (finite or null), [α, β] trajectory points. */
export function checkSurfacePayload(value: unknown): SurfacePayload {
  expect(isRecord(value), '$', 'expected an object');
  expect(value.version === 1, '$.version', 'expected 1');
  expect(typeof value.title === 'string', '$.title', 'expected a string');
  for (const axis of ['alphas', 'betas'] as const) {
    finiteList(value[axis], `$.${axis}`);
    const values = value[axis] as number[];
    expect(values.length >= 2, `$.${axis}`, `expected at least 2 grid coordinates, found ${values.length}`);
    values.forEach((v, i) => expect(i === 0 || v > values[i - 1], `$.${axis}[${i}]`, 'expected increasing values'));
  }
  const [columns, rows] = [(value.alphas as number[]).length, (value.betas as number[]).length];
  expect(isRecord(value.loss), '$.loss', 'expected { train, test }');
  for (const split of ['train', 'test'] as const) {
    const grid = value.loss[split];
    const path = `$.loss.${split}`;
    expect(Array.isArray(grid) && grid.length === rows, path, `expected ${rows} rows (one per beta)`);
    grid.forEach((row, j) => {
      expect(
        Array.isArray(row) && row.length === columns,
        `${path}[${j}]`,
        `expected ${columns} losses (one per alpha)`,
      );
      row.forEach((v, i) =>
        expect(
          v === null || (typeof v === 'number' && Number.isFinite(v)),
          `${path}[${j}][${i}]`,
          'expected a finite number or null',
        ),
      );
    });
  }
  if (value.trajectory !== null) {
    expect(Array.isArray(value.trajectory), '$.trajectory', 'expected an array of [alpha, beta] or null');
    (value.trajectory as unknown[]).forEach((point, i) => finiteList(point, `$.trajectory[${i}]`, 2));
  }
  return value as unknown as SurfacePayload;
}

/**
 * The Jupyter comm target of selections: a live view (manifold, phase diagram) opens a comm to
 * it with `{ view_id }` (from its output's metadata, below) and sends SelectionMessages; the
 * kernel sends them back when a cell selects by script, so both ends show the same selection.
 */
export const SELECTION_COMM_TARGET = 'weightlab.selection';

/** Per-MIME output metadata of a selectable view: the id its kernel knows it by (absent: nothing to tell). */
export interface ViewMetadata {
  view_id: string;
}

/** How a selection was made: in the view (box, lasso, a clicked point or phase cell, cleared) or by a cell ('script'). */
export type SelectionKind = 'box' | 'lasso' | 'point' | 'cell' | 'clear' | 'script';

/**
 * One selection, either way over the comm. A manifold selects points (`indices`: rows of its
 * table); a phase diagram selects one cell (`cell`: row and column of its grid, null for none).
 */
export interface SelectionMessage {
  event: 'selection';
  kind: SelectionKind;
  indices?: number[];
  cell?: { row: number; column: number } | null;
}

const SELECTION_KINDS: readonly string[] = ['box', 'lasso', 'point', 'cell', 'clear', 'script'];

/** Checks a comm message's data (both ends call it on what they receive; a bad one is dropped, not applied). */
export function checkSelectionMessage(value: unknown): SelectionMessage {
  expect(isRecord(value), '$', 'expected an object { event, kind, indices? | cell? }');
  expect(value.event === 'selection', '$.event', `expected 'selection', found ${JSON.stringify(value.event)}`);
  expect(
    typeof value.kind === 'string' && SELECTION_KINDS.includes(value.kind),
    '$.kind',
    `expected one of ${SELECTION_KINDS.join(', ')}, found ${JSON.stringify(value.kind)}`,
  );
  if (value.indices !== undefined) {
    expect(Array.isArray(value.indices), '$.indices', 'expected an array of row numbers');
    (value.indices as unknown[]).forEach((index, i) =>
      expect(
        Number.isInteger(index) && (index as number) >= 0,
        `$.indices[${i}]`,
        `expected a row number, found ${JSON.stringify(index)}`,
      ),
    );
  }
  if (value.cell !== undefined && value.cell !== null) {
    const cell = value.cell;
    expect(
      isRecord(cell) &&
        Number.isInteger(cell.row) &&
        Number.isInteger(cell.column) &&
        (cell.row as number) >= 0 &&
        (cell.column as number) >= 0,
      '$.cell',
      `expected { row, column } (grid positions) or null, found ${JSON.stringify(cell)}`,
    );
  }
  expect(
    value.indices !== undefined || value.cell !== undefined,
    '$',
    'expected indices (a manifold selection) or cell (a phase-diagram selection)',
  );
  return value as unknown as SelectionMessage;
}

/** The view id of an output's metadata for `mimeType`, if the kernel that made it can be told selections. */
export function viewIdOf(metadata: unknown, mimeType: string): string | undefined {
  if (!isRecord(metadata)) return undefined;
  const own = metadata[mimeType];
  return isRecord(own) && typeof own.view_id === 'string' && own.view_id.length > 0 ? own.view_id : undefined;
}
