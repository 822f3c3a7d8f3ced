// The trivial generators every real one must beat (Zeng et al. 2025; protocol §12 (ii)-(v)):
// zoo members plus Gaussian noise, the average of the aligned zoo, random convex combinations of
// aligned members, a Gaussian fitted in aligned PCA space, and fresh random initialisations.
// They implement the same WeightGenerator interface so the evaluation treats them identically.

import { ArgumentError } from '../errors';
import { rng } from '../random/rng';
import { Tensor } from '../tensor/tensor';
import { WeightSet } from '../weights/weight-set';
import type { PermutationSpec } from '../align/permutation-spec';
import { coordinateStd, meanVector } from './linear-algebra';
import { fitPca, pcaDecode, type Pca } from './pca';
import {
  ConfiguredGenerator,
  positiveInteger,
  type FitOptions,
  type GeneratorFamily,
  type WeightGenerator,
  type ZooInput,
} from './types';
import { resolveOptions, type OptionDefaults } from '../options/resolve';
import { WeightSpace } from './weight-space';
import { zooModels } from './zoo-input';

/** Options every zoo-fitted baseline takes. */
export interface BaselineOptions {
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
}

const BASELINE_DEFAULTS = { align: true, spec: undefined } as const satisfies OptionDefaults<BaselineOptions>;

/** Shared plumbing: fit = check + align + flatten, timed; subclasses draw vectors. */
abstract class Baseline<Options extends object, Defaults extends OptionDefaults<Options>>
  extends ConfiguredGenerator<Options, Defaults>
  implements WeightGenerator
{
  readonly family: GeneratorFamily = 'baseline';
  readonly mini = false;
  readonly parameterCount = 0;
  fitSeconds = 0;
  protected space?: WeightSpace;

  abstract get name(): string;
  protected minimumModels(): number {
    return 1;
  }
  protected prepare(): void {}
  protected forgetFit(): void {
    this.space = undefined;
  }

  async fit(zoo: ZooInput, options: FitOptions = {}): Promise<this> {
    this.fitOptions(options);
    const started = performance.now();
    // Random init has no alignment options (it reads only the architecture): align stays false.
    const o = this.o as BaselineOptions;
    this.space = WeightSpace.from(await zooModels(zoo), {
      align: o.align === true,
      spec: o.spec,
      minimum: this.minimumModels(),
      purpose: this.name,
    });
    this.prepare();
    this.fitSeconds = (performance.now() - started) / 1000;
    return this;
  }

  protected abstract draw(source: ReturnType<typeof rng>, index: number): Float64Array;

  async sample(n: number, seed: number): Promise<WeightSet[]> {
    if (!Number.isInteger(n) || n < 1)
      throw new ArgumentError('n must be a positive integer', { field: 'n', found: String(n) });
    const space = this.requireSpace();
    const source = rng(seed).fold(this.name);
    return Array.from({ length: n }, (_, i) =>
      space.toWeights(this.draw(source, i), { generator: this.name, seed, index: i }),
    );
  }

  protected requireSpace(): WeightSpace {
    if (!this.space) throw new ArgumentError(`${this.name}: call fit(zoo) before sample()`);
    return this.space;
  }
}

/** Options of the zoo + noise baseline. */
export interface ZooNoiseOptions extends BaselineOptions {
  /**
   * Noise sd in units of the per-coordinate sd of the aligned zoo.
   * @default 0.1
   */
  scale?: number;
}

/** ZooNoiseBaseline's defaults. */
export const ZOO_NOISE_DEFAULTS = {
  ...BASELINE_DEFAULTS,
  scale: 0.1,
} as const satisfies OptionDefaults<ZooNoiseOptions>;

/** A random (aligned) train model plus N(0, (scale · per-coordinate sd)²) noise. */
export class ZooNoiseBaseline extends Baseline<ZooNoiseOptions, typeof ZOO_NOISE_DEFAULTS> {
  private std?: Float64Array;
  constructor(options: ZooNoiseOptions = {}) {
    super('ZooNoiseBaseline', ZOO_NOISE_DEFAULTS, options);
  }
  get name(): string {
    return `zoo + noise (${this.o.scale}·sd)`;
  }
  get scale(): number {
    return this.o.scale;
  }
  protected validate(): void {
    if (!(Number.isFinite(this.o.scale) && this.o.scale >= 0))
      throw new ArgumentError('noise scale must be a finite number >= 0', {
        field: 'scale',
        found: String(this.o.scale),
      });
  }
  protected samplingOptions(): (keyof ZooNoiseOptions & string)[] {
    return ['scale'];
  }
  // The per-coordinate sd is measured across the aligned zoo; unaligned it mixes units and is inflated.
  protected minimumModels(): number {
    return 2;
  }
  protected prepare(): void {
    const s = this.requireSpace();
    this.std = coordinateStd(s.vectors, meanVector(s.vectors));
  }
  protected draw(source: ReturnType<typeof rng>): Float64Array {
    const vectors = this.requireSpace().vectors;
    const base = vectors[source.integers(1, 0, vectors.length)[0]];
    const noise = source.normal(base.length);
    return base.map((v, k) => v + this.scale * this.std![k] * noise[k]);
  }
}

/** The average of the aligned zoo (one model; every sample is that model). */
export class AlignedAverageBaseline extends Baseline<BaselineOptions, typeof BASELINE_DEFAULTS> {
  private average?: Float64Array;
  constructor(options: BaselineOptions = {}) {
    super('AlignedAverageBaseline', BASELINE_DEFAULTS, options);
  }
  get name(): string {
    return this.o.align ? 'average of the aligned zoo' : 'average of the zoo (unaligned)';
  }
  protected prepare(): void {
    this.average = meanVector(this.requireSpace().vectors);
  }
  protected draw(): Float64Array {
    return Float64Array.from(this.average!);
  }
}

/** λ·a + (1−λ)·b for random aligned members a ≠ b and λ ~ U(0, 1). */
export class ConvexCombinationBaseline extends Baseline<BaselineOptions, typeof BASELINE_DEFAULTS> {
  constructor(options: BaselineOptions = {}) {
    super('ConvexCombinationBaseline', BASELINE_DEFAULTS, options);
  }
  get name(): string {
    return 'random convex combinations';
  }
  protected minimumModels(): number {
    return 2;
  }
  protected draw(source: ReturnType<typeof rng>): Float64Array {
    const vectors = this.requireSpace().vectors;
    const [i, shift] = [source.integers(1, 0, vectors.length)[0], source.integers(1, 1, vectors.length)[0]];
    const a = vectors[i],
      b = vectors[(i + shift) % vectors.length];
    const lambda = source.uniform(1)[0];
    return a.map((v, k) => lambda * v + (1 - lambda) * b[k]);
  }
}

/** Options of the Gaussian-in-PCA-space baseline. */
export interface GaussianPcaOptions extends BaselineOptions {
  /**
   * PCA rank.
   * @default undefined (min(N − 1, 64) for a zoo of N models)
   */
  rank?: number;
}

/** GaussianPcaBaseline's defaults. */
export const GAUSSIAN_PCA_DEFAULTS = {
  ...BASELINE_DEFAULTS,
  rank: undefined,
} as const satisfies OptionDefaults<GaussianPcaOptions>;

/** A Gaussian fitted in (aligned) PCA space: mean + Σ_k z_k · sd_k · component_k, z ~ N(0, I). */
export class GaussianPcaBaseline extends Baseline<GaussianPcaOptions, typeof GAUSSIAN_PCA_DEFAULTS> {
  private pca?: Pca;
  constructor(options: GaussianPcaOptions = {}) {
    super('GaussianPcaBaseline', GAUSSIAN_PCA_DEFAULTS, options);
  }
  get name(): string {
    return `Gaussian in ${this.o.align ? 'aligned' : 'unaligned'} PCA space`;
  }
  get rank(): number | undefined {
    return this.o.rank;
  }
  protected validate(): void {
    if (this.o.rank !== undefined) positiveInteger('rank', this.o.rank);
  }
  protected minimumModels(): number {
    return 2;
  }
  protected prepare(): void {
    const vectors = this.requireSpace().vectors;
    this.pca = fitPca(vectors, this.rank ?? Math.min(vectors.length - 1, 64));
  }
  protected draw(source: ReturnType<typeof rng>): Float64Array {
    const pca = this.pca!;
    const z = source.normal(pca.rank);
    return pcaDecode(
      pca,
      z.map((v, k) => v * pca.scales[k]),
    );
  }
}

const RANDOM_INIT_DEFAULTS = {} as const satisfies OptionDefaults<Record<string, never>>;

/**
 * Fresh random initialisations, PyTorch's default for Linear/Conv: U(−1/√fan_in, 1/√fan_in) for
 * weights and biases; norm layers get weight 1, bias 0. Needs only the zoo's architecture.
 */
export class RandomInitBaseline extends Baseline<Record<string, never>, typeof RANDOM_INIT_DEFAULTS> {
  // Only the architecture is read, so the zoo is never aligned.
  constructor(options: Record<string, never> = {}) {
    super('RandomInitBaseline', RANDOM_INIT_DEFAULTS, options);
  }
  get name(): string {
    return 'random init';
  }
  protected draw(): Float64Array {
    throw new ArgumentError('random init draws whole WeightSets in sample()');
  }
  async sample(n: number, seed: number): Promise<WeightSet[]> {
    if (!Number.isInteger(n) || n < 1)
      throw new ArgumentError('n must be a positive integer', { field: 'n', found: String(n) });
    const template = this.requireSpace().template;
    const source = rng(seed).fold('random-init');
    const layerOf = new Map<string, { kind: string; fanIn: number }>();
    for (const layer of template.layers) {
      const shape = template.info(layer.weight).shape;
      const fanIn =
        shape.length >= 2 ? (layer.layout === 'in-out' ? shape[0] : shape.slice(1).reduce((a, b) => a * b, 1)) : 1;
      for (const name of [layer.weight, layer.bias, ...Object.values(layer.extras ?? {})])
        if (name) layerOf.set(name, { kind: layer.kind, fanIn });
    }
    return Array.from(
      { length: n },
      (_, index) =>
        new WeightSet(
          template.names.map((name): [string, Tensor] => {
            const { shape } = template.info(name);
            const size = shape.reduce((a, b) => a * b, 1);
            const layer = layerOf.get(name);
            let values: Float64Array;
            if (layer?.kind === 'norm')
              values = new Float64Array(size).fill(name.endsWith('weight') || name.endsWith('running_var') ? 1 : 0);
            else {
              const bound = 1 / Math.sqrt(layer?.fanIn ?? 1);
              values = source.uniform(size, -bound, bound);
            }
            return [name, new Tensor('float64', values, shape)];
          }),
          { layers: template.layers, metadata: { generator: this.name, seed, index } },
        ),
    );
  }
}

/** Options of standardBaselines. */
export interface StandardBaselinesOptions extends BaselineOptions {
  /**
   * Noise scales of the zoo + noise baselines, in units of the per-coordinate sd.
   * @default [0.1, 0.3, 1]
   */
  noiseScales?: readonly number[];
  /**
   * PCA rank of the Gaussian baseline.
   * @default undefined (min(N − 1, 64))
   */
  rank?: number;
}

/** standardBaselines' defaults. */
export const STANDARD_BASELINES_DEFAULTS = {
  ...BASELINE_DEFAULTS,
  noiseScales: [0.1, 0.3, 1],
  rank: undefined,
} as const satisfies OptionDefaults<StandardBaselinesOptions>;

/** The five mandatory baselines: zoo + noise at each scale, aligned average, convex combinations, Gaussian in PCA space, random init. */
export function standardBaselines(options: StandardBaselinesOptions = {}): WeightGenerator[] {
  const o = resolveOptions('standardBaselines', STANDARD_BASELINES_DEFAULTS, options);
  const shared = { align: o.align, spec: o.spec };
  return [
    ...o.noiseScales.map((scale) => new ZooNoiseBaseline({ ...shared, scale })),
    new AlignedAverageBaseline(shared),
    new ConvexCombinationBaseline(shared),
    new GaussianPcaBaseline({ ...shared, rank: o.rank }),
    new RandomInitBaseline(),
  ];
}
