// weightManifold(models, options): a zoo as a map. Every model is a point of a PCA or UMAP
// embedding of its weight vector; checkpoints are embedded in the same space so training
// runs show as trajectories ending at their model. The result displays as the manifold
// payload for the JupyterLab extension, with Vega-Lite v5, SVG and text fallbacks for
// every other front end (Notebook 6, VS Code, nbconvert, GitHub).

import { ArgumentError } from '../errors';
import { mimeBundle, VEGA_LITE_MIME, type MimeBundle } from '../display/protocol';
import { VegaLiteChart } from '../display/vega-lite';
import { ViewSelection } from '../display/selection';
import { WeightSet } from '../weights/weight-set';
import { randomizedPca } from './pca';
import { umapEmbedding, UMAP_DEFAULTS, type UmapOptions } from './umap';
import type { DenseMatrix } from '../linalg/dense';
import type { EngineOption } from '../backend/engine';
import type { ProductEngine } from '../backend/products';
import { checkOptionKeys, resolveOptions, type OptionDefaults, type ResolvedOptions } from '../options/resolve';
import { metadataTable } from './table';
import {
  layerSegments,
  modelVector,
  stackRows,
  standardizeSegments,
  type AlignmentHook,
  type ModelWeights,
  type VectorSegment,
} from './vectors';
import {
  MANIFOLD_MIME,
  PayloadError,
  checkManifoldPayload,
  type SelectionMessage,
  type AxisInfo,
  type ManifoldPayload,
  type Trajectory,
} from '../display/payloads';

export interface ManifoldOptions {
  /**
   * 'pca' (fast, linear, axes have explained variance) or 'umap' (neighbourhoods).
   * @default 'pca'
   */
  method?: 'pca' | 'umap';
  /**
   * 2 or 3 coordinates per point.
   * @default 2
   */
  dimensions?: 2 | 3;
  /** Per-model metadata (hyperparameters, metrics); without it, each WeightSet's own metadata. */
  metadata?: Record<string, unknown>[];
  /** Model names (without them: metadata `id` or `name`, else 'model <i>'). */
  ids?: string[];
  /** Initial colour column (a metadata column). */
  colorBy?: string;
  /** Initial size column (a numeric metadata column). */
  sizeBy?: string;
  /** Metadata columns that are metrics (without it: guessed from the names). */
  metrics?: string[];
  /** Per model: its checkpoints in training order (undefined for models without). */
  checkpoints?: (readonly ModelWeights[] | undefined)[];
  /** Per model: the epoch of each checkpoint (without it: 0, 1, 2, ...). */
  checkpointEpochs?: (readonly number[] | undefined)[];
  /**
   * 'per-layer' standardises each layer's weights over the zoo before embedding.
   * @default 'none'
   */
  standardize?: 'none' | 'per-layer';
  /** Layer segments of plain vectors (WeightSets supply their own) for per-layer standardisation. */
  segments?: VectorSegment[];
  /** Alignment applied to all vectors before standardisation (see AlignmentHook); named in the payload. */
  align?: AlignmentHook & { alignmentName?: string };
  /** UMAP settings (neighbors, minDistance, epochs, pcaComponents; see umapEmbedding). */
  umap?: Omit<UmapOptions, 'components' | 'seed' | 'engine'>;
  /**
   * PCA power iterations.
   * @default 4
   */
  powerIterations?: number;
  /**
   * Seed of every random step.
   * @default 0
   */
  seed?: number;
  /** Title of the view (without it: '<n> models'). */
  title?: string;
  /**
   * Where the large products run (randomizedPca's `engine`): 'auto' takes onnxruntime-node when
   * installed and allowed (about 10x faster for thousands of models), else the wasm kernel, else
   * JS. PCA coordinates agree across engines to rounding; UMAP layouts differ in detail.
   * @default 'auto'
   */
  engine?: EngineOption<ProductEngine>;
}

/** Defaults of weightManifold. */
export const MANIFOLD_DEFAULTS = {
  method: 'pca',
  dimensions: 2,
  metadata: undefined,
  ids: undefined,
  colorBy: undefined,
  sizeBy: undefined,
  metrics: undefined,
  checkpoints: undefined,
  checkpointEpochs: undefined,
  standardize: 'none',
  segments: undefined,
  align: undefined,
  umap: undefined,
  powerIterations: 4,
  seed: 0,
  title: undefined,
  engine: 'auto',
} as const satisfies OptionDefaults<ManifoldOptions>;

type ResolvedManifoldOptions = ResolvedOptions<ManifoldOptions, typeof MANIFOLD_DEFAULTS>;

const round = (x: number) => Math.round(x * 1e6) / 1e6;

/** Vega-Lite reads '.' and '[' in a field name as nested access; flattened column names need them escaped. */
const vegaField = (name: string) => name.replace(/([.[\]\\])/g, '\\$1');

/** The displayable result of weightManifold(): the payload plus its fallbacks. */
export class WeightManifold {
  readonly payload: ManifoldPayload;
  /** What a live view selected (box, lasso, a clicked point), or a cell by select(). */
  private readonly selectionState = new ViewSelection((message) => this.selectedIds(message));

  constructor(payload: ManifoldPayload) {
    this.payload = checkManifoldPayload(payload);
  }

  /**
   * The ids of the models selected in the displayed view (shift-drag box, alt-shift-drag lasso,
   * a clicked point) or by select(), as of when the cell reading it runs; [] before any selection.
   * Only a view displayed from this kernel session can tell it.
   */
  get selection(): string[] {
    return this.selectionState.current;
  }

  /** Resolves with the ids of the next selection made in a live view of this manifold (or by select()). */
  nextSelection(): Promise<string[]> {
    return this.selectionState.next();
  }

  /**
   * Selects models by id from a cell (what a notebook that runs headlessly does instead of
   * lassoing); every live view of this manifold shows it. `[]` clears. Returns the ids.
   */
  select(ids: readonly string[]): string[] {
    const column = this.payload.table.values[this.payload.idColumn].map(String);
    const unknown = ids.filter((id) => !column.includes(String(id)));
    if (unknown.length > 0)
      throw new ArgumentError('select: ids that are not models of this manifold', {
        field: 'ids',
        expected: `ids from the '${this.payload.idColumn}' column`,
        found: unknown
          .slice(0, 5)
          .map((id) => JSON.stringify(id))
          .join(', '),
      });
    const indices = [...new Set(ids.map((id) => column.indexOf(String(id))))];
    return this.selectionState.select({ event: 'selection', kind: indices.length ? 'script' : 'clear', indices });
  }

  /** The model ids of a selection message's point indices (a bad index is a PayloadError: the message is dropped). */
  private selectedIds(message: SelectionMessage): string[] {
    if (message.indices === undefined)
      throw new PayloadError('$.indices', 'a manifold selection lists point indices (rows of its table)');
    const count = this.payload.points.length;
    const ids = this.payload.table.values[this.payload.idColumn];
    message.indices.forEach((index, i) => {
      if (index >= count) throw new PayloadError(`$.indices[${i}]`, `expected a row below ${count}, found ${index}`);
    });
    return [...new Set(message.indices)].map((index) => String(ids[index]));
  }

  /** Number of models. */
  get size(): number {
    return this.payload.points.length;
  }

  /** One informative line (what untrusted notebooks without the extension show). */
  toString(): string {
    const { payload } = this;
    const axes = payload.axes
      .map((axis) =>
        axis.explainedVariance !== undefined
          ? `${axis.label} ${(axis.explainedVariance * 100).toFixed(1)}%`
          : axis.label,
      )
      .join(', ');
    const parts = [
      `Weight manifold '${payload.title}': ${payload.points.length} models`,
      `${payload.method.toUpperCase()} ${payload.dimensions}-D (${axes})`,
      `input ${payload.preprocessing.inputDimension} weights${payload.preprocessing.standardize === 'per-layer' ? ', per-layer standardised' : ''}`,
    ];
    if (payload.colorBy) {
      const values = payload.table.values[payload.colorBy].filter((v): v is number => typeof v === 'number');
      parts.push(
        values.length
          ? `colour = ${payload.colorBy} [${Math.min(...values).toPrecision(3)}, ${Math.max(...values).toPrecision(3)}]`
          : `colour = ${payload.colorBy}`,
      );
    }
    if (payload.sizeBy) parts.push(`size = ${payload.sizeBy}`);
    if (payload.trajectories.length) parts.push(`${payload.trajectories.length} trajectories`);
    return parts.join('; ');
  }

  /** The Vega-Lite v5 fallback: a scatter of the first two axes, trajectories as lines. */
  vegaLiteSpec(): Record<string, unknown> {
    const { payload } = this;
    const id = payload.idColumn;
    const fields = [id, payload.colorBy, payload.sizeBy].filter(
      (f, i, all): f is string => !!f && all.indexOf(f) === i,
    );
    const rows = payload.points.map((point, i) => {
      const row: Record<string, unknown> = { x: point[0], y: point[1] };
      for (const field of fields) row[field] = payload.table.values[field][i];
      return row;
    });
    const color = payload.colorBy ? payload.table.columns.find((c) => c.name === payload.colorBy) : undefined;
    const pointLayer = {
      data: { values: rows },
      mark: { type: 'circle', opacity: 0.8 },
      encoding: {
        x: { field: 'x', type: 'quantitative', title: payload.axes[0].label },
        y: { field: 'y', type: 'quantitative', title: payload.axes[1].label },
        ...(color
          ? {
              color: {
                field: vegaField(color.name),
                title: color.name,
                type: color.type,
                ...(color.type === 'quantitative' ? { scale: { scheme: 'viridis' } } : {}),
              },
            }
          : {}),
        ...(payload.sizeBy
          ? { size: { field: vegaField(payload.sizeBy), title: payload.sizeBy, type: 'quantitative' } }
          : {}),
        tooltip: fields.map((field) => ({ field: vegaField(field), title: field })),
      },
    };
    const layers: Record<string, unknown>[] = [];
    if (payload.trajectories.length) {
      const lines = payload.trajectories.flatMap((trajectory) =>
        trajectory.points.map((point, order) => ({
          x: point[0],
          y: point[1],
          order,
          epoch: trajectory.epochs[order],
          run: String(payload.table.values[id][trajectory.model]),
        })),
      );
      layers.push({
        data: { values: lines },
        mark: { type: 'line', opacity: 0.35, strokeWidth: 1 },
        encoding: {
          x: { field: 'x', type: 'quantitative' },
          y: { field: 'y', type: 'quantitative' },
          detail: { field: 'run', type: 'nominal' },
          order: { field: 'order', type: 'quantitative' },
          color: { value: '#888888' },
        },
      });
    }
    layers.push(pointLayer);
    return { title: payload.title, width: 420, height: 360, layer: layers };
  }

  async [mimeBundle](): Promise<MimeBundle> {
    const chart = new VegaLiteChart(this.vegaLiteSpec());
    return {
      data: {
        [MANIFOLD_MIME]: this.payload,
        [VEGA_LITE_MIME]: chart.spec,
        'image/svg+xml': await chart.toSVG(),
        'text/plain': this.toString(),
      },
      metadata: { [MANIFOLD_MIME]: this.selectionState.metadata() },
    };
  }
}

function modelIds(count: number, records: Record<string, unknown>[], ids?: string[]): string[] {
  if (ids) {
    if (ids.length !== count)
      throw new ArgumentError('one id per model', { field: 'ids', expected: String(count), found: String(ids.length) });
    return ids.map(String);
  }
  return Array.from({ length: count }, (_, i) => {
    const own = records[i]?.id ?? records[i]?.name;
    return typeof own === 'string' || typeof own === 'number' ? String(own) : `model ${i}`;
  });
}

interface PreparedZoo {
  method: 'pca' | 'umap';
  dimensions: 2 | 3;
  count: number;
  table: ReturnType<typeof metadataTable>;
  runs: { model: number; first: number; epochs: number[] }[];
  matrix: DenseMatrix;
  standardize: 'none' | 'per-layer';
}

/** Checks the options and builds the zoo matrix (models first, then every checkpoint) and the table. */
function prepareZoo(models: readonly ModelWeights[], options: ResolvedManifoldOptions): PreparedZoo {
  const { method, dimensions } = options;
  if (method !== 'pca' && method !== 'umap')
    throw new ArgumentError("method must be 'pca' or 'umap'", { field: 'method', found: String(method) });
  if (dimensions !== 2 && dimensions !== 3)
    throw new ArgumentError('dimensions must be 2 or 3', { field: 'dimensions', found: String(dimensions) });
  const count = models.length;
  const records = options.metadata ?? models.map((model) => (model instanceof WeightSet ? model.metadata : {}));
  if (records.length !== count)
    throw new ArgumentError('one metadata record per model', {
      field: 'metadata',
      expected: String(count),
      found: String(records.length),
    });
  const ids = modelIds(count, records, options.ids);
  const table = metadataTable(ids, records, { metrics: options.metrics });
  for (const key of ['colorBy', 'sizeBy'] as const) {
    const name = options[key];
    if (name !== undefined && !(name in table.values)) {
      throw new ArgumentError('no such metadata column', {
        field: key,
        expected: `one of ${table.columns.map((c) => c.name).join(', ')}`,
        found: name,
      });
    }
  }
  if (options.sizeBy && table.columns.find((c) => c.name === options.sizeBy)?.type !== 'quantitative') {
    throw new ArgumentError('size needs a numeric column', { field: 'sizeBy', found: options.sizeBy });
  }

  const vectors = models.map(modelVector);
  const runs: PreparedZoo['runs'] = [];
  (options.checkpoints ?? []).forEach((checkpoints, model) => {
    if (!checkpoints || checkpoints.length === 0) return;
    if (model >= count)
      throw new ArgumentError('checkpoints given for a model that does not exist', {
        field: 'checkpoints',
        expected: `<= ${count} entries`,
        found: String(model + 1),
      });
    const epochs = options.checkpointEpochs?.[model] ?? checkpoints.map((_, i) => i);
    if (epochs.length !== checkpoints.length)
      throw new ArgumentError('one epoch per checkpoint', {
        field: `checkpointEpochs[${model}]`,
        expected: String(checkpoints.length),
        found: String(epochs.length),
      });
    runs.push({ model, first: vectors.length, epochs: [...epochs] });
    for (const checkpoint of checkpoints) vectors.push(modelVector(checkpoint));
  });
  const aligned = options.align ? options.align(vectors, { segments: options.segments }) : vectors;
  const matrix = stackRows(aligned);
  const { standardize } = options;
  if (standardize !== 'none' && standardize !== 'per-layer')
    throw new ArgumentError("standardize must be 'none' or 'per-layer'", {
      field: 'standardize',
      found: String(standardize),
    });
  if (standardize === 'per-layer') {
    const segments = options.segments ?? (models[0] instanceof WeightSet ? layerSegments(models[0]) : undefined);
    if (!segments)
      throw new ArgumentError("per-layer standardisation of plain vectors needs 'segments'", { field: 'segments' });
    standardizeSegments(matrix, segments);
  }
  return { method, dimensions, count, table, runs, matrix, standardize };
}

function pcaAxes(ratios: Float64Array, dimensions: number): AxisInfo[] {
  return Array.from({ length: dimensions }, (_, c) => ({ label: `PC${c + 1}`, explainedVariance: round(ratios[c]) }));
}

function umapAxes(dimensions: number): AxisInfo[] {
  return Array.from({ length: dimensions }, (_, c) => ({ label: `UMAP ${c + 1}` }));
}

/** The displayable from the embedded rows (models first, then checkpoints). */
function assemble(
  zoo: PreparedZoo,
  coordinates: Float64Array,
  axes: AxisInfo[],
  options: ResolvedManifoldOptions,
): WeightManifold {
  const { dimensions, count } = zoo;
  const point = (row: number) => Array.from(coordinates.subarray(row * dimensions, (row + 1) * dimensions), round);
  const trajectories: Trajectory[] = zoo.runs.map(({ model, first, epochs }) => ({
    model,
    epochs,
    points: epochs.map((_, i) => point(first + i)),
  }));
  return new WeightManifold({
    version: 1,
    title: options.title ?? `${count} models`,
    method: zoo.method,
    dimensions,
    axes,
    points: Array.from({ length: count }, (_, i) => point(i)),
    table: zoo.table,
    idColumn: 'model',
    colorBy: options.colorBy,
    sizeBy: options.sizeBy,
    trajectories,
    preprocessing: {
      standardize: zoo.standardize,
      alignment: options.align ? (options.align.alignmentName ?? options.align.name ?? 'custom') : 'none',
      inputDimension: zoo.matrix.cols,
    },
  });
}

/** The UMAP settings weightManifold passes through: umapEmbedding's options less the ones it sets itself. */
const UMAP_SETTINGS = Object.fromEntries(
  Object.entries(UMAP_DEFAULTS).filter(([key]) => !['components', 'seed', 'engine'].includes(key)),
);

/**
 * Embeds a zoo: `await weightManifold(models, options)` in a cell displays the map. `models[i]`
 * is a WeightSet or a flattened weight vector; all must have the same length. Checkpoints (per
 * model, in training order) are embedded together with the models, so each trajectory lives in
 * the same coordinates as the points.
 */
export async function weightManifold(
  models: readonly ModelWeights[],
  options: ManifoldOptions = {},
): Promise<WeightManifold> {
  const resolved = resolveOptions('weightManifold', MANIFOLD_DEFAULTS, options);
  if (resolved.umap !== undefined) checkOptionKeys('weightManifold umap', UMAP_SETTINGS, Object.keys(resolved.umap));
  const zoo = prepareZoo(models, resolved);
  const { seed, engine } = resolved;
  if (zoo.method === 'pca') {
    const pca = await randomizedPca(zoo.matrix, {
      components: zoo.dimensions,
      seed,
      powerIterations: resolved.powerIterations,
      engine,
    });
    return assemble(zoo, pca.scores.values, pcaAxes(pca.explainedVarianceRatio, zoo.dimensions), resolved);
  }
  const embedded = await umapEmbedding(zoo.matrix, { ...resolved.umap, components: zoo.dimensions, seed, engine });
  return assemble(zoo, embedded.values, umapAxes(zoo.dimensions), resolved);
}
