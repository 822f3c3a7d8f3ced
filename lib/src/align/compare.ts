// Comparing two models of one architecture layer by layer: how far apart their weights are (L2,
// cosine, WeightWatcher's `distances` columns), how alike their layers compute (linear CKA of
// activations on a task's inputs), and how their HTSR quality differs (alpha and norm deltas).
// It lives with alignment because hidden units are only comparable once permutations are undone:
// `align: true` matches model B to model A by Git Re-Basin weight matching first, so a model and
// a permuted copy of itself compare as identical. The common use is a checkpoint trajectory
// (epoch e against epoch e + 1), which compareCheckpoints runs pair by pair.

import { ArgumentError, ShapeError } from '../errors';
import { resolveOptions, type OptionDefaults } from '../options/resolve';
import type { WeightSet } from '../weights/weight-set';
import { ResultTable } from '../table/result-table';
import { mimeBundle, type MimeBundle } from '../display/protocol';
import { chartBundle, vegaLite, type VegaLiteChart } from '../display/vega-lite';
import { OKABE_ITO } from '../display/payloads';
import { fromWeightSet, networkSlots } from '../train/mlp';
import type { TrainingTask } from '../train/task';
import { linearCKA, representation } from '../landscape/cka';
import { analyze, type AnalyzeOptions } from '../spectral/analyze';
import type { HtsrRow } from '../spectral/columns';
import { dot, transposeTimes } from '../linalg/dense';
import { weightMatching } from './weight-matching';
import type { PermutationSpec } from './permutation-spec';

export interface CompareModelsOptions {
  /**
   * Match model B's hidden units to model A's (Git Re-Basin weight matching) before comparing.
   * @default false
   */
  align?: boolean;
  /**
   * The permutation spec for `align` (e.g. cnnPermutationSpec for a CNN).
   * @default undefined (mlpPermutationSpec of model A)
   */
  spec?: PermutationSpec;
  /**
   * Seed of weight matching's group order.
   * @default 0
   */
  seed?: number;
  /**
   * A task of the models' architecture: when given, each layer's output representation on the
   * task's test inputs is compared by linear CKA (hidden layers, then the logits).
   * @default undefined
   */
  task?: TrainingTask;
  /**
   * Options of the HTSR analysis behind the alpha and spectral-norm columns; false skips it.
   * @default {}
   */
  spectral?: AnalyzeOptions | false;
}

/** compareModels' defaults (documented with @default in CompareModelsOptions). */
export const COMPARE_MODELS_DEFAULTS = {
  align: false,
  spec: undefined,
  seed: 0,
  task: undefined,
  spectral: {},
} as const satisfies OptionDefaults<CompareModelsOptions>;

/** One weight tensor (of rank 2 or more) of the pair. */
export interface ComparisonRow {
  /** The weight tensor's name. */
  layer: string;
  /** ‖W_A - W_B‖_F: WeightWatcher distances' delta_W (method 'raw'). */
  l2: number;
  /** l2 / ‖W_A‖_F. */
  relative_l2: number;
  /** <W_A, W_B> / (‖W_A‖ ‖W_B‖) over the whole tensor. */
  cosine: number;
  /** 1 - cosine. */
  cosine_distance: number;
  /** ‖b_A - b_B‖ of the layer's bias (WeightWatcher's delta_b; 0 without a bias, as WeightWatcher writes). */
  bias_l2: number;
  /**
   * WeightWatcher distances' method 'cka': ‖W_Aᵀ W_B‖_F / sqrt(‖W_Aᵀ W_A‖_F ‖W_B W_Bᵀ‖_F) (uncentred),
   * averaged over a Conv2d kernel's (out, in) slices.
   */
  ww_cka: number;
  /** Linear CKA of the layer's output representations on the task's test inputs (null without a task). */
  cka: number | null;
  /** ‖W_A‖_F. */
  norm_a: number;
  /** ‖W_B‖_F. */
  norm_b: number;
  /** norm_b - norm_a. */
  norm_delta: number;
  /** Largest singular value of W_A as the HTSR analysis reports it (null when the layer was skipped). */
  spectral_norm_a: number | null;
  spectral_norm_b: number | null;
  /** spectral_norm_b - spectral_norm_a. */
  spectral_norm_delta: number | null;
  /** HTSR power-law exponent of W_A (null when the layer was skipped or the analysis was off). */
  alpha_a: number | null;
  alpha_b: number | null;
  /** alpha_b - alpha_a. */
  alpha_delta: number | null;
}

/** Whole-model figures of a comparison. */
export interface ComparisonSummary {
  /** ‖θ_A - θ_B‖ over every tensor (weights and biases). */
  l2: number;
  /** Cosine similarity of the whole flat vectors. */
  cosine: number;
  /** WeightWatcher's avg delta_W: the mean of the rows' l2. */
  mean_l2: number;
  /** WeightWatcher's avg delta_b: the mean of the rows' bias_l2. */
  mean_bias_l2: number;
  /** Whether model B was aligned to model A first. */
  aligned: boolean;
}

function distance(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
}

/** ‖Xᵀ Y‖_F for row-major X (rows x p) and Y (rows x q). */
function crossNorm(x: Float64Array, p: number, y: Float64Array, q: number, rows: number): number {
  const c = transposeTimes(x, y, rows, p, q);
  return Math.sqrt(dot(c, c));
}

function transpose(x: Float64Array, rows: number, columns: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) out[c * rows + r] = x[r * columns + c];
  return out;
}

/** WeightWatcher's matrix_distance(W1, W2, 'cka') for one rows x columns pair. */
function weightWatcherCka(w1: Float64Array, w2: Float64Array, rows: number, columns: number): number {
  const overlap = crossNorm(w1, columns, w2, columns, rows);
  const norm1 = crossNorm(w1, columns, w1, columns, rows);
  // ‖W2 W2ᵀ‖ is ‖(W2ᵀ)ᵀ W2ᵀ‖.
  const norm2 = crossNorm(transpose(w2, rows, columns), rows, transpose(w2, rows, columns), rows, columns);
  let norm = Math.sqrt(norm1 * norm2);
  if (norm < 1e-6) norm += 1e-6;
  return overlap / norm;
}

/** The (out, in) matrices of a weight: itself when 2-D, the [:, :, i, j] slices of a (out, in, kh, kw) kernel. */
function layerSlices(
  values: Float64Array,
  shape: readonly number[],
): { rows: number; columns: number; slices: Float64Array[] } {
  if (shape.length === 2) return { rows: shape[0], columns: shape[1], slices: [values] };
  const [out, input] = shape;
  const positions = values.length / (out * input);
  const slices = Array.from({ length: positions }, (_, k) => {
    const slice = new Float64Array(out * input);
    for (let o = 0; o < out; o++)
      for (let c = 0; c < input; c++) slice[o * input + c] = values[(o * input + c) * positions + k];
    return slice;
  });
  return { rows: out, columns: input, slices };
}

/** The layer's output representation of the task's test inputs, for each slot weight name. */
function representations(task: TrainingTask, weights: WeightSet) {
  const params = fromWeightSet(task.architecture, weights);
  const slots = networkSlots(task.architecture);
  return new Map(
    slots.map((slot, l) => {
      const layer = l + 1 < slots.length ? l + 1 : 'logits';
      const { values, rows, columns } = task.representation(params, layer);
      return [`${slot.name}.weight`, representation(values, rows, columns)];
    }),
  );
}

async function spectralRows(weights: WeightSet, options: AnalyzeOptions): Promise<Map<string, HtsrRow>> {
  const result = await analyze(weights, options);
  return new Map(result.rows().map((row) => [row.name, row]));
}

/** The same tensors with the same shapes, or a ShapeError naming the first that differs. */
function checkPair(a: WeightSet, b: WeightSet): void {
  for (const name of a.names) {
    if (!b.has(name))
      throw new ShapeError('model B lacks a tensor of model A', { field: name, expected: 'present', found: 'absent' });
    const [sa, sb] = [a.info(name).shape, b.info(name).shape];
    if (sa.length !== sb.length || sa.some((d, i) => d !== sb[i]))
      throw new ShapeError('the models differ in a tensor shape', {
        field: name,
        expected: `[${sa.join(', ')}]`,
        found: `[${sb.join(', ')}]`,
      });
  }
  const extra = b.names.find((name) => !a.has(name));
  if (extra)
    throw new ShapeError('model B has a tensor model A lacks', { field: extra, expected: 'absent', found: 'present' });
}

/** Compares model B with model A, one row per weight tensor of rank 2 or more. */
export async function compareModels(
  a: WeightSet,
  b: WeightSet,
  options: CompareModelsOptions = {},
): Promise<ModelComparison> {
  const o = resolveOptions('compareModels', COMPARE_MODELS_DEFAULTS, options);
  checkPair(a, b);
  const other = o.align ? weightMatching(a, b, { spec: o.spec, seed: o.seed }).aligned : b;
  const [activationsA, activationsB] = o.task ? [representations(o.task, a), representations(o.task, other)] : [];
  const [spectraA, spectraB] =
    o.spectral === false ? [] : await Promise.all([spectralRows(a, o.spectral), spectralRows(other, o.spectral)]);
  const rows: ComparisonRow[] = [];
  let [total, crossTotal, normA, normB] = [0, 0, 0, 0];
  for (const name of a.names) {
    const [wa, wb] = [a.get(name).toFloat64(), other.get(name).toFloat64()];
    total += distance(wa, wb) ** 2;
    crossTotal += dot(wa, wb);
    normA += dot(wa, wa);
    normB += dot(wb, wb);
    const shape = a.info(name).shape;
    if (shape.length < 2) continue;
    const module = name.endsWith('.weight') ? name.slice(0, -'.weight'.length) : name;
    const biasName = `${module}.bias`;
    const bias_l2 =
      module !== name && a.has(biasName) ? distance(a.get(biasName).toFloat64(), other.get(biasName).toFloat64()) : 0;
    const l2 = distance(wa, wb);
    const [na, nb] = [Math.sqrt(dot(wa, wa)), Math.sqrt(dot(wb, wb))];
    const cosine = dot(wa, wb) / (na * nb);
    const sliced = [layerSlices(wa, shape), layerSlices(wb, shape)];
    const ww_cka =
      sliced[0].slices.reduce(
        (s, slice, k) => s + weightWatcherCka(slice, sliced[1].slices[k], sliced[0].rows, sliced[0].columns),
        0,
      ) / sliced[0].slices.length;
    const repA = activationsA?.get(name);
    const repB = activationsB?.get(name);
    const [sa, sb] = [spectraA?.get(module), spectraB?.get(module)];
    const difference = (x: number | undefined, y: number | undefined) =>
      x === undefined || y === undefined ? null : y - x;
    rows.push({
      layer: name,
      l2,
      relative_l2: l2 / na,
      cosine,
      cosine_distance: 1 - cosine,
      bias_l2,
      ww_cka,
      cka: repA && repB ? linearCKA(repA, repB) : null,
      norm_a: na,
      norm_b: nb,
      norm_delta: nb - na,
      spectral_norm_a: sa?.spectral_norm ?? null,
      spectral_norm_b: sb?.spectral_norm ?? null,
      spectral_norm_delta: difference(sa?.spectral_norm, sb?.spectral_norm),
      alpha_a: sa?.alpha ?? null,
      alpha_b: sb?.alpha ?? null,
      alpha_delta: difference(sa?.alpha, sb?.alpha),
    });
  }
  if (rows.length === 0)
    throw new ArgumentError('the models have no weight matrix to compare', {
      field: 'a',
      expected: 'a tensor of rank 2 or more',
      found: `[${a.names.join(', ')}]`,
    });
  const mean = (key: 'l2' | 'bias_l2') => rows.reduce((s, row) => s + row[key], 0) / rows.length;
  return new ModelComparison(rows, {
    l2: Math.sqrt(total),
    cosine: crossTotal / Math.sqrt(normA * normB),
    mean_l2: mean('l2'),
    mean_bias_l2: mean('bias_l2'),
    aligned: o.align,
  });
}

/** compareModels on consecutive checkpoints (epoch e against e + 1), one table with a `step` column. */
export async function compareCheckpoints(
  checkpoints: readonly WeightSet[],
  options: CompareModelsOptions = {},
): Promise<ResultTable<ComparisonRow & { step: number }>> {
  if (checkpoints.length < 2)
    throw new ArgumentError('need at least two checkpoints', {
      field: 'checkpoints',
      expected: '2 or more WeightSets',
      found: String(checkpoints.length),
    });
  const rows: (ComparisonRow & { step: number })[] = [];
  for (let step = 1; step < checkpoints.length; step++) {
    const comparison = await compareModels(checkpoints[step - 1], checkpoints[step], options);
    rows.push(...comparison.rows().map((row) => ({ step, ...row })));
  }
  return ResultTable.fromRows(rows, { title: 'checkpoint to checkpoint', first: ['step', 'layer'] });
}

/** A per-layer comparison of two models: table, summary and paired bars. */
export class ModelComparison {
  readonly summary: Readonly<ComparisonSummary>;
  readonly #rows: ComparisonRow[];
  constructor(rows: ComparisonRow[], summary: ComparisonSummary) {
    this.#rows = rows;
    this.summary = summary;
  }
  rows(): ComparisonRow[] {
    return this.#rows.map((row) => ({ ...row }));
  }
  table(): ResultTable<ComparisonRow> {
    return ResultTable.fromRows(this.#rows, {
      title: `model B against model A${this.summary.aligned ? ' (B aligned to A)' : ''}`,
      shown: ['layer', 'l2', 'cosine', 'ww_cka', 'cka', 'norm_a', 'norm_b', 'alpha_a', 'alpha_b'],
    });
  }
  /** Paired bars per layer (Frobenius norm and alpha of A and B side by side) and the distance per layer. */
  chart(): VegaLiteChart {
    const paired = (metric: string, a: keyof ComparisonRow, b: keyof ComparisonRow) => ({
      title: metric,
      width: { step: 18 },
      height: 200,
      data: {
        values: this.#rows.flatMap((row) => [
          { layer: row.layer, model: 'A', value: row[a] },
          { layer: row.layer, model: 'B', value: row[b] },
        ]),
      },
      transform: [{ filter: 'datum.value !== null' }],
      mark: 'bar',
      encoding: {
        x: { field: 'layer', type: 'nominal', sort: null, title: null },
        xOffset: { field: 'model' },
        y: { field: 'value', type: 'quantitative', title: metric },
        color: { field: 'model', type: 'nominal', scale: { range: [OKABE_ITO[0], OKABE_ITO[1]] } },
        tooltip: [{ field: 'layer' }, { field: 'model' }, { field: 'value', format: '.4g' }],
      },
    });
    return vegaLite({
      title: `model B against model A${this.summary.aligned ? ' (aligned)' : ''}`,
      hconcat: [
        paired('Frobenius norm', 'norm_a', 'norm_b'),
        paired('alpha', 'alpha_a', 'alpha_b'),
        {
          title: '‖W_A − W_B‖',
          width: { step: 18 },
          height: 200,
          data: { values: this.rows() },
          mark: { type: 'bar', color: OKABE_ITO[2] },
          encoding: {
            x: { field: 'layer', type: 'nominal', sort: null, title: null },
            y: { field: 'l2', type: 'quantitative', title: 'L2 distance' },
            tooltip: [{ field: 'layer' }, { field: 'l2', format: '.4g' }, { field: 'cosine', format: '.4f' }],
          },
        },
      ],
    });
  }
  toString(): string {
    const s = this.summary;
    const lines = [
      `model B against model A${s.aligned ? ' (B aligned to A)' : ''}: L2 ${s.l2.toPrecision(4)}, cosine ${s.cosine.toFixed(4)}`,
    ];
    for (const row of this.#rows)
      lines.push(
        `  ${row.layer}: L2 ${row.l2.toPrecision(4)}, cosine ${row.cosine.toFixed(4)}` +
          (row.cka === null ? '' : `, CKA ${row.cka.toFixed(4)}`) +
          (row.alpha_delta === null ? '' : `, alpha ${row.alpha_a!.toFixed(2)} -> ${row.alpha_b!.toFixed(2)}`),
      );
    return lines.join('\n');
  }
  toJSON(): { summary: ComparisonSummary; rows: ComparisonRow[] } {
    return { summary: { ...this.summary }, rows: this.rows() };
  }
  [mimeBundle](): Promise<MimeBundle> {
    return chartBundle(this.chart(), {}, this.toString());
  }
}
