// Which matrices each row of analyze()'s table comes from: WeightWatcher 0.7.5.5's layer iterators.
// The default (WWLayerIterator, pool=True) gives one row per layer with its Conv2d slices pooled;
// the others, ported here, change what a row is:
//   pool=False / ww2x (WW2xSliceIterator): one row per Conv2d slice, with a slice_id column;
//   intra (WWIntraLayerIterator): one row per pair of consecutive layers, the ESD of X = W0·W1;
//   peft (WWPeftLayerIterator): LoRA adapters as the delta B·A, and with 'with_base' also W + B·A.
// Each quirk kept from WeightWatcher is named where it is reproduced, so a row matches its
// dataframe column for column.

import { ShapeError } from '../errors';
import { times } from '../linalg/dense';
import type { Rng } from '../random/rng';
import type { Tensor } from '../tensor/tensor';
import type { HtsrRow } from './columns';
import { layerMatrices, type LayerMatrices, type LayerMatrix, type LayerType } from './matrices';

/** A layer that passed the filters, as the iterators read it. */
export interface IteratedLayer {
  id: number;
  name: string;
  layerType: LayerType;
  /** Keras / tfjs kernel layout (see matrices.ts). */
  channelsFirst: boolean;
  load(): Tensor;
}

/** One row's worth of input: the matrices of its ESD and the columns the iterator sets. */
export interface AnalysisUnit {
  id: number;
  name: string;
  longname: string;
  layerType: LayerType;
  N: number;
  M: number;
  rf: number;
  matrices: LayerMatrices;
  /** Columns the iterator adds (slice_id, Xflag, peft), placed after Q as WeightWatcher does. */
  columns: Partial<HtsrRow>;
  /**
   * intra: WeightWatcher takes the singular values of X themselves as the ESD (not their squares)
   * and reports sv_max / sv_min as their square roots (combined_eigenvalues with INTRA).
   */
  singularValueEsd: boolean;
  /** What the randomized ESD's stream is folded with: the layer id, then the slice for slices. */
  randomPath: number[];
}

/** The iterator choice and its settings (analyze's resolved options). */
export interface IteratorSettings {
  pool: boolean;
  conv2dNorm: boolean;
  /** glorot_fix scaling of pooled layers (analyze rejects it with the other iterators). */
  glorotFix: boolean;
  /** fft of pooled layers' matrices (analyze rejects it with the other iterators). */
  fft: boolean;
  intra: boolean;
  sparsify: boolean;
  peft: boolean | 'with_base';
  /** Draws intra's sparsify masks (one sub-stream per pair, by the second layer's id). */
  random: Rng;
  /** Records a layer the iterator does not turn into a row (peft's base layers, an unpaired LoRA tensor). */
  skip(layer: IteratedLayer, reason: string): void;
}

/** The iterator WeightWatcher's make_layer_iterator picks (intra first, then peft, then pool=False). */
export function* analysisUnits(layers: Iterable<IteratedLayer>, settings: IteratorSettings): Generator<AnalysisUnit> {
  if (settings.intra) yield* intraUnits(layers, settings);
  else if (settings.peft !== false) yield* peftUnits(layers, settings);
  else if (!settings.pool) for (const layer of layers) yield* sliceUnits(layer, settings);
  else for (const layer of layers) yield pooledUnit(layer, settings, {});
}

function pooledUnit(layer: IteratedLayer, settings: IteratorSettings, columns: Partial<HtsrRow>): AnalysisUnit {
  const matrices = layerMatrices(layer.layerType, layer.load(), {
    channelsFirst: layer.channelsFirst,
    conv2dNorm: settings.conv2dNorm,
    glorotFix: settings.glorotFix,
    fft: settings.fft,
  });
  return unit(layer, layer.name, matrices, columns);
}

function unit(layer: IteratedLayer, name: string, matrices: LayerMatrices, columns: Partial<HtsrRow>): AnalysisUnit {
  const { N, M, rf } = matrices;
  return {
    id: layer.id,
    name,
    longname: name,
    layerType: layer.layerType,
    N,
    M,
    rf,
    matrices,
    columns,
    singularValueEsd: false,
    randomPath: [layer.id],
  };
}

/**
 * WW2xSliceIterator: a Conv2d layer gives one row per kh·kw slice with the layer's N, M and rf and a
 * slice_id (row-major over (i, j)); each slice is scaled by sqrt(kh·kw/2) (apply_normalize_Wmats with
 * the slice iterator's conv2d_count), not the pooled sqrt(1/2). Other layers get slice_id 0.
 */
function* sliceUnits(layer: IteratedLayer, settings: IteratorSettings): Generator<AnalysisUnit> {
  if (layer.layerType !== 'conv2d') {
    yield pooledUnit(layer, settings, { slice_id: 0 });
    return;
  }
  const all = layerMatrices(layer.layerType, layer.load(), {
    channelsFirst: layer.channelsFirst,
    conv2dNorm: settings.conv2dNorm,
    pool: false,
  });
  for (const [slice, matrix] of all.matrices.entries()) {
    // num_components stays M·rf, so every singular value of the slice is kept.
    const one = unit(layer, layer.name, { ...all, matrices: [matrix] }, { slice_id: slice });
    yield { ...one, randomPath: [layer.id, slice] };
  }
}

/** A matrix as WeightWatcher holds it before normalisation: W itself, or a Conv2d's first slice made tall. */
function rawMatrix(layer: IteratedLayer): LayerMatrix {
  const matrices = layerMatrices(layer.layerType, layer.load(), {
    channelsFirst: layer.channelsFirst,
    conv2dNorm: false,
  });
  const first = matrices.matrices[0];
  // conv2D_Wmats transposes a slice that is wider than tall; a Dense weight is kept as stored.
  if (matrices.matrices.length > 1 && first.rows < first.cols) return transpose(first);
  return first;
}

function transpose(matrix: LayerMatrix): LayerMatrix {
  const { rows, cols, values } = matrix;
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  return { rows: cols, cols: rows, values: out };
}

function frobenius(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] * values[i];
  return Math.sqrt(sum);
}

/**
 * WeightWatcher's align_mats: find the dimension the two matrices share (the largest of the values
 * that occur more than once among their four extents) and transpose each so that W0's columns and
 * W1's rows run along it; with no shared dimension they are returned as they are.
 */
export function alignMatrices(w0: LayerMatrix, w1: LayerMatrix): [LayerMatrix, LayerMatrix] {
  const extents = [w0.rows, w0.cols, w1.rows, w1.cols];
  const repeated = extents.filter((value, index) => extents.indexOf(value) !== index);
  if (repeated.length === 0) return [w0, w1];
  const shared = Math.max(...repeated);
  return [w0.cols !== shared ? transpose(w0) : w0, w1.rows !== shared ? transpose(w1) : w1];
}

/**
 * WWIntraLayerIterator: for each pair of consecutive analysed layers (l, l+1), the first matrix of
 * each, aligned (alignMatrices), gives X = W0·W1 / (‖W0‖_F ‖W1‖_F), or with sparsify
 * X = W0·S·W1 / (‖W0‖_F ‖W1‖_F + sqrt(‖S‖_F)) for a random 0/1 matrix S standing in for a ReLU
 * between the layers. The row carries layer l+1's id, type, rf and eigenvalue count (n_comp),
 * the name "l X l+1 " (WeightWatcher's, trailing space included), longname = layer l+1's name and
 * Xflag = true. A pair whose shapes do not chain gives no row. X is formed in float64 (WeightWatcher
 * multiplies in the weights' dtype, float32 for float32 weights).
 */
function* intraUnits(layers: Iterable<IteratedLayer>, settings: IteratorSettings): Generator<AnalysisUnit> {
  let previous: { layer: IteratedLayer; matrix: LayerMatrix } | undefined;
  for (const layer of layers) {
    const current = { layer, matrix: rawMatrix(layer) };
    const before = previous;
    previous = current;
    if (!before) continue;
    const [w0, w1] = alignMatrices(before.matrix, current.matrix);
    if (w0.cols !== w1.rows) {
      settings.skip(
        layer,
        `intra: layer ${before.layer.id} (${w0.rows} x ${w0.cols}) and layer ${layer.id} (${w1.rows} x ${w1.cols}) share no dimension`,
      );
      continue;
    }
    let norm = frobenius(w0.values) * frobenius(w1.values);
    let left = w0.values;
    if (settings.sparsify) {
      const shared = w1.rows;
      const mask = settings.random.fold(layer.id).integers(shared * shared, 0, 2);
      norm += Math.sqrt(frobenius(mask));
      left = times(w0.values, Float64Array.from(mask), w0.rows, shared, shared);
    }
    const x = times(left, w1.values, w0.rows, w0.cols, w1.cols);
    // apply_normalize_Wmats runs on X with the second layer's type: a Conv2d's conv2d_norm is sqrt(1/2).
    const scale = (layer.layerType === 'conv2d' && settings.conv2dNorm ? Math.SQRT1_2 : 1) / norm;
    for (let i = 0; i < x.length; i++) x[i] *= scale;
    const own = layerMatrices(layer.layerType, layer.load(), { channelsFirst: layer.channelsFirst });
    const rows = w0.rows,
      cols = w1.cols;
    const matrices: LayerMatrices = {
      layerType: layer.layerType,
      N: Math.max(rows, cols),
      M: Math.min(rows, cols),
      rf: own.rf,
      numComponents: own.numComponents,
      matrices: [{ rows, cols, values: x }],
    };
    const name = `${before.layer.id} X ${layer.id} `;
    yield { ...unit(layer, name, matrices, { Xflag: true }), longname: layer.name, singularValueEsd: true };
  }
}

/**
 * WWPeftLayerIterator, for state dicts in PEFT's order (a base layer, then its lora_A, then its
 * lora_B). A Dense layer whose name contains 'lora_A' is held; at the matching 'lora_B' the row of
 * the delta B·A (unscaled: WeightWatcher ignores lora_alpha / r) is emitted under the A layer's id
 * with 'lora_A' renamed 'lora_BA', keeping only the top r eigenvalues (its n_comp is the rank r,
 * a truncated SVD). With peft 'with_base', the base layer before them gets a row too, and so does
 * W + B·A (B·A transposed when A was stored (in, r)) under the B layer's id, renamed
 * 'lora_W_plus_AB', also with r eigenvalues, emitted before the delta as WeightWatcher does. With
 * peft true only the deltas are analysed. Every row has the peft column (true for the LoRA rows).
 */
function* peftUnits(layers: Iterable<IteratedLayer>, settings: IteratorSettings): Generator<AnalysisUnit> {
  const withBase = settings.peft === 'with_base';
  let lastWeight: LayerMatrix | undefined;
  let pendingA: { layer: IteratedLayer; matrix: LayerMatrix } | undefined;
  for (const layer of layers) {
    if (layer.layerType !== 'dense' || !layer.name.includes('lora_')) {
      const matrix = rawMatrix(layer);
      // The matrix a following lora_B adds its delta to (only 'with_base' uses it).
      lastWeight = matrix;
      if (withBase) yield pooledUnit(layer, settings, { peft: false });
      else settings.skip(layer, 'peft: only the LoRA adapters are analysed (peft true)');
      continue;
    }
    if (layer.name.includes('lora_A')) {
      pendingA = { layer, matrix: rawMatrix(layer) };
      continue;
    }
    if (!layer.name.includes('lora_B')) {
      settings.skip(layer, 'peft: a LoRA tensor that is neither lora_A nor lora_B');
      continue;
    }
    if (!pendingA)
      throw new ShapeError('a lora_B layer without a lora_A layer before it', {
        field: layer.name,
        expected: 'the lora_A layer of the same module earlier in the state dict',
        found: 'none',
      });
    const a0 = pendingA.matrix;
    const transposed = a0.rows > a0.cols;
    const a = transposed ? transpose(a0) : a0;
    let b = rawMatrix(layer);
    if (b.cols !== a.rows) b = transpose(b);
    if (b.cols !== a.rows)
      throw new ShapeError('the LoRA matrices do not chain as B·A', {
        field: layer.name,
        expected: `B with ${a.rows} columns or rows (A is ${a0.rows} x ${a0.cols})`,
        found: `${b.rows} x ${b.cols}`,
      });
    const rank = Math.min(a.rows, a.cols);
    const delta = times(b.values, a.values, b.rows, b.cols, a.cols);
    const deltaUnit = loraUnit(
      pendingA.layer,
      'lora_A',
      'lora_BA',
      { rows: b.rows, cols: a.cols, values: delta },
      rank,
    );
    pendingA = undefined;
    if (withBase && lastWeight) {
      const sum = transposed ? transpose({ rows: b.rows, cols: a.cols, values: delta }) : undefined;
      const addend = sum ?? { rows: b.rows, cols: a.cols, values: delta };
      if (addend.rows !== lastWeight.rows || addend.cols !== lastWeight.cols)
        throw new ShapeError('the LoRA delta does not match the base weight before it', {
          field: layer.name,
          expected: `${lastWeight.rows} x ${lastWeight.cols}`,
          found: `${addend.rows} x ${addend.cols}`,
        });
      const merged = lastWeight.values.map((value, i) => value + addend.values[i]);
      yield loraUnit(layer, 'lora_B', 'lora_W_plus_AB', { rows: addend.rows, cols: addend.cols, values: merged }, rank);
    }
    yield deltaUnit;
  }
}

function loraUnit(layer: IteratedLayer, from: string, to: string, matrix: LayerMatrix, rank: number): AnalysisUnit {
  const matrices: LayerMatrices = {
    layerType: 'dense',
    N: Math.max(matrix.rows, matrix.cols),
    M: Math.min(matrix.rows, matrix.cols),
    rf: 1,
    numComponents: rank,
    matrices: [matrix],
  };
  return unit(layer, layer.name.replaceAll(from, to), matrices, { peft: true });
}
