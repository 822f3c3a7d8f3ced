// A jitted Adam(W) step for the generator networks: one compiled jax-js program per network does
// value-and-grad plus the update (numerics.md §1c: first-order jit is exact and ~2.5x torch).
// Learning rate and bias correction enter as scalar inputs so a schedule never recompiles.

import { ArgumentError, NumericalError } from '../../errors';
import { jaxModule, toDevice, toHost, type JaxArray, type JaxModule } from './jax-ops';
import type { HostParameters } from './parameters';

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
}

export class AdamTrainer {
  private params: JaxArray[];
  private m: JaxArray[];
  private v: JaxArray[];
  private t = 0;
  private readonly compiled: (...args: unknown[]) => unknown;

  private constructor(private readonly jx: JaxModule, params: HostParameters, loss: LossFunction, private readonly options: AdamOptions) {
    const np = jx.numpy;
    this.params = toDevice(jx, params);
    this.m = params.map((p) => np.zeros(p.shape, { dtype: 'float32' as never }));
    this.v = params.map((p) => np.zeros(p.shape, { dtype: 'float32' as never }));
    const b1 = options.beta1 ?? 0.9;
    const b2 = options.beta2 ?? 0.999;
    const eps = options.epsilon ?? 1e-8;
    const valueAndGrad = jx.valueAndGrad((p: JaxArray[], batch: JaxArray[]) => loss(jx, p, batch));
    this.compiled = jx.jit((p: JaxArray[], m: JaxArray[], v: JaxArray[], stepSize: JaxArray, decay: JaxArray, batch: JaxArray[]) => {
      const [value, grads] = valueAndGrad(jx.tree.ref(p), batch) as [JaxArray, JaxArray[]];
      const newM = m.map((mi, i) => np.add(np.multiply(mi, b1), np.multiply(grads[i].ref, 1 - b1)));
      const newV = v.map((vi, i) => np.add(np.multiply(vi, b2), np.multiply(np.square(grads[i]), 1 - b2)));
      const newP = p.map((pi, i) => {
        const update = np.divide(newM[i].ref, np.add(np.sqrt(newV[i].ref), eps));
        const decayed = np.subtract(pi.ref, np.multiply(decay.ref, pi));
        return np.subtract(decayed, np.multiply(stepSize.ref, update));
      });
      stepSize.dispose();
      decay.dispose();
      return [value, newP, newM, newV];
    }) as unknown as (...args: unknown[]) => unknown;
  }

  static async create(params: HostParameters, loss: LossFunction, options: AdamOptions): Promise<AdamTrainer> {
    if (!(options.learningRate > 0)) throw new ArgumentError('learningRate must be positive', { field: 'learningRate', found: String(options.learningRate) });
    return new AdamTrainer(await jaxModule(), params, loss, options);
  }

  /** The learning rate the next step uses. */
  learningRate(): number {
    const { learningRate, schedule, totalSteps, finalLearningRate } = this.options;
    if (schedule !== 'cosine' || !totalSteps) return learningRate;
    const low = finalLearningRate ?? 0;
    const progress = Math.min(1, this.t / totalSteps);
    return low + 0.5 * (learningRate - low) * (1 + Math.cos(Math.PI * progress));
  }

  /** One step on `batch` (consumed); returns the loss array (dispose it or read it). */
  step(batch: JaxArray[]): JaxArray {
    const np = this.jx.numpy;
    const lr = this.learningRate();
    this.t++;
    const b1 = this.options.beta1 ?? 0.9;
    const b2 = this.options.beta2 ?? 0.999;
    const stepSize = lr * Math.sqrt(1 - b2 ** this.t) / (1 - b1 ** this.t);
    const decay = lr * (this.options.weightDecay ?? 0);
    const [value, p, m, v] = this.compiled(this.params, this.m, this.v,
      np.array(stepSize, { dtype: 'float32' as never }), np.array(decay, { dtype: 'float32' as never }), batch) as [JaxArray, JaxArray[], JaxArray[], JaxArray[]];
    this.params = p; this.m = m; this.v = v;
    return value;
  }

  /** Restarts from new parameters with fresh moments, keeping the compiled program (no recompile). */
  reset(params: HostParameters): void {
    const np = this.jx.numpy;
    for (const list of [this.params, this.m, this.v]) for (const a of list) a.dispose();
    this.params = toDevice(this.jx, params);
    this.m = params.map((p) => np.zeros(p.shape, { dtype: 'float32' as never }));
    this.v = params.map((p) => np.zeros(p.shape, { dtype: 'float32' as never }));
    this.t = 0;
  }

  /** Steps taken so far. */
  get steps(): number { return this.t; }

  /** Host copies of the current parameters (the trainer keeps its own). */
  async parameters(): Promise<HostParameters> {
    return toHost(this.params.map((p) => p.ref));
  }

  /** Frees the device arrays and the compiled program. */
  dispose(): void {
    for (const list of [this.params, this.m, this.v]) for (const a of list) a.dispose();
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
}

/** Runs `steps` Adam steps; returns the losses read every `every` steps. Throws on a non-finite loss. */
export async function trainLoop(trainer: AdamTrainer, options: TrainLoopOptions): Promise<number[]> {
  const every = options.every ?? 50;
  const losses: number[] = [];
  for (let i = 0; i < options.steps; i++) {
    if (options.signal?.aborted) throw new ArgumentError('training interrupted');
    const loss = trainer.step(options.batch(i));
    if (i % every === 0 || i === options.steps - 1) {
      const value = (await loss.data())[0] as number;
      if (!Number.isFinite(value)) throw new NumericalError('training loss became non-finite', { field: `step ${i}`, found: String(value) });
      losses.push(value);
    } else loss.dispose();
  }
  return losses;
}
