// Hypothesis space (b) of Boopathy et al.: independently initialised networks of one
// architecture, each trained on the task's training set; the space is "what this architecture
// and optimiser reach". Many small nets are trained at once: their weights are stacked along a
// leading model axis, so each layer is one batched matmul (models x rows x width) and one jitted
// full-batch Adam step trains all of them (jax-js on its wasm device; only first-order programs
// are jitted, which 0.1.25 compiles correctly). Training runs in float32 by default (jax-js's
// float64 matmul is untiled and ~10x slower); the trained weights are read back and the train and
// test errors are evaluated in float64 here.
//
// Determinism: net i's initial weights come from rng.fold(i), and nets never interact (the
// loss is a sum of per-net losses), so a net's result does not depend on which batch it is in;
// the last batch is padded with extra nets whose results are discarded, so every batch has the
// same shape and the jitted step compiles once.

import { ArgumentError, NumericalError } from '../errors';
import { jax, defaultJaxDevice, type JaxArray, type JaxModule } from '../backend/jax';
import type { Rng } from '../random/rng';
import {
  yieldToEventLoop,
  type HypothesisSample,
  type HypothesisSpace,
  type SamplingContext,
} from './hypothesis-space';
import type { TaskData } from './tasks';
import type { Rows } from './kernels';
import { resolveOptions, type OptionDefaults } from '../options/resolve';

export type Activation = 'relu' | 'tanh';

export interface NetworkSpaceOptions {
  /**
   * Hidden layer widths.
   * @default [32]
   */
  hidden?: readonly number[];
  /**
   * Hidden activation.
   * @default 'relu'
   */
  activation?: Activation;
  /**
   * Full-batch Adam steps per network.
   * @default 300
   */
  steps?: number;
  /**
   * Adam learning rate.
   * @default 0.01
   */
  learningRate?: number;
  /**
   * Networks trained together in one batched program.
   * @default 250
   */
  batchModels?: number;
  /**
   * Training precision (jax-js's float64 matmul is untiled and about 10x slower).
   * @default 'float32'
   */
  dtype?: 'float32' | 'float64';
  /**
   * A net "fits" the training set when its training MSE is below this fraction of the targets' variance.
   * @default 0.01
   */
  fitTolerance?: number;
  /**
   * Label for tables and charts.
   * @default undefined (from the architecture, e.g. 'MLP 32 relu')
   */
  name?: string;
}

/** The defaults of networkHypothesisSpace (see NetworkSpaceOptions). */
export const NETWORK_SPACE_DEFAULTS = {
  hidden: [32],
  activation: 'relu',
  steps: 300,
  learningRate: 0.01,
  batchModels: 250,
  dtype: 'float32',
  fitTolerance: 0.01,
  name: undefined,
} as const satisfies OptionDefaults<NetworkSpaceOptions>;

interface Architecture {
  widths: number[]; // input, hidden..., output
  activation: Activation;
}

/** Per-layer weight (fanIn x fanOut) and bias arrays for one net, He (relu) or LeCun (tanh) normal init. */
function initialWeights(architecture: Architecture, random: Rng): Float64Array[] {
  const layers: Float64Array[] = [];
  const { widths, activation } = architecture;
  for (let l = 0; l + 1 < widths.length; l++) {
    const fanIn = widths[l];
    const gain = activation === 'relu' && l + 2 < widths.length ? 2 : 1;
    layers.push(random.normal(fanIn * widths[l + 1], 0, Math.sqrt(gain / fanIn)));
    layers.push(new Float64Array(widths[l + 1]));
  }
  return layers;
}

/** Float64 forward pass of one net over all rows; returns the MSE against targets. */
export function networkError(architecture: Architecture, layers: ArrayLike<number>[], x: Rows, y: Rows): number {
  const { widths, activation } = architecture;
  let total = 0;
  let input = new Float64Array(widths[0]);
  for (let r = 0; r < x.rows; r++) {
    input = x.values.subarray(r * x.cols, (r + 1) * x.cols) as Float64Array;
    let current: Float64Array = input;
    for (let l = 0; l + 1 < widths.length; l++) {
      const weight = layers[2 * l];
      const bias = layers[2 * l + 1];
      const next = new Float64Array(widths[l + 1]);
      for (let o = 0; o < widths[l + 1]; o++) next[o] = bias[o];
      for (let i = 0; i < widths[l]; i++) {
        const v = current[i];
        if (v === 0) continue;
        const row = i * widths[l + 1];
        for (let o = 0; o < widths[l + 1]; o++) next[o] += v * weight[row + o];
      }
      if (l + 2 < widths.length) {
        for (let o = 0; o < next.length; o++)
          next[o] = activation === 'relu' ? Math.max(0, next[o]) : Math.tanh(next[o]);
      }
      current = next;
    }
    for (let o = 0; o < y.cols; o++) {
      const diff = current[o] - y.values[r * y.cols + o];
      total += diff * diff;
    }
  }
  return total / (x.rows * y.cols);
}

type Step = (
  params: JaxArray[],
  first: JaxArray[],
  second: JaxArray[],
  x: JaxArray,
  y: JaxArray,
  c1: JaxArray | number,
  c2: JaxArray | number,
) => [JaxArray[], JaxArray[], JaxArray[], JaxArray];

const BETA1 = 0.9;
const BETA2 = 0.999;
const ADAM_EPSILON = 1e-8;

/** The jitted full-batch Adam step for a stack of nets (see the file comment). */
function makeStep(
  module: JaxModule,
  architecture: Architecture,
  rows: number,
  outputs: number,
  learningRate: number,
): Step {
  const np = module.numpy;
  const tree = module.tree;
  const layersCount = architecture.widths.length - 1;
  const loss = (params: JaxArray[], x: JaxArray, y: JaxArray): JaxArray => {
    let hidden = x; // (1, rows, in), broadcast over models
    for (let l = 0; l < layersCount; l++) {
      const pre = np.add(np.matmul(hidden, params[2 * l]), params[2 * l + 1]); // (models, rows, width)
      hidden = l + 1 < layersCount ? (architecture.activation === 'relu' ? np.maximum(pre, 0) : np.tanh(pre)) : pre;
    }
    const residual = np.subtract(hidden, y);
    // Sum over models of each net's MSE: the nets' gradients stay independent.
    return np.sum(np.multiply(residual.ref, residual)).mul(1 / (rows * outputs));
  };
  return module.jit(
    (
      params: JaxArray[],
      first: JaxArray[],
      second: JaxArray[],
      x: JaxArray,
      y: JaxArray,
      c1: JaxArray,
      c2: JaxArray,
    ) => {
      const [value, gradient] = module.valueAndGrad(loss)(tree.ref(params), x, y) as unknown as [JaxArray, JaxArray[]];
      const nextFirst = tree.map(
        (m: JaxArray, g: JaxArray) => m.mul(BETA1).add(g.mul(1 - BETA1)),
        first,
        tree.ref(gradient),
      ) as JaxArray[];
      const nextSecond = tree.map(
        (v: JaxArray, g: JaxArray) => v.mul(BETA2).add(g.ref.mul(g).mul(1 - BETA2)),
        second,
        gradient,
      ) as JaxArray[];
      // Bias-corrected step: p - lr * (m c1) / (sqrt(v c2) + eps), c1 = 1/(1-b1^t), c2 = 1/(1-b2^t).
      const nextParams = tree.map(
        (p: JaxArray, m: JaxArray, v: JaxArray) =>
          p.sub(
            m
              .mul(c1.ref)
              .div(np.sqrt(v.mul(c2.ref)).add(ADAM_EPSILON))
              .mul(learningRate),
          ),
        params,
        tree.ref(nextFirst),
        tree.ref(nextSecond),
      ) as JaxArray[];
      return [nextParams, nextFirst, nextSecond, value];
    },
  ) as unknown as Step;
}

class NetworkHypothesisSpace implements HypothesisSpace {
  readonly name: string;
  private readonly hidden: readonly number[];
  private readonly activation: Activation;
  private readonly steps: number;
  private readonly learningRate: number;
  private readonly batchModels: number;
  private readonly dtype: 'float32' | 'float64';
  private readonly fitTolerance: number;

  constructor(options: NetworkSpaceOptions) {
    const o = resolveOptions('networkHypothesisSpace', NETWORK_SPACE_DEFAULTS, options);
    this.hidden = o.hidden;
    this.activation = o.activation;
    this.steps = o.steps;
    this.learningRate = o.learningRate;
    this.batchModels = o.batchModels;
    this.dtype = o.dtype;
    this.fitTolerance = o.fitTolerance;
    if (!Array.isArray(this.hidden) || !this.hidden.every((w) => Number.isInteger(w) && w > 0))
      throw new ArgumentError('hidden must be a list of positive integer widths', {
        field: 'hidden',
        found: JSON.stringify(o.hidden),
      });
    if (this.activation !== 'relu' && this.activation !== 'tanh')
      throw new ArgumentError('unknown activation', {
        field: 'activation',
        expected: "'relu' or 'tanh'",
        found: String(this.activation),
      });
    if (!Number.isInteger(this.steps) || this.steps < 1)
      throw new ArgumentError('steps must be a positive integer', { field: 'steps', found: String(this.steps) });
    if (!(this.fitTolerance > 0))
      throw new ArgumentError('fitTolerance must be > 0', { field: 'fitTolerance', found: String(this.fitTolerance) });
    if (!(this.learningRate > 0))
      throw new ArgumentError('learningRate must be > 0', { field: 'learningRate', found: String(this.learningRate) });
    if (!Number.isInteger(this.batchModels) || this.batchModels < 1)
      throw new ArgumentError('batchModels must be a positive integer', {
        field: 'batchModels',
        found: String(this.batchModels),
      });
    if (this.dtype !== 'float32' && this.dtype !== 'float64')
      throw new ArgumentError('dtype must be float32 or float64', { field: 'dtype', found: String(this.dtype) });
    this.name = o.name ?? `MLP ${this.hidden.join('-')} ${this.activation}`;
  }

  describe(): Record<string, unknown> {
    return {
      space: 'network',
      hidden: this.hidden,
      activation: this.activation,
      optimizer: 'adam (full batch)',
      steps: this.steps,
      learningRate: this.learningRate,
      dtype: this.dtype,
      fitTolerance: this.fitTolerance,
    };
  }

  async sample(task: TaskData, count: number, context: SamplingContext): Promise<HypothesisSample> {
    const module = await jax();
    const np = module.numpy;
    const device = defaultJaxDevice();
    const architecture: Architecture = {
      widths: [task.dimension, ...this.hidden, task.outputs],
      activation: this.activation,
    };
    const n = task.trainX.rows;
    const models = Math.min(this.batchModels, count);
    const Typed = this.dtype === 'float32' ? Float32Array : Float64Array;
    const array = (values: ArrayLike<number>, shape: number[]): JaxArray =>
      np.array(Typed.from(values), { shape, dtype: this.dtype, device } as never) as JaxArray;
    const step = makeStep(module, architecture, n, task.outputs, this.learningRate);
    const x = array(task.trainX.values, [1, n, task.dimension]);
    const y = array(task.trainY.values, [1, n, task.outputs]);
    const errors = new Float64Array(count);
    const trainingErrors = new Float64Array(count);
    const layerShapes: number[][] = [];
    for (let l = 0; l + 1 < architecture.widths.length; l++) {
      layerShapes.push([architecture.widths[l], architecture.widths[l + 1]], [1, architecture.widths[l + 1]]);
    }
    try {
      for (let start = 0; start < count; start += models) {
        // Stack the initial weights of nets start .. start + models - 1 (padding beyond count).
        const initial = Array.from({ length: models }, (_, i) =>
          initialWeights(architecture, context.rng.fold(start + i)),
        );
        let params = layerShapes.map((shape, p) => {
          const size = shape[0] * shape[1];
          const stacked = new Float64Array(models * size);
          for (let i = 0; i < models; i++) stacked.set(initial[i][p], i * size);
          return array(stacked, [models, ...shape]);
        });
        let first = params.map((p) => np.zerosLike(p.ref) as JaxArray);
        let second = params.map((p) => np.zerosLike(p.ref) as JaxArray);
        for (let t = 1; t <= this.steps; t++) {
          const c1 = 1 / (1 - BETA1 ** t);
          const c2 = 1 / (1 - BETA2 ** t);
          const [nextParams, nextFirst, nextSecond, value] = step(params, first, second, x.ref, y.ref, c1, c2);
          params = nextParams;
          first = nextFirst;
          second = nextSecond;
          value.dispose();
          if (t % 25 === 0) {
            await module.blockUntilReady(params);
            context.progress?.update(context.progress.current); // interrupt check
            await yieldToEventLoop();
          }
        }
        const trained = await Promise.all(params.map((p) => p.data() as Promise<ArrayLike<number>>));
        for (const array of [...first, ...second]) array.dispose();
        const used = Math.min(models, count - start);
        for (let i = 0; i < used; i++) {
          const layers = layerShapes.map((shape, p) => {
            const size = shape[0] * shape[1];
            return Float64Array.from((trained[p] as Float32Array).subarray(i * size, (i + 1) * size));
          });
          trainingErrors[start + i] = networkError(architecture, layers, task.trainX, task.trainY);
          errors[start + i] = networkError(architecture, layers, task.testX, task.testY);
        }
        context.progress?.tick(used);
        await yieldToEventLoop();
      }
    } finally {
      x.dispose();
      y.dispose();
    }
    return this.screen(task, errors, trainingErrors, context);
  }

  /** Drops diverged nets (non-finite errors) and warns about nets that do not fit the training set. */
  private screen(
    task: TaskData,
    errors: Float64Array,
    trainingErrors: Float64Array,
    context: SamplingContext,
  ): HypothesisSample {
    const count = errors.length;
    let mean = 0;
    for (const v of task.trainY.values) mean += v / task.trainY.values.length;
    let variance = 0;
    for (const v of task.trainY.values) variance += (v - mean) ** 2 / task.trainY.values.length;
    const tolerance = this.fitTolerance * variance;
    const finite: number[] = [];
    let unfitted = 0;
    let worst = 0;
    for (let i = 0; i < count; i++) {
      if (!Number.isFinite(errors[i]) || !Number.isFinite(trainingErrors[i])) continue;
      finite.push(i);
      if (trainingErrors[i] > tolerance) {
        unfitted++;
        worst = Math.max(worst, trainingErrors[i]);
      }
    }
    const diverged = count - finite.length;
    if (diverged > 0.1 * count) {
      throw new NumericalError(
        `${diverged} of ${count} networks diverged (non-finite error); lower the learning rate`,
        { field: 'learningRate', found: String(this.learningRate) },
      );
    }
    if (diverged > 0)
      context.warnings.add(
        `${diverged} of ${count} networks diverged (non-finite error) and were dropped; lower the learning rate (${this.learningRate}) to keep them`,
      );
    if (unfitted > 0) {
      context.warnings.add(
        `${unfitted} of ${finite.length} networks did not fit the training set (training MSE up to ${worst.toPrecision(3)} > ${tolerance.toPrecision(3)} = ${this.fitTolerance} x target variance after ${this.steps} steps); they are kept, as the architecture-plus-optimiser space includes them; raise steps to condition on fitting`,
      );
    }
    const keep = Float64Array.from(finite, (i) => errors[i]);
    const keepTraining = Float64Array.from(finite, (i) => trainingErrors[i]);
    let meanTraining = 0;
    for (const v of keepTraining) meanTraining += v / keepTraining.length;
    return {
      errors: keep,
      trainingErrors: keepTraining,
      details: {
        architecture: [task.dimension, ...this.hidden, task.outputs].join('-'),
        activation: this.activation,
        steps: this.steps,
        dropped: diverged,
        unfitted,
        meanTrainingError: meanTraining,
      },
    };
  }
}

/**
 * The trained-network hypothesis space: `networkHypothesisSpace({ hidden: [32], activation: 'relu', steps: 300 })`
 * draws nets from independent initialisations and trains each with full-batch Adam.
 */
export function networkHypothesisSpace(options: NetworkSpaceOptions = {}): HypothesisSpace {
  return new NetworkHypothesisSpace(options);
}
