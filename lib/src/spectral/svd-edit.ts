// SVD smoothing and sharpness: WeightWatcher 0.7.5.5's SVDSmoothing and SVDSharpness, which rewrite
// each analysed layer from part of its singular triplets. Smoothing keeps the top singular values
// (how many: the SETOL detX count by default, or the power-law tail, the Marchenko-Pastur spikes, a
// share of the components); sharpness removes the top singular values, as many as the Marchenko-
// Pastur fit counts spikes in the layer's shuffled ESD. Both return a new WeightSet and leave the
// input as it was; conv kernels are cut into their kh·kw (out, in) slices the way WeightWatcher cuts
// them, each slice rewritten, and the kernel put back in its own shape and dtype.
//
// Where WeightWatcher would act on a failed fit (its -1 counts make it drop the top singular value
// on a failed power-law fit, or keep only the top one on a failed MP fit), the layer is left as it
// was and the row says why.

import { ArgumentError, DTypeError } from '../errors';
import { resolveOptions, type OptionDefaults } from '../options/resolve';
import type { EngineOption } from '../backend/engine';
import type { EigenEngine } from '../eigen/solve';
import { jacobiSvd } from '../eigen/jacobi-svd';
import { Tensor, type Shape } from '../tensor/tensor';
import { isFloating } from '../tensor/dtype';
import { WeightSet, type TensorEntry } from '../weights/weight-set';
import { rng } from '../random/rng';
import { analyze, ANALYZE_DEFAULTS, candidates, filteredOut, type Candidate } from './analyze';
import { layerDimensions, layerMatrices, sizeSkipReason, type LayerType } from './matrices';
import { randomEigenvalues } from './randomize';
import { fitMarchenkoPastur } from './marchenko-pastur';
import type { HtsrRow } from './columns';

/** What svdSmoothing / svdSharpness rewrite: a WeightSet or named tensors. */
export type SvdEditInput = WeightSet | Record<string, Tensor>;

/**
 * How svdSmoothing counts the singular values to keep per layer (WeightWatcher's `method`):
 * 'detX' the SETOL detX count (detX_num), 'alpha_min' the power-law tail (num_pl_spikes), 'rmt' the
 * spikes above the Marchenko-Pastur bulk (num_spikes), 'auto' rmt where alpha > 6 and detX
 * elsewhere, 'svd' a share `percent` of the components (M·rf).
 */
export type SmoothingMethod = 'detX' | 'alpha_min' | 'rmt' | 'auto' | 'svd';

const SMOOTHING_METHODS: readonly SmoothingMethod[] = ['detX', 'alpha_min', 'rmt', 'auto', 'svd'];

export interface SvdSmoothingOptions {
  /**
   * How many singular values each layer keeps (see SmoothingMethod).
   * @default 'detX'
   */
  method?: SmoothingMethod;
  /**
   * method 'svd': keep trunc(percent·M·rf) singular values (pooled over a Conv2d kernel's slices); a
   * negative share drops that many from the top instead. In [-1, 1].
   * @default 0.8
   */
  percent?: number;
  /**
   * Which layers, as analyze() takes them: ids (all >= 0) or dropped ids (all < 0), types, names or '-name'.
   * @default undefined (every layer analyze() analyses)
   */
  layers?: (number | string)[];
  /**
   * First layer id (WeightWatcher numbers state-dict layers from 1).
   * @default 1
   */
  startId?: number;
  /**
   * Eigensolver engine of the analysis that counts the singular values (see analyze()).
   * @default 'auto'
   */
  engine?: EngineOption<EigenEngine>;
}

/** svdSmoothing()'s defaults (WeightWatcher 0.7.5.5's SVDSmoothing keywords). */
export const SVD_SMOOTHING_DEFAULTS = {
  method: 'detX',
  percent: 0.8,
  layers: undefined,
  startId: 1,
  engine: 'auto',
} as const satisfies OptionDefaults<SvdSmoothingOptions>;

export interface SvdSharpnessOptions {
  /**
   * Which layers, as analyze() takes them: ids (all >= 0) or dropped ids (all < 0), types, names or '-name'.
   * @default undefined (every layer analyze() analyses)
   */
  layers?: (number | string)[];
  /**
   * First layer id (WeightWatcher numbers state-dict layers from 1).
   * @default 1
   */
  startId?: number;
  /**
   * Seed of the shuffles whose ESD the Marchenko-Pastur fit counts spikes in (each layer draws
   * from its own sub-stream, as in analyze()'s randomize).
   * @default 0
   */
  seed?: number;
  /**
   * Eigensolver engine of the shuffled ESDs (see analyze()).
   * @default 'auto'
   */
  engine?: EngineOption<EigenEngine>;
}

/** svdSharpness()'s defaults. */
export const SVD_SHARPNESS_DEFAULTS = {
  layers: undefined,
  startId: 1,
  seed: 0,
  engine: 'auto',
} as const satisfies OptionDefaults<SvdSharpnessOptions>;

/** What was done to one layer; the rows are in the result's metadata (`svdSmoothing` / `svdSharpness`). */
export interface SvdEditRow {
  /** analyze()'s layer id. */
  layer_id: number;
  /** The layer's name. */
  name: string;
  /** The weight tensor rewritten. */
  tensor: string;
  /** WeightWatcher's layer type ('dense', 'conv2d', ...). */
  layer_type: LayerType;
  /** Matrices the weight is cut into: kh·kw for a Conv2d kernel, 1 otherwise. */
  slices: number;
  /** Singular values of each matrix (the smaller of its two dimensions). */
  singular_values: number;
  /**
   * WeightWatcher's num_smooth for the whole layer: > 0 keep that many from the top, < 0 drop that
   * many from the top, 0 leave the layer as it is. A Conv2d kernel's slices each get ceil(num_smooth / slices).
   */
  num_smooth: number;
  /** Singular values kept in each matrix: the rank of each rewritten matrix (of full-rank input). */
  kept: number;
  /** Why the layer was left as it was (a failed fit, nothing to remove), or '' when it was rewritten. */
  note: string;
}

/**
 * WeightWatcher's SVDSmoothing: each analysed layer keeps only its top singular values (how many:
 * `method`), the rest set to zero, in float64, and is written back in its own shape and dtype. A
 * Conv2d kernel keeps ceil(count / (kh·kw)) in each of its (out, in) slices. Returns a new WeightSet
 * (the input is not changed) whose metadata `svdSmoothing` lists an SvdEditRow per layer.
 */
export async function svdSmoothing(model: SvdEditInput, settings: SvdSmoothingOptions = {}): Promise<WeightSet> {
  const options = resolveOptions('svdSmoothing', SVD_SMOOTHING_DEFAULTS, settings);
  const { method, percent } = options;
  if (!SMOOTHING_METHODS.includes(method))
    throw new ArgumentError('unknown smoothing method', {
      field: 'method',
      expected: SMOOTHING_METHODS.map((m) => `'${m}'`).join(' | '),
      found: String(method),
    });
  if (typeof percent !== 'number' || !(percent >= -1 && percent <= 1))
    throw new ArgumentError('percent is a share of the components', {
      field: 'percent',
      expected: 'a number in [-1, 1]',
      found: String(percent),
    });
  const set = asWeightSet(model);
  const analysis = await analyze(set, {
    layers: options.layers,
    startId: options.startId,
    engine: options.engine,
    detX: method === 'detX' || method === 'auto',
    mpFit: method === 'rmt' || method === 'auto',
    progress: false,
  });
  const byId = new Map(candidates(set, options.startId).map((candidate) => [candidate.id, candidate]));
  const plans = analysis.layers.map(({ row }) => {
    const { count, note } = smoothingCount(row, method, percent);
    return { candidate: byId.get(row.layer_id)!, numSmooth: count, note };
  });
  return rewrite(set, plans, 'svdSmoothing');
}

/** WeightWatcher's num_smooth of one analysed layer for `method`, or 0 and the reason when there is none. */
function smoothingCount(row: HtsrRow, method: SmoothingMethod, percent: number): { count: number; note: string } {
  const counted = (value: unknown, column: string) =>
    typeof value === 'number' && value >= 0
      ? { count: value, note: value === 0 ? `${column} = 0: nothing kept, layer left as it was` : '' }
      : { count: 0, note: `${column} unavailable (failed fit): layer left as it was` };
  switch (method) {
    case 'detX':
      return counted(row.detX_num, 'detX_num');
    case 'alpha_min':
      return counted(row.num_pl_spikes, 'num_pl_spikes');
    case 'rmt':
      return counted(row.num_spikes, 'num_spikes');
    case 'auto':
      return (row.alpha as number) > 6 ? counted(row.num_spikes, 'num_spikes') : counted(row.detX_num, 'detX_num');
    case 'svd': {
      const count = Math.trunc(percent * row.M * row.rf);
      return { count, note: count === 0 ? 'percent·M·rf rounds to 0: layer left as it was' : '' };
    }
  }
}

/**
 * WeightWatcher's SVDSharpness: each analysed layer loses its top singular values (set to zero), as
 * many as the Marchenko-Pastur fit finds spikes above the bulk in the ESD of the layer with its
 * entries shuffled (WeightWatcher's apply_permute_W + apply_mp_fit; the shuffle draws from `seed`).
 * A Conv2d kernel loses floor(spikes / (kh·kw)) in each slice. Returns a new WeightSet (the input is
 * not changed) whose metadata `svdSharpness` lists an SvdEditRow per layer.
 */
export async function svdSharpness(model: SvdEditInput, settings: SvdSharpnessOptions = {}): Promise<WeightSet> {
  const options = resolveOptions('svdSharpness', SVD_SHARPNESS_DEFAULTS, settings);
  const set = asWeightSet(model);
  const root = rng(options.seed);
  const plans: Plan[] = [];
  for (const candidate of candidates(set, options.startId)) {
    if (filteredOut(candidate, options.layers) || candidate.unsupported) continue;
    const { N, M, rf } = layerDimensions(candidate.layerType, candidate.shape, candidate.channelsFirst);
    if (sizeSkipReason(candidate.layerType, N, M, rf, ANALYZE_DEFAULTS)) continue;
    const matrices = layerMatrices(candidate.layerType, candidate.load(), { channelsFirst: candidate.channelsFirst });
    const shuffledEvals = await randomEigenvalues(matrices, 1, root.fold(candidate.id), options.engine);
    let spikes = -1;
    try {
      spikes = fitMarchenkoPastur(shuffledEvals, N, M).numSpikes;
    } catch {
      // A fit that raises leaves the layer alone (WeightWatcher's -1 would keep only the top one).
    }
    const note =
      spikes < 0
        ? 'Marchenko-Pastur fit of the shuffled ESD failed: layer left as it was'
        : spikes === 0
          ? 'no spikes above the shuffled ESD bulk: layer left as it was'
          : '';
    plans.push({ candidate, numSmooth: spikes > 0 ? -spikes : 0, note });
  }
  return rewrite(set, plans, 'svdSharpness');
}

interface Plan {
  candidate: Candidate;
  numSmooth: number;
  note: string;
}

function asWeightSet(model: SvdEditInput): WeightSet {
  if (model instanceof WeightSet) return model;
  if (model && typeof model === 'object' && !(model instanceof Tensor)) return new WeightSet(model);
  throw new ArgumentError('svdSmoothing / svdSharpness take a WeightSet or named tensors', {
    field: 'model',
    found: model instanceof Tensor ? model.toString() : typeof model,
  });
}

/** A new WeightSet with each planned layer's weight rewritten; every other tensor shared (lazy ones stay lazy). */
function rewrite(set: WeightSet, plans: Plan[], key: 'svdSmoothing' | 'svdSharpness'): WeightSet {
  const replaced = new Map<string, Tensor>();
  const rows: SvdEditRow[] = [];
  for (const { candidate, numSmooth, note } of plans) {
    // analyze()'s candidates list the layer's weight first.
    const tensor = candidate.tensors[0];
    const weight = candidate.load();
    if (!isFloating(weight.dtype))
      throw new DTypeError('SVD smoothing rewrites floating-point weights only', {
        field: tensor,
        expected: 'float64, float32, float16 or bfloat16',
        found: weight.dtype,
      });
    const layout = sliceLayout(candidate.layerType, weight.shape, candidate.channelsFirst);
    // WeightWatcher's per-slice count for a pooled Conv2d layer: ceil(num_smooth / rf), signs kept.
    const perSlice = layout.slices === 1 ? numSmooth : Math.ceil(numSmooth / layout.slices) || 0;
    const size = Math.min(layout.rows, layout.cols);
    const kept = perSlice > 0 ? Math.min(perSlice, size) : perSlice < 0 ? Math.max(0, size + perSlice) : size;
    rows.push({
      layer_id: candidate.id,
      name: candidate.name,
      tensor,
      layer_type: candidate.layerType,
      slices: layout.slices,
      singular_values: size,
      num_smooth: numSmooth,
      kept,
      note: note || (kept === size ? 'every singular value kept: layer left as it was' : ''),
    });
    if (kept === size) continue;
    const source = weight.toFloat64();
    const out = new Float64Array(source.length);
    const matrix = new Float64Array(layout.rows * layout.cols);
    for (let s = 0; s < layout.slices; s++) {
      for (let r = 0; r < layout.rows; r++)
        for (let c = 0; c < layout.cols; c++) matrix[r * layout.cols + c] = source[layout.index(s, r, c)];
      const edited = keepSingularTriplets(matrix, layout.rows, layout.cols, perSlice > 0 ? 0 : size - kept, kept);
      for (let r = 0; r < layout.rows; r++)
        for (let c = 0; c < layout.cols; c++) out[layout.index(s, r, c)] = edited[r * layout.cols + c];
    }
    replaced.set(tensor, Tensor.from(out, weight.shape, 'float64').astype(weight.dtype));
  }
  const entries = set.names.map((name): [string, TensorEntry] => {
    const edited = replaced.get(name);
    if (edited) return [name, edited];
    const { dtype, shape } = set.info(name);
    return [name, { dtype, shape, load: () => set.get(name) }];
  });
  return new WeightSet(entries, { layers: set.layers, metadata: { ...set.metadata, [key]: rows } });
}

/** How a weight is cut into matrices: `index(slice, row, col)` is the element's flat position in the weight. */
interface SliceLayout {
  slices: number;
  rows: number;
  cols: number;
  index(slice: number, row: number, col: number): number;
}

/**
 * WeightWatcher's matrices of a weight, unscaled: the weight itself for a 2-D layer; for a PyTorch
 * Conv2d kernel (out, in, kh, kw) the slices [:, :, i, j]; for a Keras kernel (kh, kw, in, out) the
 * slices [i, j, :, :] (a Keras Conv1D (k, in, out) as (1, k, in, out), as analyze() reads it).
 */
function sliceLayout(layerType: LayerType, shape: Shape, channelsFirst: boolean): SliceLayout {
  if (shape.length === 2) {
    const [rows, cols] = shape;
    return { slices: 1, rows, cols, index: (_s, r, c) => r * cols + c };
  }
  if (channelsFirst && (shape.length === 4 || (layerType === 'conv1d' && shape.length === 3))) {
    const [kh, kw, input, output] = shape.length === 4 ? shape : [1, ...shape];
    const block = input * output;
    return { slices: kh * kw, rows: input, cols: output, index: (s, r, c) => s * block + r * output + c };
  }
  if (layerType === 'conv2d' && shape.length === 4) {
    const [output, input, kh, kw] = shape;
    const rf = kh * kw;
    return { slices: rf, rows: output, cols: input, index: (s, r, c) => (r * input + c) * rf + s };
  }
  throw new ArgumentError('no matrix layout for this weight', {
    field: 'shape',
    expected: 'a 2-D weight or a 4-D conv kernel',
    found: `[${shape.join(', ')}]`,
  });
}

/**
 * X (rows x cols, row-major) rebuilt from `count` of its singular triplets, those at positions
 * from..from+count-1 in descending order of singular value (from = 0: the top ones; the
 * others are set to zero).
 */
export function keepSingularTriplets(
  values: Float64Array,
  rows: number,
  cols: number,
  from: number,
  count: number,
): Float64Array {
  // One-sided Jacobi orthogonalises the short side: work on Xᵀ when X is tall.
  const tall = rows > cols;
  const m = Math.min(rows, cols),
    k = Math.max(rows, cols);
  const x = tall ? transpose(values, rows, cols) : values;
  const { left, scaledRight } = jacobiSvd(x, m, k);
  const y = new Float64Array(m * k);
  for (let i = from; i < from + count; i++) {
    for (let a = 0; a < m; a++) {
      const u = left[i * m + a];
      if (u === 0) continue;
      const at = a * k,
        vt = i * k;
      for (let t = 0; t < k; t++) y[at + t] += u * scaledRight[vt + t];
    }
  }
  return tall ? transpose(y, cols, rows) : y;
}

function transpose(values: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return out;
}
