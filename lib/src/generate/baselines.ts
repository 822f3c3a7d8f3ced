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
import type { FitOptions, GeneratorFamily, WeightGenerator, ZooInput } from './types';
import { WeightSpace } from './weight-space';
import { zooModels } from './zoo-input';

interface BaselineOptions { align?: boolean; spec?: PermutationSpec }

/** Shared plumbing: fit = check + align + flatten, timed; subclasses draw vectors. */
abstract class Baseline implements WeightGenerator {
  readonly family: GeneratorFamily = 'baseline';
  readonly mini = false;
  readonly parameterCount = 0;
  fitSeconds = 0;
  protected space?: WeightSpace;
  constructor(readonly name: string, protected readonly baseOptions: BaselineOptions = {}) {}

  protected minimumModels(): number { return 1; }
  protected prepare(): void {}

  async fit(zoo: ZooInput, _options: FitOptions = {}): Promise<this> {
    const started = performance.now();
    this.space = WeightSpace.from(await zooModels(zoo), { align: this.baseOptions.align ?? true, spec: this.baseOptions.spec, minimum: this.minimumModels(), purpose: this.name });
    this.prepare();
    this.fitSeconds = (performance.now() - started) / 1000;
    return this;
  }

  protected abstract draw(source: ReturnType<typeof rng>, index: number): Float64Array;

  async sample(n: number, seed: number): Promise<WeightSet[]> {
    if (!Number.isInteger(n) || n < 1) throw new ArgumentError('n must be a positive integer', { field: 'n', found: String(n) });
    const space = this.requireSpace();
    const source = rng(seed).fold(this.name);
    return Array.from({ length: n }, (_, i) => space.toWeights(this.draw(source, i), { generator: this.name, seed, index: i }));
  }

  protected requireSpace(): WeightSpace {
    if (!this.space) throw new ArgumentError(`${this.name}: call fit(zoo) before sample()`);
    return this.space;
  }
}

/** A random (aligned) train model plus N(0, (scale · per-coordinate sd)²) noise. */
export class ZooNoiseBaseline extends Baseline {
  private std?: Float64Array;
  constructor(readonly scale: number, options: BaselineOptions = {}) {
    super(`zoo + noise (${scale}·sd)`, options);
    if (!(scale >= 0)) throw new ArgumentError('noise scale must be non-negative', { field: 'scale', found: String(scale) });
  }
  // The per-coordinate sd is measured across the aligned zoo; unaligned it mixes units and is inflated.
  protected minimumModels(): number { return 2; }
  protected prepare(): void { const s = this.requireSpace(); this.std = coordinateStd(s.vectors, meanVector(s.vectors)); }
  protected draw(source: ReturnType<typeof rng>): Float64Array {
    const vectors = this.requireSpace().vectors;
    const base = vectors[source.integers(1, 0, vectors.length)[0]];
    const noise = source.normal(base.length);
    return base.map((v, k) => v + this.scale * this.std![k] * noise[k]);
  }
}

/** The average of the aligned zoo (one model; every sample is that model). */
export class AlignedAverageBaseline extends Baseline {
  private average?: Float64Array;
  constructor(options: BaselineOptions = {}) { super(options.align === false ? 'average of the zoo (unaligned)' : 'average of the aligned zoo', options); }
  protected prepare(): void { this.average = meanVector(this.requireSpace().vectors); }
  protected draw(): Float64Array { return Float64Array.from(this.average!); }
}

/** λ·a + (1−λ)·b for random aligned members a ≠ b and λ ~ U(0, 1). */
export class ConvexCombinationBaseline extends Baseline {
  constructor(options: BaselineOptions = {}) { super('random convex combinations', options); }
  protected minimumModels(): number { return 2; }
  protected draw(source: ReturnType<typeof rng>): Float64Array {
    const vectors = this.requireSpace().vectors;
    const [i, shift] = [source.integers(1, 0, vectors.length)[0], source.integers(1, 1, vectors.length)[0]];
    const a = vectors[i], b = vectors[(i + shift) % vectors.length];
    const lambda = source.uniform(1)[0];
    return a.map((v, k) => lambda * v + (1 - lambda) * b[k]);
  }
}

/** A Gaussian fitted in (aligned) PCA space: mean + Σ_k z_k · sd_k · component_k, z ~ N(0, I). */
export class GaussianPcaBaseline extends Baseline {
  private pca?: Pca;
  constructor(readonly rank?: number, options: BaselineOptions = {}) { super(`Gaussian in ${options.align === false ? 'unaligned' : 'aligned'} PCA space`, options); }
  protected minimumModels(): number { return 2; }
  protected prepare(): void {
    const vectors = this.requireSpace().vectors;
    this.pca = fitPca(vectors, this.rank ?? Math.min(vectors.length - 1, 64));
  }
  protected draw(source: ReturnType<typeof rng>): Float64Array {
    const pca = this.pca!;
    const z = source.normal(pca.rank);
    return pcaDecode(pca, z.map((v, k) => v * pca.scales[k]));
  }
}

/**
 * Fresh random initialisations, PyTorch's default for Linear/Conv: U(−1/√fan_in, 1/√fan_in) for
 * weights and biases; norm layers get weight 1, bias 0. Needs only the zoo's architecture.
 */
export class RandomInitBaseline extends Baseline {
  constructor() { super('random init', { align: false }); }
  protected draw(): Float64Array { throw new Error('unused'); }
  async sample(n: number, seed: number): Promise<WeightSet[]> {
    if (!Number.isInteger(n) || n < 1) throw new ArgumentError('n must be a positive integer', { field: 'n', found: String(n) });
    const template = this.requireSpace().template;
    const source = rng(seed).fold('random-init');
    const layerOf = new Map<string, { kind: string; fanIn: number }>();
    for (const layer of template.layers) {
      const shape = template.info(layer.weight).shape;
      const fanIn = shape.length >= 2 ? (layer.layout === 'in-out' ? shape[0] : shape.slice(1).reduce((a, b) => a * b, 1)) : 1;
      for (const name of [layer.weight, layer.bias, ...Object.values(layer.extras ?? {})]) if (name) layerOf.set(name, { kind: layer.kind, fanIn });
    }
    return Array.from({ length: n }, (_, index) => new WeightSet(template.names.map((name): [string, Tensor] => {
      const { shape } = template.info(name);
      const size = shape.reduce((a, b) => a * b, 1);
      const layer = layerOf.get(name);
      let values: Float64Array;
      if (layer?.kind === 'norm') values = new Float64Array(size).fill(name.endsWith('weight') || name.endsWith('running_var') ? 1 : 0);
      else { const bound = 1 / Math.sqrt(layer?.fanIn ?? 1); values = source.uniform(size, -bound, bound); }
      return [name, new Tensor('float64', values, shape)];
    }), { layers: template.layers, metadata: { generator: this.name, seed, index } }));
  }
}

/** The five mandatory baselines with the default noise scales (0.1, 0.3, 1.0 of the per-coordinate sd). */
export function standardBaselines(options: { noiseScales?: number[]; rank?: number } = {}): WeightGenerator[] {
  return [
    ...(options.noiseScales ?? [0.1, 0.3, 1]).map((scale) => new ZooNoiseBaseline(scale)),
    new AlignedAverageBaseline(),
    new ConvexCombinationBaseline(),
    new GaussianPcaBaseline(options.rank),
    new RandomInitBaseline(),
  ];
}
