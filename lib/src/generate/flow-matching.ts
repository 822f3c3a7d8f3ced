// Flow matching in weight space, DeepWeightFlow-style (Gupta et al., ICLR 2026): canonicalise
// the zoo with Git Re-Basin, optionally project to PCA, then learn a velocity field v(x, t) that
// transports N(0, σ²I) to the zoo along straight lines (rectified flow / I-CFM with independent
// coupling) and integrate it with Euler or RK4. The velocity field is a plain MLP with sinusoidal
// time features and a zero-initialised last layer.

import { ArgumentError } from '../errors';
import { rng } from '../random/rng';
import type { WeightSet } from '../weights/weight-set';
import { AdamTrainer, trainLoop } from './nn/adam';
import { deviceArray, fourierFeatures, fourierFrequencies, jaxModule, mlpForward, toDevice, type Activation, type JaxArray, type JaxModule } from './nn/jax-ops';
import { linearStack, parameterCount, type HostParameters } from './nn/parameters';
import { Representation } from './representation';
import type { FitOptions, GeneratorFamily, WeightGenerator, ZooInput } from './types';
import { WeightSpace } from './weight-space';
import { zooModels } from './zoo-input';
import type { PermutationSpec } from '../align/permutation-spec';

export interface FlowMatchingOptions {
  /** 'pca' (default): flow over whitened PCA codes; 'full': over every standardised weight (small nets). */
  space?: 'pca' | 'full';
  /** PCA rank (default min(N − 1, 64)). */
  rank?: number;
  /** Git Re-Basin alignment to model 0 before everything (default true). */
  align?: boolean;
  spec?: PermutationSpec;
  /** Hidden width of the velocity MLP (default 256) and number of hidden layers (default 3). */
  hidden?: number;
  layers?: number;
  activation?: Activation;
  /** Sinusoidal time frequencies (default 8, giving 16 features). */
  timeFrequencies?: number;
  /** Training steps (default 3000), batch size (default 32), learning rate (default 1e-3, cosine to 1e-5). */
  steps?: number;
  batchSize?: number;
  learningRate?: number;
  weightDecay?: number;
  /** Source N(0, sourceStd²) in standardised units (default 1: matched to the whitened targets). */
  sourceStd?: number;
  /**
   * Sampling temperature: the source std at sampling is temperature · sourceStd (default 1, the
   * trained distribution). Below 1 concentrates samples near the zoo's dense regions: more
   * accurate, less novel; the name then says so.
   */
  temperature?: number;
  /** Integrator and number of steps for sampling (default RK4 with 20 steps). */
  integrator?: 'euler' | 'rk4';
  integrationSteps?: number;
  /** Seed of the velocity-field init and of the training noise (default 0). */
  seed?: number;
  /** Display name override. */
  name?: string;
}

interface Fitted {
  representation: Representation;
  params: HostParameters;
  dimension: number;
}

export class FlowMatchingGenerator implements WeightGenerator {
  readonly family: GeneratorFamily = 'generator';
  readonly mini = false;
  fitSeconds = 0;
  /** Training losses read every 50 steps. */
  losses: number[] = [];
  private fitted?: Fitted;
  private readonly options: Required<Omit<FlowMatchingOptions, 'rank' | 'spec' | 'name'>> & Pick<FlowMatchingOptions, 'rank' | 'spec' | 'name'>;

  constructor(options: FlowMatchingOptions = {}) {
    this.options = {
      space: 'pca', align: true, hidden: 256, layers: 3, activation: 'gelu', timeFrequencies: 8, steps: 3000, batchSize: 32,
      learningRate: 1e-3, weightDecay: 1e-5, sourceStd: 1, temperature: 1, integrator: 'rk4', integrationSteps: 20, seed: 0, ...options,
    };
    if (!['pca', 'full'].includes(this.options.space)) throw new ArgumentError("space must be 'pca' or 'full'", { field: 'space', found: String(this.options.space) });
  }

  get name(): string {
    if (this.options.name) return this.options.name;
    const where = this.options.space === 'pca' ? `PCA-${this.fitted?.representation.pca?.rank ?? this.options.rank ?? 'auto'}` : 'full weights';
    const temperature = this.options.temperature === 1 ? '' : `, T=${this.options.temperature}`;
    return `flow matching (${this.options.align ? 're-basined' : 'unaligned'}, ${where}${temperature})`;
  }

  get parameterCount(): number {
    return this.fitted ? parameterCount(this.fitted.params) : 0;
  }

  async fit(zoo: ZooInput, fitOptions: FitOptions = {}): Promise<this> {
    const started = performance.now();
    const o = this.options;
    const models = await zooModels(zoo);
    const space = WeightSpace.from(models, { align: o.align, spec: o.spec, minimum: 2, purpose: 'flow matching' });
    const representation = Representation.of(space, { space: o.space, rank: o.rank });
    const d = representation.dimension;
    const targets = representation.data;

    const jx = await jaxModule();
    const features = 2 * o.timeFrequencies;
    const sizes = [d + features, ...Array(o.layers).fill(o.hidden), d];
    const initial = linearStack(sizes, o.seed, { zeroLast: true });
    const activation = o.activation;
    const trainer = await AdamTrainer.create(initial, (j, p, [xt, t, target, frequencies]) => {
      const np = j.numpy;
      const input = np.concatenate([xt, fourierFeatures(j, t, frequencies)], 1);
      return np.mean(np.square(np.subtract(mlpForward(j, p, input, activation), target)));
    }, { learningRate: o.learningRate, weightDecay: o.weightDecay, schedule: 'cosine', finalLearningRate: o.learningRate / 100, totalSteps: o.steps });
    const noise = rng(o.seed).fold('flow-matching-batches');
    const frequencies = fourierFrequencies(o.timeFrequencies);
    const n = representation.count;
    const b = o.batchSize;
    try {
      this.losses = await trainLoop(trainer, {
        steps: o.steps,
        signal: fitOptions.signal,
        batch: () => {
          const pick = noise.integers(b, 0, n);
          const times = noise.uniform(b);
          const source = noise.normal(b * d, 0, o.sourceStd);
          const xt = new Float32Array(b * d);
          const target = new Float32Array(b * d);
          for (let r = 0; r < b; r++) {
            const t = times[r];
            for (let k = 0; k < d; k++) {
              const x1 = targets[pick[r] * d + k];
              const x0 = source[r * d + k];
              xt[r * d + k] = (1 - t) * x0 + t * x1;
              target[r * d + k] = x1 - x0;
            }
          }
          return [deviceArray(jx, xt, [b, d]), deviceArray(jx, times, [b, 1]), deviceArray(jx, target, [b, d]), deviceArray(jx, frequencies, [1, o.timeFrequencies])];
        },
      });
      this.fitted = { representation, params: await trainer.parameters(), dimension: d };
    } finally {
      trainer.dispose();
    }
    this.fitSeconds = (performance.now() - started) / 1000;
    return this;
  }

  /** Integrates the learned flow from `count` source draws; returns standardised end points [count, d]. */
  async integrate(count: number, seed: number): Promise<Float32Array> {
    const fitted = this.requireFitted();
    const o = this.options;
    const d = fitted.dimension;
    const jx = await jaxModule();
    const { rk4, euler } = this.integrators(jx);
    const times = (value: number) => deviceArray(jx, new Float32Array(count).fill(value), [count, 1]);
    const h = 1 / o.integrationSteps;
    const params = toDevice(jx, fitted.params);
    let x = deviceArray(jx, rng(seed).fold('flow-matching-source').normal(count * d, 0, o.sourceStd * o.temperature), [count, d]);
    const frequencies = deviceArray(jx, fourierFrequencies(o.timeFrequencies), [1, o.timeFrequencies]);
    try {
      for (let s = 0; s < o.integrationSteps; s++) {
        const t = s * h;
        x = o.integrator === 'rk4'
          ? rk4(params.map((a) => a.ref), x, times(t), times(t + h / 2), times(t + h), frequencies.ref)
          : euler(params.map((a) => a.ref), x, times(t), frequencies.ref);
      }
      return Float32Array.from(await x.data() as ArrayLike<number>);
    } finally {
      for (const a of params) a.dispose();
      frequencies.dispose();
    }
  }

  // One compiled RK4 step and one Euler step per generator: compiling costs far more than a
  // step, so sample() after the first call runs at the speed of the arithmetic.
  private compiled?: { rk4: (...args: unknown[]) => JaxArray; euler: (...args: unknown[]) => JaxArray; steps: number };

  private integrators(jx: JaxModule): { rk4: (...args: unknown[]) => JaxArray; euler: (...args: unknown[]) => JaxArray } {
    const o = this.options;
    if (this.compiled && this.compiled.steps === o.integrationSteps) return this.compiled;
    const np = jx.numpy;
    const activation = o.activation;
    const h = 1 / o.integrationSteps;
    const velocity = (j: JaxModule, p: JaxArray[], x: JaxArray, t: JaxArray, f: JaxArray) =>
      mlpForward(j, p, np.concatenate([x, fourierFeatures(j, t, f)], 1), activation);
    const rk4 = jx.jit((p: JaxArray[], x: JaxArray, t0: JaxArray, tm: JaxArray, t1: JaxArray, f: JaxArray) => {
      const k1 = velocity(jx, jx.tree.ref(p), x.ref, t0, f.ref);
      const k2 = velocity(jx, jx.tree.ref(p), np.add(x.ref, np.multiply(k1.ref, h / 2)), tm.ref, f.ref);
      const k3 = velocity(jx, jx.tree.ref(p), np.add(x.ref, np.multiply(k2.ref, h / 2)), tm, f.ref);
      const k4 = velocity(jx, p, np.add(x.ref, np.multiply(k3.ref, h)), t1, f);
      const sum = np.add(np.add(k1, np.multiply(k2, 2)), np.add(np.multiply(k3, 2), k4));
      return np.add(x, np.multiply(sum, h / 6));
    }) as unknown as (...args: unknown[]) => JaxArray;
    const euler = jx.jit((p: JaxArray[], x: JaxArray, t0: JaxArray, f: JaxArray) => np.add(x.ref, np.multiply(velocity(jx, p, x, t0, f), h))) as unknown as (...args: unknown[]) => JaxArray;
    this.compiled = { rk4, euler, steps: o.integrationSteps };
    return this.compiled;
  }

  /**
   * The learned velocity at `points` ([count, d] row-major, standardised coordinates of the flow's
   * space) and time t: for checking the field against closed forms.
   */
  async velocity(points: ArrayLike<number>, t: number): Promise<Float64Array> {
    const fitted = this.requireFitted();
    const d = fitted.dimension;
    const count = points.length / d;
    const jx = await jaxModule();
    const np = jx.numpy;
    const params = toDevice(jx, fitted.params);
    const input = np.concatenate([deviceArray(jx, points, [count, d]),
      fourierFeatures(jx, deviceArray(jx, new Float32Array(count).fill(t), [count, 1]), deviceArray(jx, fourierFrequencies(this.options.timeFrequencies), [1, this.options.timeFrequencies]))], 1);
    const out = mlpForward(jx, params, input, this.options.activation);
    return Float64Array.from(await out.data() as ArrayLike<number>);
  }

  /** Standardisation of the flow's space: x_std = (x − shift) / scale. */
  get standardisation(): { shift: Float64Array; scale: Float64Array } {
    const fitted = this.requireFitted();
    return { shift: fitted.representation.shift, scale: fitted.representation.scale };
  }

  async sample(n: number, seed: number): Promise<WeightSet[]> {
    if (!Number.isInteger(n) || n < 1) throw new ArgumentError('n must be a positive integer', { field: 'n', found: String(n) });
    const fitted = this.requireFitted();
    const ends = await this.integrate(n, seed);
    return fitted.representation.weights(ends, n, (i) => ({ generator: this.name, seed, index: i }));
  }

  private requireFitted(): Fitted {
    if (!this.fitted) throw new ArgumentError(`${this.name}: call fit(zoo) before sample()`);
    return this.fitted;
  }
}

/** A DeepWeightFlow-style flow-matching generator (see FlowMatchingOptions for defaults). */
export function flowMatching(options: FlowMatchingOptions = {}): FlowMatchingGenerator {
  return new FlowMatchingGenerator(options);
}
