// Per-layer curvature (issue #19): the top eigenvalues and the trace of each diagonal block H_ll
// of a network's loss Hessian, the block of one layer's parameters. PyHessian computes these
// only for the whole network, and its users ask for them per layer: which layer is sharp, which
// is flat. A block's product H_ll v perturbs only that layer's parameters (v is zero elsewhere)
// and reads only that layer's entries of H v, so the power iteration and Hutchinson's estimator
// of ./hessian.ts run on it unchanged. By Cauchy interlacing a block's magnitude-largest
// eigenvalue never exceeds the whole Hessian's, and the block traces sum to the whole trace.

import { ArgumentError } from '../errors';
import { resolveOptions, type OptionDefaults } from '../options/resolve';
import { rng } from '../random/rng';
import { Progress } from '../progress/progress';
import { yieldToEventLoop } from '../bias/hypothesis-space';
import { networkSlots } from '../train/mlp';
import type { TrainingTask } from '../train/task';
import type { WeightSet } from '../weights/weight-set';
import { ResultTable } from '../table/result-table';
import { mimeBundle, type MimeBundle } from '../display/protocol';
import { chartBundle, retitled, vegaLite, type ChartOptions, type VegaLiteChart } from '../display/vega-lite';
import { hutchinsonTrace, topEigenvalues, type HessianOperator } from './hessian';
import { hessianRows, taskHessian } from './mlp-hessian';
import { vectorOf } from './surface';

/**
 * How parameters are grouped into blocks: 'layer' (a layer's weight and bias together),
 * 'tensor' (weight and bias as separate blocks), 'model' (one block: the whole Hessian).
 */
export type HessianGrouping = 'layer' | 'tensor' | 'model';

export interface HessianByLayerOptions {
  /**
   * Eigenvalues per block, magnitude-largest first (deflated power iteration).
   * @default 1
   */
  topK?: number;
  /**
   * Most Hessian-vector products per eigenvalue (PyHessian's maxIter).
   * @default 100
   */
  maxIterations?: number;
  /**
   * Relative change of the Rayleigh quotient, and of the running trace mean, below which an
   * estimate stops (PyHessian's tol).
   * @default 1e-3
   */
  tolerance?: number;
  /**
   * Most Rademacher probes of Hutchinson's trace estimate per block (PyHessian's maxIter). A block
   * with at most this many parameters gets its exact trace instead, from one product per unit
   * vector: no more products than the probes, and no variance.
   * @default 100
   */
  traceProbes?: number;
  /**
   * Examples of the task the loss is taken over: a fixed, seeded choice (all when the task has
   * fewer), the batch phaseMetrics uses with the same seed.
   * @default 256
   */
  samples?: number;
  /**
   * Blocks: 'layer' (weight and bias together), 'tensor' (apart), 'model' (the whole Hessian, one row).
   * @default 'layer'
   */
  groups?: HessianGrouping;
  /**
   * Layers to measure, by name ('layers.0') or index (0 = first layer); with 'tensor' grouping a
   * layer selects its weight and its bias, and a tensor name ('layers.0.bias') just that one.
   * @default undefined (every layer)
   */
  layers?: readonly (string | number)[];
  /**
   * Seed of the batch, the power iteration's starting vectors and the Hutchinson probes (each
   * block draws from its own fold of it).
   * @default 0
   */
  seed?: number;
  /**
   * Show a progress bar, one step per block (a `signal` keeps it, since the bar checks for interrupts).
   * @default true
   */
  progress?: boolean;
  /**
   * Stops the work between blocks with an InterruptedError (as a kernel interrupt does).
   * @default undefined
   */
  signal?: AbortSignal;
}

/** hessianByLayer's defaults: PyHessian's for the estimators (documented in HessianByLayerOptions). */
export const HESSIAN_BY_LAYER_DEFAULTS = {
  topK: 1,
  maxIterations: 100,
  tolerance: 1e-3,
  traceProbes: 100,
  samples: 256,
  groups: 'layer',
  layers: undefined,
  seed: 0,
  progress: true,
  signal: undefined,
} as const satisfies OptionDefaults<HessianByLayerOptions>;

/** One block of the Hessian: its parameters, top eigenvalues and trace. */
export interface LayerHessianRow {
  /** The block: a layer ('layers.0'), a tensor ('layers.0.weight') or 'model'. */
  layer: string;
  /** Number of parameters in the block (the block is parameters x parameters). */
  parameters: number;
  /** The block's magnitude-largest eigenvalue (negative away from a minimum when the block is indefinite). */
  top_eigenvalue: number;
  /** The block's topK magnitude-largest eigenvalues, in the order found. */
  top_eigenvalues: number[];
  /** The block's trace: exact when trace_exact, else Hutchinson's estimate. */
  trace: number;
  /** Standard error of the Hutchinson estimate over its probes (0 when exact). */
  trace_standard_error: number;
  /** True when the trace was summed over unit vectors (parameters <= traceProbes). */
  trace_exact: boolean;
  /** Hessian-vector products of the power iteration, summed over the topK eigenvalues. */
  iterations: number;
  /** Hessian-vector products of the trace (probes or unit vectors). */
  trace_products: number;
  /** True when every eigenvalue met the tolerance within maxIterations. */
  converged: boolean;
  /** True when the trace is exact or its running mean met the tolerance. */
  trace_converged: boolean;
}

/** A contiguous range of the flat parameter vector and the layer it belongs to. */
interface Block {
  name: string;
  layer: string;
  index: number;
  start: number;
  end: number;
}

function blocksOf(task: TrainingTask, groups: HessianGrouping): Block[] {
  const slots = networkSlots(task.architecture);
  if (groups === 'model') return [{ name: 'model', layer: 'model', index: -1, start: 0, end: task.dimension }];
  return slots.flatMap((slot, index) => {
    const end = slot.bias + slot.outputs;
    if (groups === 'layer') return [{ name: slot.name, layer: slot.name, index, start: slot.weight, end }];
    return [
      { name: `${slot.name}.weight`, layer: slot.name, index, start: slot.weight, end: slot.bias },
      { name: `${slot.name}.bias`, layer: slot.name, index, start: slot.bias, end },
    ];
  });
}

function selectBlocks(blocks: Block[], layers: readonly (string | number)[] | undefined): Block[] {
  if (layers === undefined) return blocks;
  if (!Array.isArray(layers) || layers.length === 0)
    throw new ArgumentError('layers must be a non-empty array of layer names or indices', {
      field: 'layers',
      expected: 'e.g. ["layers.0"] or [0, 1]',
      found: Array.isArray(layers) ? 'an empty array' : String(layers),
    });
  const chosen = new Set<Block>();
  for (const wanted of layers) {
    const matches = blocks.filter((b) => b.name === wanted || b.layer === wanted || b.index === wanted);
    if (matches.length === 0)
      throw new ArgumentError('no such layer', {
        field: 'layers',
        expected: `one of ${[...new Set(blocks.flatMap((b) => [b.name, b.layer]))].join(', ')} or an index 0..${Math.max(...blocks.map((b) => b.index))}`,
        found: JSON.stringify(wanted),
      });
    for (const m of matches) chosen.add(m);
  }
  return blocks.filter((b) => chosen.has(b));
}

/** H_ll as an operator: the product of `whole` with v placed in [start, end), read back on [start, end). */
export function blockOperator(whole: HessianOperator, start: number, end: number): HessianOperator {
  if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start < end && end <= whole.dimension))
    throw new ArgumentError('a block must be a non-empty range of the parameters', {
      field: 'block',
      expected: `0 <= start < end <= ${whole.dimension}`,
      found: `[${start}, ${end})`,
    });
  const padded = new Float64Array(whole.dimension);
  return {
    dimension: end - start,
    apply(vector: Float64Array): Float64Array {
      padded.set(vector, start);
      return whole.apply(padded).subarray(start, end);
    },
  };
}

/** tr H from H e_i for every unit vector e_i (dimension products). */
function exactTrace(op: HessianOperator): number {
  const unit = new Float64Array(op.dimension);
  let trace = 0;
  for (let i = 0; i < op.dimension; i++) {
    unit[i] = 1;
    trace += op.apply(unit)[i];
    unit[i] = 0;
  }
  return trace;
}

function checkPositiveInteger(value: number, field: string): void {
  if (!(Number.isInteger(value) && value >= 1))
    throw new ArgumentError(`${field} must be a positive integer`, {
      field,
      expected: 'an integer >= 1',
      found: String(value),
    });
}

/**
 * The top eigenvalues and trace of each layer's diagonal block of the Hessian of `task`'s loss
 * at `model` (a flat parameter vector or a WeightSet of the task's architecture), on a fixed
 * batch of `samples` examples (PyHessian semantics: the criterion only, one batch). One row per
 * block; `groups: 'model'` gives the whole Hessian's row for comparison.
 */
export async function hessianByLayer(
  model: Float64Array | WeightSet,
  task: TrainingTask,
  options: HessianByLayerOptions = {},
): Promise<LayerHessian> {
  const o = resolveOptions('hessianByLayer', HESSIAN_BY_LAYER_DEFAULTS, options);
  const params = vectorOf(task.architecture, model, 'model', task.dimension);
  checkPositiveInteger(o.topK, 'topK');
  checkPositiveInteger(o.maxIterations, 'maxIterations');
  checkPositiveInteger(o.traceProbes, 'traceProbes');
  checkPositiveInteger(o.samples, 'samples');
  if (!(typeof o.tolerance === 'number' && o.tolerance >= 0))
    throw new ArgumentError('tolerance must be a number >= 0', {
      field: 'tolerance',
      expected: 'e.g. 1e-3 (0: always maxIterations)',
      found: String(o.tolerance),
    });
  if (!['layer', 'tensor', 'model'].includes(o.groups))
    throw new ArgumentError('unknown grouping', {
      field: 'groups',
      expected: "'layer', 'tensor' or 'model'",
      found: String(o.groups),
    });
  const blocks = selectBlocks(blocksOf(task, o.groups), o.layers);
  const smallest = Math.min(...blocks.map((b) => b.end - b.start));
  if (o.topK > smallest)
    throw new ArgumentError('topK exceeds the parameters of a block', {
      field: 'topK',
      expected: `at most ${smallest}`,
      found: String(o.topK),
    });
  const rows = hessianRows(task.examples, o.samples, o.seed);
  const whole = taskHessian(task, params, rows);
  // The bar is also what checks for interrupts, so a signal keeps it even with progress: false.
  const bar =
    o.progress === false && !o.signal
      ? undefined
      : new Progress({ total: blocks.length, label: 'Hessian by layer', signal: o.signal });
  const started = performance.now();
  const result: LayerHessianRow[] = [];
  for (const block of blocks) {
    bar?.update(result.length);
    const op = blockOperator(whole, block.start, block.end);
    const seeds = rng(o.seed).fold('hessian-by-layer').fold(block.name).bits(2);
    const eigen = topEigenvalues(op, { count: o.topK, maxIter: o.maxIterations, tol: o.tolerance, seed: seeds[0] });
    const exact = op.dimension <= o.traceProbes;
    const trace = exact
      ? { trace: exactTrace(op), standardError: 0, samples: { length: op.dimension }, converged: true }
      : hutchinsonTrace(op, { maxIter: o.traceProbes, tol: o.tolerance, seed: seeds[1] });
    result.push({
      layer: block.name,
      parameters: op.dimension,
      top_eigenvalue: eigen.values[0],
      top_eigenvalues: eigen.values,
      trace: trace.trace,
      trace_standard_error: trace.standardError,
      trace_exact: exact,
      iterations: eigen.iterations.reduce((a, b) => a + b, 0),
      trace_products: trace.samples.length,
      converged: eigen.converged.every(Boolean),
      trace_converged: trace.converged,
    });
    await yieldToEventLoop(); // a kernel interrupt arrives between blocks
  }
  bar?.update(result.length);
  bar?.done();
  return new LayerHessian(result, {
    task: task.name,
    groups: o.groups,
    samples: rows.length,
    loss: whole.loss,
    seconds: (performance.now() - started) / 1000,
    settings: {
      topK: o.topK,
      maxIterations: o.maxIterations,
      tolerance: o.tolerance,
      traceProbes: o.traceProbes,
      seed: o.seed,
    },
  });
}

/** What a LayerHessian was measured on and with. */
export interface LayerHessianContext {
  /** Name of the task whose loss it is. */
  task: string;
  groups: HessianGrouping;
  /** Examples in the batch. */
  samples: number;
  /** The loss on the batch at the model. */
  loss: number;
  /** Wall time of the estimates. */
  seconds: number;
  /** The estimator options used. */
  settings: Readonly<Record<string, number>>;
}

/** Per-layer Hessian spectra: one row per block, shown as bars of the top eigenvalue and trace per layer. */
export class LayerHessian {
  readonly #rows: LayerHessianRow[];
  readonly context: LayerHessianContext;

  constructor(rows: readonly LayerHessianRow[], context: LayerHessianContext) {
    this.#rows = rows.map((row) => ({ ...row, top_eigenvalues: [...row.top_eigenvalues] }));
    this.context = context;
  }

  /** One row per block, in parameter order. */
  rows(): LayerHessianRow[] {
    return this.#rows.map((row) => ({ ...row, top_eigenvalues: [...row.top_eigenvalues] }));
  }

  /** The rows as a ResultTable (filter, orderby, toCSV, ...). */
  table(): ResultTable<LayerHessianRow> {
    return ResultTable.fromRows(this.rows(), {
      title: this.description(),
      shown: ['layer', 'parameters', 'top_eigenvalue', 'trace', 'iterations', 'converged'],
    });
  }

  /** The largest top eigenvalue over the blocks and its block. */
  sharpest(): LayerHessianRow {
    return this.rows().reduce((best, row) =>
      Math.abs(row.top_eigenvalue) > Math.abs(best.top_eigenvalue) ? row : best,
    );
  }

  description(): string {
    const what = { layer: 'per layer', tensor: 'per tensor', model: 'of the whole model' }[this.context.groups];
    return `Hessian ${what} on ${this.context.samples} examples of ${this.context.task}`;
  }

  /** Two bar charts side by side: each block's top eigenvalue and its trace (error bars: 2 standard errors). */
  chart(options: ChartOptions = {}): VegaLiteChart {
    const values = this.#rows.map((row) => ({
      layer: row.layer,
      parameters: row.parameters,
      top_eigenvalue: row.top_eigenvalue,
      trace: row.trace,
      trace_low: row.trace - 2 * row.trace_standard_error,
      trace_high: row.trace + 2 * row.trace_standard_error,
      trace_exact: row.trace_exact,
    }));
    const x = { field: 'layer', type: 'nominal', sort: null, title: null, axis: { labelAngle: -30 } };
    const tooltip = [
      { field: 'layer', type: 'nominal' },
      { field: 'parameters', type: 'quantitative' },
      { field: 'top_eigenvalue', type: 'quantitative', format: '.4g' },
      { field: 'trace', type: 'quantitative', format: '.4g' },
      { field: 'trace_exact', type: 'nominal' },
    ];
    const spec = {
      title: this.description(),
      data: { values },
      hconcat: [
        {
          width: Math.max(160, 36 * values.length),
          height: 220,
          mark: { type: 'bar', color: '#0072B2' },
          encoding: { x, y: { field: 'top_eigenvalue', type: 'quantitative', title: 'top eigenvalue' }, tooltip },
        },
        {
          width: Math.max(160, 36 * values.length),
          height: 220,
          layer: [
            {
              mark: { type: 'bar', color: '#E69F00' },
              encoding: { x, y: { field: 'trace', type: 'quantitative', title: 'trace' }, tooltip },
            },
            {
              mark: { type: 'rule', color: 'black' },
              encoding: { x, y: { field: 'trace_low', type: 'quantitative' }, y2: { field: 'trace_high' } },
            },
          ],
        },
      ],
    };
    return vegaLite(retitled(spec, options));
  }

  toJSON(): { context: LayerHessianContext; rows: LayerHessianRow[] } {
    return { context: this.context, rows: this.rows() };
  }

  toString(): string {
    const width = Math.max(5, ...this.#rows.map((row) => row.layer.length));
    const lines = [`${this.description()} (loss ${this.context.loss.toPrecision(4)}):`];
    for (const row of this.#rows) {
      const trace = row.trace_exact
        ? `${row.trace.toPrecision(5)} (exact)`
        : `${row.trace.toPrecision(5)} ± ${row.trace_standard_error.toPrecision(2)}`;
      lines.push(
        `  ${row.layer.padEnd(width)}  ${String(row.parameters).padStart(7)} params  top eigenvalue ${row.top_eigenvalues.map((v) => v.toPrecision(5)).join(', ')}${row.converged ? '' : ' (not converged)'}  trace ${trace}`,
      );
    }
    return lines.join('\n');
  }

  [mimeBundle](): Promise<MimeBundle> {
    return chartBundle(this.chart(), {}, this.toString());
  }
}
