// Flow matching in weight space, DeepWeightFlow-style (Gupta et al., ICLR 2026): canonicalise
// the zoo with Git Re-Basin, optionally project to PCA, then learn a velocity field v(x, t) that
// transports N(0, σ²I) to the zoo along straight lines (rectified flow / I-CFM with independent
// coupling) and integrate it with Euler or RK4. The network is a plain MLP with sinusoidal time
// features and a zero-initialised last layer; it outputs the velocity, or (default in full weight
// space) the endpoint x̂₁ from which the velocity follows, which keeps samples on the zoo's span.

import { ArgumentError } from '../errors';
import type { OptionDefaults } from '../options/resolve';
import { rng } from '../random/rng';
import type { WeightSet } from '../weights/weight-set';
import { AdamTrainer, fitProgress, trainLoop } from './nn/adam';
import {
  deviceArray,
  fourierFeatures,
  fourierFrequencies,
  jaxModule,
  mlpForward,
  toDevice,
  type Activation,
  type JaxArray,
  type JaxModule,
} from './nn/jax-ops';
import { linearStack, parameterCount, type HostParameters } from './nn/parameters';
import { Representation } from './representation';
import {
  ConfiguredGenerator,
  oneOf,
  positiveInteger,
  type FitOptions,
  type GeneratorFamily,
  type WeightGenerator,
  type ZooInput,
} from './types';
import { WeightSpace } from './weight-space';
import { zooModels } from './zoo-input';
import type { PermutationSpec } from '../align/permutation-spec';

export interface FlowMatchingOptions {
  /**
   * 'pca': flow over whitened PCA codes; 'full': over every standardised weight (small nets).
   * @default 'pca'
   */
  space?: 'pca' | 'full';
  /**
   * PCA rank.
   * @default undefined (min(N − 1, 64) for a zoo of N models)
   */
  rank?: number;
  /**
   * Git Re-Basin alignment to model 0 before everything.
   * @default true
   */
  align?: boolean;
  /**
   * Permutation spec of the alignment.
   * @default undefined (the automatic MLP spec of the first model)
   */
  spec?: PermutationSpec;
  /**
   * Hidden width of the velocity MLP.
   * @default 256
   */
  hidden?: number;
  /**
   * Hidden layers of the velocity MLP.
   * @default 3
   */
  layers?: number;
  /**
   * Hidden nonlinearity of the velocity MLP.
   * @default 'gelu'
   */
  activation?: Activation;
  /**
   * Sinusoidal time frequencies (twice as many time features).
   * @default 8
   */
  timeFrequencies?: number;
  /**
   * Training steps.
   * @default 3000
   */
  steps?: number;
  /**
   * Zoo models per training step.
   * @default 32
   */
  batchSize?: number;
  /**
   * Adam learning rate, annealed by a cosine schedule to a hundredth of it.
   * @default 1e-3
   */
  learningRate?: number;
  /**
   * Decoupled (AdamW) weight decay.
   * @default 1e-5
   */
  weightDecay?: number;
  /**
   * Source N(0, sourceStd²) in standardised units (1 matches the whitened targets).
   * @default 1
   */
  sourceStd?: number;
  /**
   * Sampling temperature: the source std at sampling is temperature · sourceStd (1: the
   * trained distribution). Below 1 concentrates samples near the zoo's dense regions: more
   * accurate, less novel; the name then says so. A sampling option: changing it keeps the fit.
   * @default 1
   */
  temperature?: number;
  /**
   * What the MLP outputs. 'velocity' (DeepWeightFlow): v(x, t) directly. 'endpoint': the zoo point
   * x̂₁(x, t), with v = (x̂₁ − x) / (1 − t). In full weight space the zoo spans only N − 1 of d
   * directions: a velocity net whose last hidden layer is narrower than d cannot remove the source
   * noise in the other directions (measured: samples keep ~1 sd of noise per weight), while an
   * endpoint net's outputs lie on the span it learns.
   * @default undefined ('velocity' in PCA space, 'endpoint' in full weight space)
   */
  prediction?: 'velocity' | 'endpoint';
  /**
   * Integrator for sampling ('endpoint' with Euler is exact when x̂₁ does not change along the
   * path, and never evaluates t = 1). A sampling option.
   * @default undefined ('rk4' for 'velocity', 'euler' for 'endpoint')
   */
  integrator?: 'euler' | 'rk4';
  /**
   * Integration steps for sampling. A sampling option.
   * @default 20
   */
  integrationSteps?: number;
  /**
   * Moving-average decay of the network weights used for sampling (0: none).
   * @default 0
   */
  ema?: number;
  /**
   * Learning-rate warm-up steps.
   * @default 0
   */
  warmupSteps?: number;
  /**
   * Seed of the velocity-field init and of the training noise.
   * @default 0
   */
  seed?: number;
  /**
   * Display name override. A sampling option.
   * @default undefined (built from space, alignment and temperature)
   */
  name?: string;
}

/** flowMatching's defaults (documented with @default in FlowMatchingOptions). */
export const FLOW_MATCHING_DEFAULTS = {
  space: 'pca',
  rank: undefined,
  align: true,
  spec: undefined,
  hidden: 256,
  layers: 3,
  activation: 'gelu',
  timeFrequencies: 8,
  steps: 3000,
  batchSize: 32,
  learningRate: 1e-3,
  weightDecay: 1e-5,
  sourceStd: 1,
  temperature: 1,
  prediction: undefined,
  integrator: undefined,
  integrationSteps: 20,
  ema: 0,
  warmupSteps: 0,
  seed: 0,
  name: undefined,
} as const satisfies OptionDefaults<FlowMatchingOptions>;

interface Fitted {
  representation: Representation;
  params: HostParameters;
  dimension: number;
}

export class FlowMatchingGenerator
  extends ConfiguredGenerator<FlowMatchingOptions, typeof FLOW_MATCHING_DEFAULTS>
  implements WeightGenerator
{
  readonly family: GeneratorFamily = 'generator';
  readonly mini = false;
  fitSeconds = 0;
  /** Training losses read every 50 steps. */
  losses: number[] = [];
  private fitted?: Fitted;

  constructor(options: FlowMatchingOptions = {}) {
    super('flowMatching', FLOW_MATCHING_DEFAULTS, options);
  }

  protected validate(): void {
    oneOf('space', this.o.space, ['pca', 'full']);
    if (this.o.prediction !== undefined) oneOf('prediction', this.o.prediction, ['velocity', 'endpoint']);
    if (this.o.integrator !== undefined) oneOf('integrator', this.o.integrator, ['euler', 'rk4']);
    for (const key of ['hidden', 'layers', 'timeFrequencies', 'steps', 'batchSize', 'integrationSteps'] as const)
      positiveInteger(key, this.o[key]);
  }

  protected samplingOptions(): (keyof FlowMatchingOptions & string)[] {
    return ['temperature', 'integrator', 'integrationSteps', 'name'];
  }
  protected forgetFit(): void {
    this.fitted = undefined;
    this.losses = [];
  }

  /** What the network outputs: the option, or its default for the space. */
  private get prediction(): 'velocity' | 'endpoint' {
    return this.o.prediction ?? (this.o.space === 'full' ? 'endpoint' : 'velocity');
  }

  private get integrator(): 'euler' | 'rk4' {
    return this.o.integrator ?? (this.prediction === 'endpoint' ? 'euler' : 'rk4');
  }

  get name(): string {
    if (this.o.name) return this.o.name;
    const where =
      this.o.space === 'pca' ? `PCA-${this.fitted?.representation.pca?.rank ?? this.o.rank ?? 'auto'}` : 'full weights';
    const temperature = this.o.temperature === 1 ? '' : `, T=${this.o.temperature}`;
    return `flow matching (${this.o.align ? 're-basined' : 'unaligned'}, ${where}${temperature})`;
  }

  get parameterCount(): number {
    return this.fitted ? parameterCount(this.fitted.params) : 0;
  }

  async fit(zoo: ZooInput, fitOptions: FitOptions = {}): Promise<this> {
    fitOptions = this.fitOptions(fitOptions);
    const started = performance.now();
    const o = this.o;
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
    const trainer = await AdamTrainer.create(
      initial,
      (j, p, [xt, t, target, frequencies]) => {
        const np = j.numpy;
        const input = np.concatenate([xt, fourierFeatures(j, t, frequencies)], 1);
        return np.mean(np.square(np.subtract(mlpForward(j, p, input, activation), target)));
      },
      {
        learningRate: o.learningRate,
        weightDecay: o.weightDecay,
        schedule: 'cosine',
        finalLearningRate: o.learningRate / 100,
        totalSteps: o.steps,
        warmupSteps: o.warmupSteps,
        ema: o.ema || undefined,
      },
    );
    const noise = rng(o.seed).fold('flow-matching-batches');
    const frequencies = fourierFrequencies(o.timeFrequencies);
    const n = representation.count;
    const b = o.batchSize;
    const endpoint = this.prediction === 'endpoint';
    try {
      this.losses = await trainLoop(trainer, {
        steps: o.steps,
        signal: fitOptions.signal,
        progress: fitProgress(fitOptions, this.name),
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
              target[r * d + k] = endpoint ? x1 : x1 - x0;
            }
          }
          return [
            deviceArray(jx, xt, [b, d]),
            deviceArray(jx, times, [b, 1]),
            deviceArray(jx, target, [b, d]),
            deviceArray(jx, frequencies, [1, o.timeFrequencies]),
          ];
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
    const o = this.o;
    const d = fitted.dimension;
    const jx = await jaxModule();
    const { rk4, euler } = this.integrators(jx);
    const h = 1 / o.integrationSteps;
    // The endpoint form divides by 1 − t; RK4's last stage sits at t = 1, so it reads 1 − t ≥ h/2 there.
    const times = (value: number) =>
      deviceArray(
        jx,
        new Float32Array(count).fill(this.prediction === 'endpoint' ? Math.min(value, 1 - h / 2) : value),
        [count, 1],
      );
    const params = toDevice(jx, fitted.params);
    let x = deviceArray(
      jx,
      rng(seed)
        .fold('flow-matching-source')
        .normal(count * d, 0, o.sourceStd * o.temperature),
      [count, d],
    );
    const frequencies = deviceArray(jx, fourierFrequencies(o.timeFrequencies), [1, o.timeFrequencies]);
    try {
      for (let s = 0; s < o.integrationSteps; s++) {
        const t = s * h;
        x =
          this.integrator === 'rk4'
            ? rk4(
                params.map((a) => a.ref),
                x,
                times(t),
                times(t + h / 2),
                times(t + h),
                frequencies.ref,
              )
            : euler(
                params.map((a) => a.ref),
                x,
                times(t),
                frequencies.ref,
              );
        await x.blockUntilReady();
      }
      return Float32Array.from((await x.data()) as ArrayLike<number>);
    } finally {
      for (const a of params) a.dispose();
      frequencies.dispose();
    }
  }

  // One compiled RK4 step and one Euler step per generator: compiling costs far more than a
  // step, so sample() after the first call runs at the speed of the arithmetic.
  private compiled?: { rk4: (...args: unknown[]) => JaxArray; euler: (...args: unknown[]) => JaxArray; steps: number };

  private integrators(jx: JaxModule): {
    rk4: (...args: unknown[]) => JaxArray;
    euler: (...args: unknown[]) => JaxArray;
  } {
    const o = this.o;
    if (this.compiled && this.compiled.steps === o.integrationSteps) return this.compiled;
    const np = jx.numpy;
    const activation = o.activation;
    const h = 1 / o.integrationSteps;
    const endpoint = this.prediction === 'endpoint';
    const velocity = (j: JaxModule, p: JaxArray[], x: JaxArray, t: JaxArray, f: JaxArray) => {
      const out = mlpForward(j, p, np.concatenate([x.ref, fourierFeatures(j, t.ref, f)], 1), activation);
      if (!endpoint) {
        x.dispose();
        t.dispose();
        return out;
      }
      return np.divide(np.subtract(out, x), np.subtract(1, t));
    };
    const rk4 = jx.jit((p: JaxArray[], x: JaxArray, t0: JaxArray, tm: JaxArray, t1: JaxArray, f: JaxArray) => {
      const k1 = velocity(jx, jx.tree.ref(p), x.ref, t0, f.ref);
      const k2 = velocity(jx, jx.tree.ref(p), np.add(x.ref, np.multiply(k1.ref, h / 2)), tm.ref, f.ref);
      const k3 = velocity(jx, jx.tree.ref(p), np.add(x.ref, np.multiply(k2.ref, h / 2)), tm, f.ref);
      const k4 = velocity(jx, p, np.add(x.ref, np.multiply(k3.ref, h)), t1, f);
      const sum = np.add(np.add(k1, np.multiply(k2, 2)), np.add(np.multiply(k3, 2), k4));
      return np.add(x, np.multiply(sum, h / 6));
    }) as unknown as (...args: unknown[]) => JaxArray;
    const euler = jx.jit((p: JaxArray[], x: JaxArray, t0: JaxArray, f: JaxArray) =>
      np.add(x.ref, np.multiply(velocity(jx, p, x, t0, f), h)),
    ) as unknown as (...args: unknown[]) => JaxArray;
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
    const input = np.concatenate(
      [
        deviceArray(jx, points, [count, d]),
        fourierFeatures(
          jx,
          deviceArray(jx, new Float32Array(count).fill(t), [count, 1]),
          deviceArray(jx, fourierFrequencies(this.o.timeFrequencies), [1, this.o.timeFrequencies]),
        ),
      ],
      1,
    );
    const out = Float64Array.from((await mlpForward(jx, params, input, this.o.activation).data()) as ArrayLike<number>);
    // The endpoint form's velocity: (x̂₁ − x) / (1 − t).
    return this.prediction === 'endpoint' ? out.map((v, i) => (v - points[i]) / (1 - t)) : out;
  }

  /** Standardisation of the flow's space: x_std = (x − shift) / scale. */
  get standardisation(): { shift: Float64Array; scale: Float64Array } {
    const fitted = this.requireFitted();
    return { shift: fitted.representation.shift, scale: fitted.representation.scale };
  }

  async sample(n: number, seed: number): Promise<WeightSet[]> {
    if (!Number.isInteger(n) || n < 1)
      throw new ArgumentError('n must be a positive integer', { field: 'n', found: String(n) });
    const fitted = this.requireFitted();
    const ends = await this.integrate(n, seed);
    return fitted.representation.weights(ends, n, (i) => ({ generator: this.name, seed, index: i }));
  }

  private requireFitted(): Fitted {
    if (!this.fitted) throw new ArgumentError(`${this.name}: call fit(zoo) before sample()`);
    return this.fitted;
  }
}

/** A DeepWeightFlow-style flow-matching generator (defaults: FLOW_MATCHING_DEFAULTS). */
export function flowMatching(options: FlowMatchingOptions = {}): FlowMatchingGenerator {
  return new FlowMatchingGenerator(options);
}
