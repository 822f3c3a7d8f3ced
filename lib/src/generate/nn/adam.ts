// A jitted Adam(W) step for the generator networks: one compiled jax-js program per network does
// value-and-grad plus the update (numerics.md §1c: first-order jit is exact and ~2.5x torch).
// Learning rate, bias correction and the EMA decay enter as scalar inputs so a schedule never
// recompiles. An exponential moving average of the weights (the p-diff / G.pt practice for
// diffusion and flow models) is kept inside the same program when asked for.

import { ArgumentError, InterruptedError, NumericalError } from '../../errors';
import { Progress } from '../../progress/progress';
import { jaxModule, toDevice, toHost, type JaxArray, type JaxModule } from './jax-ops';
import type { HostParameters } from './parameters';
import type { FitOptions } from '../types';

/** loss(params, batch) -> scalar; must consume its arguments (jax-js move semantics). */
export type LossFunction = (jx: JaxModule, params: JaxArray[], batch: JaxArray[]) => JaxArray;

export interface AdamOptions {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** Decoupled weight decay (AdamW); 0 = plain Adam. */
  weightDecay?: number;
  /** 'cosine' decays to `finalLearningRate` over `totalSteps` (DeepWeightFlow's schedule). */
  schedule?: 'constant' | 'cosine';
  finalLearningRate?: number;
  totalSteps?: number;
  /** Linear learning-rate warm-up over this many first steps (default 0). */
  warmupSteps?: number;
  /**
   * Decay of an exponential moving average of the weights (e.g. 0.995); parameters() then returns
   * the average. The decay ramps up as min(decay, (1 + t) / (10 + t)) so early weights fade fast.
   */
  ema?: number;
}

export class AdamTrainer {
  private params: JaxArray[];
  private m: JaxArray[];
  private v: JaxArray[];
  private average: JaxArray[];
  private t = 0;
  private readonly compiled: (...args: unknown[]) => unknown;

  private constructor(
    private readonly jx: JaxModule,
    params: HostParameters,
    loss: LossFunction,
    private readonly options: AdamOptions,
  ) {
    const np = jx.numpy;
    this.params = toDevice(jx, params);
    this.m = params.map((p) => np.zeros(p.shape, { dtype: 'float32' as never }));
    this.v = params.map((p) => np.zeros(p.shape, { dtype: 'float32' as never }));
    this.average = options.ema ? toDevice(jx, params) : [];
    const b1 = options.beta1 ?? 0.9;
    const b2 = options.beta2 ?? 0.999;
    const eps = options.epsilon ?? 1e-8;
    const valueAndGrad = jx.valueAndGrad((p: JaxArray[], batch: JaxArray[]) => loss(jx, p, batch));
    this.compiled = jx.jit(
      (
        p: JaxArray[],
        m: JaxArray[],
        v: JaxArray[],
        average: JaxArray[],
        stepSize: JaxArray,
        decay: JaxArray,
        keep: JaxArray,
        batch: JaxArray[],
      ) => {
        const [value, grads] = valueAndGrad(jx.tree.ref(p), batch) as [JaxArray, JaxArray[]];
        const newM = m.map((mi, i) => np.add(np.multiply(mi, b1), np.multiply(grads[i].ref, 1 - b1)));
        const newV = v.map((vi, i) => np.add(np.multiply(vi, b2), np.multiply(np.square(grads[i]), 1 - b2)));
        const newP = p.map((pi, i) => {
          const update = np.divide(newM[i].ref, np.add(np.sqrt(newV[i].ref), eps));
          const decayed = np.subtract(pi.ref, np.multiply(decay.ref, pi));
          return np.subtract(decayed, np.multiply(stepSize.ref, update));
        });
        // average ← keep·average + (1 − keep)·new weights.
        const newAverage = average.map((ai, i) =>
          np.add(np.multiply(ai, keep.ref), np.multiply(newP[i].ref, np.subtract(1, keep.ref))),
        );
        stepSize.dispose();
        decay.dispose();
        keep.dispose();
        return [value, newP, newM, newV, newAverage];
      },
    ) as unknown as (...args: unknown[]) => unknown;
  }

  static async create(params: HostParameters, loss: LossFunction, options: AdamOptions): Promise<AdamTrainer> {
    if (!(options.learningRate > 0))
      throw new ArgumentError('learningRate must be positive', {
        field: 'learningRate',
        found: String(options.learningRate),
      });
    if (options.ema !== undefined && !(options.ema >= 0 && options.ema < 1))
      throw new ArgumentError('ema must be in [0, 1)', { field: 'ema', found: String(options.ema) });
    return new AdamTrainer(await jaxModule(), params, loss, options);
  }

  /** The learning rate the next step uses. */
  learningRate(): number {
    const { learningRate, schedule, totalSteps, finalLearningRate, warmupSteps } = this.options;
    const warm = warmupSteps && this.t < warmupSteps ? (this.t + 1) / warmupSteps : 1;
    if (schedule !== 'cosine' || !totalSteps) return learningRate * warm;
    const low = finalLearningRate ?? 0;
    const progress = Math.min(1, this.t / totalSteps);
    return warm * (low + 0.5 * (learningRate - low) * (1 + Math.cos(Math.PI * progress)));
  }

  /** One step on `batch` (consumed); returns the loss array (dispose it or read it). */
  step(batch: JaxArray[]): JaxArray {
    const np = this.jx.numpy;
    const lr = this.learningRate();
    this.t++;
    const b1 = this.options.beta1 ?? 0.9;
    const b2 = this.options.beta2 ?? 0.999;
    const stepSize = (lr * Math.sqrt(1 - b2 ** this.t)) / (1 - b1 ** this.t);
    const decay = lr * (this.options.weightDecay ?? 0);
    const keep = Math.min(this.options.ema ?? 0, (1 + this.t) / (10 + this.t));
    const scalar = (value: number) => np.array(value, { dtype: 'float32' as never });
    const [value, p, m, v, average] = this.compiled(
      this.params,
      this.m,
      this.v,
      this.average,
      scalar(stepSize),
      scalar(decay),
      scalar(keep),
      batch,
    ) as [JaxArray, JaxArray[], JaxArray[], JaxArray[], JaxArray[]];
    this.params = p;
    this.m = m;
    this.v = v;
    this.average = average;
    return value;
  }

  /**
   * Runs the work queued so far. jax-js is lazy: a step only records kernels (allocating their
   * buffers) until something is read, so without this the steps between two loss reads all hold
   * their intermediates at once. That peak grows wasm memory, every grow makes V8 run a full GC,
   * and with a large JS heap (the kernel's TypeScript program) fitting became 10-20x slower.
   */
  async settle(loss: JaxArray): Promise<void> {
    await this.jx.blockUntilReady([loss, ...this.params, ...this.m, ...this.v, ...this.average]);
  }

  /** Restarts from new parameters with fresh moments, keeping the compiled program (no recompile). */
  reset(params: HostParameters): void {
    const np = this.jx.numpy;
    for (const list of [this.params, this.m, this.v, this.average]) for (const a of list) a.dispose();
    this.params = toDevice(this.jx, params);
    this.m = params.map((p) => np.zeros(p.shape, { dtype: 'float32' as never }));
    this.v = params.map((p) => np.zeros(p.shape, { dtype: 'float32' as never }));
    this.average = this.options.ema ? toDevice(this.jx, params) : [];
    this.t = 0;
  }

  /** Steps taken so far. */
  get steps(): number {
    return this.t;
  }

  /** Host copies of the current parameters, or of their moving average when `ema` is set. */
  async parameters(): Promise<HostParameters> {
    return toHost((this.options.ema ? this.average : this.params).map((p) => p.ref));
  }

  /** Frees the device arrays and the compiled program. */
  dispose(): void {
    for (const list of [this.params, this.m, this.v, this.average]) for (const a of list) a.dispose();
    (this.compiled as unknown as { dispose?: () => void }).dispose?.();
  }
}

export interface TrainLoopOptions {
  steps: number;
  /** Device arrays for step `i` (consumed by the step). */
  batch: (step: number) => JaxArray[];
  /** Read the loss every this many steps (reading synchronises; default 50). */
  every?: number;
  signal?: AbortSignal;
  /** Progress-bar label (the bar updates in place in the kernel); false for no bar. */
  progress?: string | false;
}

/** The trainLoop progress option for a fit: `label`, or false when the caller asked for no bars. */
export function fitProgress(options: FitOptions, label: string): string | false {
  return options.progress === false ? false : label;
}

/**
 * Runs `steps` Adam steps; returns the losses read every `every` steps. Throws NumericalError on a
 * non-finite loss and InterruptedError when the kernel (or `signal`) interrupts.
 */
export async function trainLoop(trainer: AdamTrainer, options: TrainLoopOptions): Promise<number[]> {
  const every = options.every ?? 50;
  const losses: number[] = [];
  const bar =
    options.progress === false
      ? undefined
      : new Progress({ total: options.steps, label: options.progress ?? 'training', signal: options.signal });
  for (let i = 0; i < options.steps; i++) {
    if (options.signal?.aborted)
      throw new InterruptedError(`${options.progress || 'training'} interrupted at step ${i}/${options.steps}`);
    const loss = trainer.step(options.batch(i));
    await trainer.settle(loss);
    if (i % every === 0 || i === options.steps - 1) {
      const value = (await loss.data())[0] as number;
      if (!Number.isFinite(value))
        throw new NumericalError('training loss became non-finite', { field: `step ${i}`, found: String(value) });
      losses.push(value);
    } else loss.dispose();
    bar?.tick();
  }
  bar?.done();
  return losses;
}
