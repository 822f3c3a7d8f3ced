// Mini D2NWG (after Soro et al., ICLR 2025), scaled down to run on 2 CPU cores: a VAE over chunks
// of the aligned, standardised weight vector (an MLP encoder/decoder per chunk with a chunk
// one-hot, instead of D2NWG's conv VAE over 64×64 images), then a DDPM over the concatenated
// chunk latents whose MLP denoiser is conditioned on a dataset embedding (per-class mean features
// instead of CLIP features), so one generator can serve several tasks (fit on several zoos with one
// condition per model, then sampleFor(condition)). Unlike D2NWG, the denoiser predicts the clean
// latent by default and its weights are averaged (EMA) for sampling: with a few dozen models per
// task these were the difference between 19 % and ~80 % accuracy. Labelled "mini".

import { ArgumentError } from '../errors';
import { rng } from '../random/rng';
import type { WeightSet } from '../weights/weight-set';
import type { Dataset } from '../data/dataset';
import type { PermutationSpec } from '../align/permutation-spec';
import { AdamTrainer, fitProgress, trainLoop } from './nn/adam';
import {
  deviceArray,
  fourierFeatures,
  fourierFrequencies,
  jaxModule,
  mlpForward,
  toDevice,
  type JaxArray,
  type JaxModule,
} from './nn/jax-ops';
import { linearStack, parameterCount, type HostParameters } from './nn/parameters';
import type { Representation } from './representation';
import {
  ConfiguredGenerator,
  oneOf,
  positiveInteger,
  type FitOptions,
  type GeneratorFamily,
  type WeightGenerator,
  type ZooInput,
} from './types';
import type { OptionDefaults } from '../options/resolve';
import { fullWeightRepresentation } from './weight-space';

/** Per-class mean feature vectors, concatenated: the dataset embedding the mini D2NWG conditions on. */
export function datasetEmbedding(data: Pick<Dataset, 'x' | 'y' | 'features' | 'classes'>): Float64Array {
  const out = new Float64Array(data.classes * data.features);
  const counts = new Float64Array(data.classes);
  for (let r = 0; r < data.y.length; r++) {
    counts[data.y[r]]++;
    for (let k = 0; k < data.features; k++) out[data.y[r] * data.features + k] += data.x[r * data.features + k];
  }
  for (let c = 0; c < data.classes; c++)
    for (let k = 0; k < data.features; k++) out[c * data.features + k] /= Math.max(1, counts[c]);
  return out;
}

export interface LatentDiffusionOptions {
  /**
   * Dataset embedding of the zoo's task (all models), or one per model for a multi-task zoo.
   * @default undefined (unconditioned)
   */
  condition?: Float64Array | Float64Array[];
  /**
   * Weight values per chunk the VAE encodes.
   * @default 128
   */
  chunkSize?: number;
  /**
   * Latent values per chunk.
   * @default 16
   */
  latentPerChunk?: number;
  /**
   * Hidden width of the VAE and the denoiser.
   * @default 128
   */
  hidden?: number;
  /**
   * VAE training steps.
   * @default 800
   */
  vaeSteps?: number;
  /**
   * Denoiser training steps.
   * @default 1500
   */
  diffusionSteps?: number;
  /**
   * DDPM timesteps, with a linear β schedule from 1e-3 to 0.1.
   * @default 100
   */
  timesteps?: number;
  /**
   * KL weight of the VAE (small, as in D2NWG's 1e-6·KL + reconstruction).
   * @default 1e-4
   */
  klWeight?: number;
  /**
   * Models per diffusion step.
   * @default 128
   */
  batchSize?: number;
  /**
   * Chunk rows per VAE step.
   * @default 128
   */
  vaeBatchSize?: number;
  /**
   * Adam learning rate of both stages.
   * @default 5e-3
   */
  learningRate?: number;
  /**
   * What the denoiser outputs: 'sample', the clean latent z₀; 'noise', ε as in DDPM and D2NWG.
   * With a few dozen train models the latents span few directions; a z₀ output learns that span
   * directly, while ε-prediction errors are amplified by 1/√ᾱ at the last steps (measured on the
   * digits zoo: samples at 20-25 % accuracy with 'noise').
   * @default 'sample'
   */
  prediction?: 'sample' | 'noise';
  /**
   * 'ddpm': ancestral sampling, σ_t² = β_t; 'ddim': deterministic DDIM (η = 0) from the same model.
   * A sampling option: changing it keeps the fit.
   * @default 'ddpm'
   */
  sampler?: 'ddpm' | 'ddim';
  /**
   * Moving-average decay of the denoiser weights used for sampling (0: none).
   * @default 0.99
   */
  ema?: number;
  /**
   * Git Re-Basin alignment to model 0 before fitting.
   * @default true
   */
  align?: boolean;
  /**
   * Permutation spec of the alignment.
   * @default undefined (the automatic MLP spec)
   */
  spec?: PermutationSpec;
  /**
   * Seed of the initialisation, batches and noise of training.
   * @default 0
   */
  seed?: number;
}

/** latentDiffusion's defaults (documented with @default in LatentDiffusionOptions). */
export const LATENT_DIFFUSION_DEFAULTS = {
  condition: undefined,
  chunkSize: 128,
  latentPerChunk: 16,
  hidden: 128,
  vaeSteps: 800,
  diffusionSteps: 1500,
  timesteps: 100,
  klWeight: 1e-4,
  batchSize: 128,
  vaeBatchSize: 128,
  learningRate: 5e-3,
  prediction: 'sample',
  sampler: 'ddpm',
  ema: 0.99,
  align: true,
  spec: undefined,
  seed: 0,
} as const satisfies OptionDefaults<LatentDiffusionOptions>;

interface Fitted {
  representation: Representation;
  chunks: number;
  encoder: HostParameters;
  decoder: HostParameters;
  denoiser: HostParameters;
  /** Encoder means of the train zoo [n, chunks·k] (unstandardised). */
  latents: Float64Array;
  latentShift: Float64Array;
  latentScale: Float64Array;
  conditions: Float64Array[];
}

export class LatentDiffusionGenerator
  extends ConfiguredGenerator<LatentDiffusionOptions, typeof LATENT_DIFFUSION_DEFAULTS>
  implements WeightGenerator
{
  readonly family: GeneratorFamily = 'generator';
  readonly mini = true;
  readonly name = 'mini D2NWG (chunk VAE + latent DDPM)';
  fitSeconds = 0;
  losses: { vae: number[]; diffusion: number[] } = { vae: [], diffusion: [] };
  private fitted?: Fitted;
  /** The dataset embedding sample() conditions on (default: the first training condition). */
  condition?: Float64Array;

  constructor(options: LatentDiffusionOptions = {}) {
    super('latentDiffusion', LATENT_DIFFUSION_DEFAULTS, options);
  }

  protected validate(): void {
    oneOf('prediction', this.o.prediction, ['sample', 'noise']);
    oneOf('sampler', this.o.sampler, ['ddpm', 'ddim']);
    for (const key of [
      'chunkSize',
      'latentPerChunk',
      'hidden',
      'vaeSteps',
      'diffusionSteps',
      'timesteps',
      'batchSize',
      'vaeBatchSize',
    ] as const)
      positiveInteger(key, this.o[key]);
  }

  protected samplingOptions(): (keyof LatentDiffusionOptions & string)[] {
    return ['sampler'];
  }
  protected forgetFit(): void {
    this.fitted = undefined;
    this.step = undefined;
    this.condition = undefined;
    this.losses = { vae: [], diffusion: [] };
  }

  get parameterCount(): number {
    return this.fitted
      ? parameterCount(this.fitted.encoder) + parameterCount(this.fitted.decoder) + parameterCount(this.fitted.denoiser)
      : 0;
  }

  private schedule(): { beta: Float64Array; alphaBar: Float64Array } {
    const T = this.o.timesteps;
    const beta = Float64Array.from({ length: T }, (_, t) => 1e-3 + ((0.1 - 1e-3) * t) / Math.max(1, T - 1));
    const alphaBar = new Float64Array(T);
    let product = 1;
    for (let t = 0; t < T; t++) {
      product *= 1 - beta[t];
      alphaBar[t] = product;
    }
    return { beta, alphaBar };
  }

  private denoise(
    jx: JaxModule,
    p: JaxArray[],
    z: JaxArray,
    t: JaxArray,
    condition: JaxArray,
    frequencies: JaxArray,
  ): JaxArray {
    const np = jx.numpy;
    // p = [condition projection W, b, ...MLP]; the projection compresses the embedding to 16 values.
    const [cw, cb, ...mlp] = p;
    const c = np.add(np.matmul(condition, cw), cb);
    return mlpForward(jx, mlp, np.concatenate([z, fourierFeatures(jx, t, frequencies), c], 1), 'gelu');
  }

  async fit(zoo: ZooInput, fitOptions: FitOptions = {}): Promise<this> {
    fitOptions = this.fitOptions(fitOptions);
    const started = performance.now();
    const o = this.o;
    const { models, representation } = await fullWeightRepresentation(zoo, o, this.name);
    const n = representation.count,
      d = representation.dimension,
      c = o.chunkSize,
      k = o.latentPerChunk,
      h = o.hidden;
    const chunks = Math.ceil(d / c);
    const conditions =
      o.condition === undefined
        ? models.map(() => new Float64Array(1))
        : Array.isArray(o.condition)
          ? o.condition
          : models.map(() => o.condition as Float64Array);
    if (conditions.length !== n)
      throw new ArgumentError('one condition per model is needed', {
        field: 'condition',
        expected: String(n),
        found: String(conditions.length),
      });
    const e = conditions[0].length;
    // Chunk rows: [chunk values (zero-padded), chunk one-hot]; mask marks real values.
    const rows = n * chunks;
    const input = new Float32Array(rows * (c + chunks));
    const target = new Float32Array(rows * c);
    const mask = new Float32Array(rows * c);
    for (let i = 0; i < n; i++)
      for (let q = 0; q < chunks; q++) {
        const row = i * chunks + q;
        input[row * (c + chunks) + c + q] = 1;
        for (let j = 0; j < c; j++) {
          const position = q * c + j;
          if (position >= d) continue;
          const value = representation.data[i * d + position];
          input[row * (c + chunks) + j] = value;
          target[row * c + j] = value;
          mask[row * c + j] = 1;
        }
      }
    const jx = await jaxModule();
    const source = rng(o.seed).fold('mini-d2nwg');
    // Stage 1: the chunk VAE. Params: encoder [c+C → h → 2k], decoder [k+C → h → c].
    const encoder0 = linearStack([c + chunks, h, 2 * k], o.seed);
    const decoder0 = linearStack([k + chunks, h, c], o.seed + 1);
    const oneHot = input.filter((_, i) => i % (c + chunks) >= c);
    const vae = await AdamTrainer.create(
      [...encoder0, ...decoder0],
      (j, p, [x, y, m, eps, position]) => {
        const jnp = j.numpy;
        const stats = mlpForward(j, p.slice(0, 4), x, 'gelu');
        const [mu, logVar] = jnp.split(stats, 2, 1);
        const z = jnp.add(mu.ref, jnp.multiply(jnp.exp(jnp.multiply(logVar.ref, 0.5)), eps));
        const recon = mlpForward(j, p.slice(4), jnp.concatenate([z, position], 1), 'gelu');
        // Mean squared error over the real (unpadded) values of the batch's chunks.
        const error = jnp.divide(
          jnp.sum(jnp.multiply(jnp.square(jnp.subtract(recon, y)), m.ref)),
          jnp.maximum(jnp.sum(m), 1),
        );
        const kl = jnp.multiply(
          jnp.mean(jnp.subtract(jnp.add(jnp.square(mu), jnp.exp(logVar.ref)), jnp.add(logVar, 1))),
          0.5 * o.klWeight,
        );
        return jnp.add(error, kl);
      },
      {
        learningRate: o.learningRate,
        schedule: 'cosine',
        finalLearningRate: o.learningRate / 20,
        totalSteps: o.vaeSteps,
      },
    );
    let encoder: HostParameters, decoder: HostParameters;
    const vaeRows = Math.min(rows, o.vaeBatchSize);
    try {
      this.losses.vae = await trainLoop(vae, {
        steps: o.vaeSteps,
        signal: fitOptions.signal,
        progress: fitProgress(fitOptions, `${this.name}: VAE`),
        batch: () => {
          // A minibatch of chunk rows (all rows when there are few).
          const pick =
            vaeRows === rows ? Int32Array.from({ length: rows }, (_, i) => i) : source.integers(vaeRows, 0, rows);
          const gather = (values: Float32Array, width: number) => {
            const out = new Float32Array(vaeRows * width);
            pick.forEach((row, r) => out.set(values.subarray(row * width, (row + 1) * width), r * width));
            return deviceArray(jx, out, [vaeRows, width]);
          };
          return [
            gather(input, c + chunks),
            gather(target, c),
            gather(mask, c),
            deviceArray(jx, source.normal(vaeRows * k), [vaeRows, k]),
            gather(oneHot, chunks),
          ];
        },
      });
      const all = await vae.parameters();
      encoder = all.slice(0, 4);
      decoder = all.slice(4);
    } finally {
      vae.dispose();
    }
    // Latents = encoder means, concatenated per model, then standardised per dimension.
    const stats = (await mlpForward(
      jx,
      toDevice(jx, encoder),
      deviceArray(jx, input, [rows, c + chunks]),
      'gelu',
    ).data()) as Float32Array;
    const L = chunks * k;
    const latents = new Float64Array(n * L);
    for (let i = 0; i < n; i++)
      for (let q = 0; q < chunks; q++)
        for (let j = 0; j < k; j++) latents[i * L + q * k + j] = stats[(i * chunks + q) * 2 * k + j];
    const latentShift = new Float64Array(L),
      latentScale = new Float64Array(L);
    for (let j = 0; j < L; j++) {
      let m = 0;
      for (let i = 0; i < n; i++) m += latents[i * L + j] / n;
      let v = 0;
      for (let i = 0; i < n; i++) v += (latents[i * L + j] - m) ** 2 / n;
      latentShift[j] = m;
      latentScale[j] = Math.sqrt(v) > 1e-6 ? Math.sqrt(v) : 1;
    }
    const z0 = Float32Array.from(latents, (v, idx) => (v - latentShift[idx % L]) / latentScale[idx % L]);
    // Stage 2: DDPM in latent space, ε-prediction, conditioned on the dataset embedding.
    const { alphaBar } = this.schedule();
    const F = 8;
    const denoiser0 = [
      ...linearStack([e, 16], o.seed + 2),
      ...linearStack([L + 2 * F + 16, 2 * h, 2 * h, L], o.seed + 3, { zeroLast: true }),
    ];
    const sampleTarget = o.prediction === 'sample';
    const ddpm = await AdamTrainer.create(
      denoiser0,
      (j, p, [zt, t, cond, f, target]) => {
        const jnp = j.numpy;
        return jnp.mean(jnp.square(jnp.subtract(this.denoise(j, p, zt, t, cond, f), target)));
      },
      {
        learningRate: o.learningRate,
        schedule: 'cosine',
        finalLearningRate: o.learningRate / 20,
        totalSteps: o.diffusionSteps,
        warmupSteps: Math.min(100, o.diffusionSteps / 10),
        ema: o.ema || undefined,
      },
    );
    const b = o.batchSize;
    let denoiser: HostParameters;
    try {
      this.losses.diffusion = await trainLoop(ddpm, {
        steps: o.diffusionSteps,
        signal: fitOptions.signal,
        progress: fitProgress(fitOptions, `${this.name}: diffusion`),
        batch: () => {
          const pick = source.integers(b, 0, n);
          const steps = source.integers(b, 0, o.timesteps);
          const eps = source.normal(b * L);
          const zt = new Float32Array(b * L),
            t = new Float32Array(b),
            cond = new Float32Array(b * e);
          for (let r = 0; r < b; r++) {
            const ab = alphaBar[steps[r]];
            for (let j = 0; j < L; j++)
              zt[r * L + j] = Math.sqrt(ab) * z0[pick[r] * L + j] + Math.sqrt(1 - ab) * eps[r * L + j];
            t[r] = (steps[r] + 1) / o.timesteps;
            cond.set(conditions[pick[r]], r * e);
          }
          const target = sampleTarget
            ? Float32Array.from({ length: b * L }, (_, idx) => z0[pick[Math.floor(idx / L)] * L + (idx % L)])
            : eps;
          return [
            deviceArray(jx, zt, [b, L]),
            deviceArray(jx, t, [b, 1]),
            deviceArray(jx, cond, [b, e]),
            deviceArray(jx, fourierFrequencies(F), [1, F]),
            deviceArray(jx, target, [b, L]),
          ];
        },
      });
      denoiser = await ddpm.parameters();
    } finally {
      ddpm.dispose();
    }
    this.fitted = { representation, chunks, encoder, decoder, denoiser, latents, latentShift, latentScale, conditions };
    this.condition ??= conditions[0];
    this.fitSeconds = (performance.now() - started) / 1000;
    return this;
  }

  async sample(n: number, seed: number): Promise<WeightSet[]> {
    if (!this.fitted) throw new ArgumentError(`${this.name}: call fit(zoo) before sample()`);
    return this.sampleFor(this.condition!, n, seed);
  }

  /** n models for the dataset embedding `condition` (one generator, several tasks). */
  async sampleFor(condition: Float64Array, n: number, seed: number): Promise<WeightSet[]> {
    if (!Number.isInteger(n) || n < 1)
      throw new ArgumentError('n must be a positive integer', { field: 'n', found: String(n) });
    if (!this.fitted) throw new ArgumentError(`${this.name}: call fit(zoo) before sample()`);
    const { denoiser, conditions } = this.fitted;
    const o = this.o,
      L = this.fitted.chunks * o.latentPerChunk,
      F = 8;
    const e = condition.length;
    if (e !== conditions[0].length)
      throw new ArgumentError('the condition differs in length from the training conditions', {
        field: 'condition',
        expected: String(conditions[0].length),
        found: String(e),
      });
    const jx = await jaxModule();
    const { beta, alphaBar } = this.schedule();
    const source = rng(seed).fold('mini-d2nwg-sample');
    let z = Float32Array.from(source.normal(n * L));
    const cond = new Float32Array(n * e);
    for (let i = 0; i < n; i++) cond.set(condition, i * e);
    const params = toDevice(jx, denoiser);
    this.step ??= jx.jit((p: JaxArray[], zt: JaxArray, t: JaxArray, cnd: JaxArray, f: JaxArray) =>
      this.denoise(jx, p, zt, t, cnd, f),
    ) as unknown as (...args: unknown[]) => JaxArray;
    try {
      // Ancestral DDPM sampling, σ_t² = β_t.
      for (let t = o.timesteps - 1; t >= 0; t--) {
        const out = (await this.step(
          params.map((a) => a.ref),
          deviceArray(jx, z, [n, L]),
          deviceArray(jx, new Float32Array(n).fill((t + 1) / o.timesteps), [n, 1]),
          deviceArray(jx, cond, [n, e]),
          deviceArray(jx, fourierFrequencies(F), [1, F]),
        ).data()) as Float32Array;
        // ε̂ from a predicted clean latent: z_t = √ᾱ·z₀ + √(1 − ᾱ)·ε.
        const eps =
          o.prediction === 'sample'
            ? Float32Array.from(out, (v, idx) => (z[idx] - Math.sqrt(alphaBar[t]) * v) / Math.sqrt(1 - alphaBar[t]))
            : out;
        if (o.sampler === 'ddim') {
          // Deterministic DDIM (η = 0): z_{t−1} = √ᾱ_{t−1}·ẑ₀ + √(1 − ᾱ_{t−1})·ε̂.
          const previous = t > 0 ? alphaBar[t - 1] : 1;
          z = Float32Array.from(
            z,
            (v, idx) =>
              (Math.sqrt(previous) * (v - Math.sqrt(1 - alphaBar[t]) * eps[idx])) / Math.sqrt(alphaBar[t]) +
              Math.sqrt(1 - previous) * eps[idx],
          );
          continue;
        }
        const noise = t > 0 ? source.normal(n * L) : new Float64Array(n * L);
        const coefficient = beta[t] / Math.sqrt(1 - alphaBar[t]);
        z = Float32Array.from(
          z,
          (v, idx) => (v - coefficient * eps[idx]) / Math.sqrt(1 - beta[t]) + Math.sqrt(beta[t]) * noise[idx],
        );
      }
    } finally {
      for (const a of params) a.dispose();
    }
    return this.decode(z, n, (i) => ({ generator: this.name, seed, index: i }));
  }

  /**
   * The train zoo (aligned) passed through the VAE (encoder means, decoded): what the latent space
   * can express at best, before any diffusion; a diagnostic for the first stage.
   */
  async reconstruct(): Promise<WeightSet[]> {
    if (!this.fitted) throw new ArgumentError(`${this.name}: call fit(zoo) before reconstruct()`);
    const { latents, latentShift, latentScale } = this.fitted;
    const L = latentShift.length,
      n = latents.length / L;
    return this.decode(
      Float32Array.from(latents, (v, idx) => (v - latentShift[idx % L]) / latentScale[idx % L]),
      n,
      (i) => ({ generator: `${this.name} (VAE reconstruction)`, index: i }),
    );
  }

  /** Standardised latents [n, chunks·k] → every chunk through the VAE decoder → WeightSets. */
  private async decode(
    z: Float32Array,
    n: number,
    metadata: (i: number) => Record<string, unknown>,
  ): Promise<WeightSet[]> {
    const { representation, chunks, decoder, latentShift, latentScale } = this.fitted!;
    const o = this.o,
      k = o.latentPerChunk,
      c = o.chunkSize,
      L = chunks * k,
      d = representation.dimension;
    const jx = await jaxModule();
    const rowsIn = new Float32Array(n * chunks * (k + chunks));
    for (let i = 0; i < n; i++)
      for (let q = 0; q < chunks; q++) {
        const row = i * chunks + q;
        for (let j = 0; j < k; j++)
          rowsIn[row * (k + chunks) + j] = z[i * L + q * k + j] * latentScale[q * k + j] + latentShift[q * k + j];
        rowsIn[row * (k + chunks) + k + q] = 1;
      }
    const decoded = (await mlpForward(
      jx,
      toDevice(jx, decoder),
      deviceArray(jx, rowsIn, [n * chunks, k + chunks]),
      'gelu',
    ).data()) as Float32Array;
    const standardised = new Float32Array(n * d);
    for (let i = 0; i < n; i++)
      for (let q = 0; q < chunks; q++)
        for (let j = 0; j < c; j++) {
          const position = q * c + j;
          if (position < d) standardised[i * d + position] = decoded[(i * chunks + q) * c + j];
        }
    return representation.weights(standardised, n, metadata);
  }

  private step?: (...args: unknown[]) => JaxArray;
}

/** The mini D2NWG generator (chunk VAE + conditioned latent DDPM). */
export function latentDiffusion(options: LatentDiffusionOptions = {}): LatentDiffusionGenerator {
  return new LatentDiffusionGenerator(options);
}
