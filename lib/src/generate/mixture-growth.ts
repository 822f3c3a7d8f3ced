// MixtureGrowth (Pham et al., WACV 2024), scaled down for MLPs: every layer of the seed nets is a
// linear combination of a few templates (here: the aligned zoo's mean layer plus its top principal
// directions), and a net of twice the width is grown from two seed nets a, b by the block matrix
//     [[W_a, W_ab], [W_ba, W_b]]
// whose diagonal blocks are the seeds and whose off-diagonal blocks reuse the existing templates
// with NEW coefficients — orthogonal to both seeds' coefficient vectors, MixtureGrowth's
// `coefs_growing = orthogonal` rule. The first layer keeps all inputs (rows stacked) and the
// output layer averages both halves ([W_a | W_b] / 2), so with zero off-diagonal coefficients
// the grown net's logits are exactly the mean of the seeds' logits. With one hidden layer there
// is no hidden→hidden block and growth is exactly that logit average; the new coefficients act
// from two hidden layers on. Evaluated without the post-growth training the paper does.

import { ArgumentError } from '../errors';
import { rng } from '../random/rng';
import { Tensor } from '../tensor/tensor';
import { WeightSet } from '../weights/weight-set';
import type { PermutationSpec } from '../align/permutation-spec';
import { denseLayers } from './evaluate/mlp-classifier';
import { symmetricEigen } from './linear-algebra';
import { fitPca, pcaEncode, type Pca } from './pca';
import {
  ConfiguredGenerator,
  positiveInteger,
  type FitOptions,
  type GeneratorFamily,
  type WeightGenerator,
  type ZooInput,
} from './types';
import type { OptionDefaults } from '../options/resolve';
import { WeightSpace } from './weight-space';
import { zooModels } from './zoo-input';

export interface MixtureGrowthOptions {
  /**
   * Templates per layer: the mean layer plus templates − 1 principal directions.
   * @default 4
   */
  templates?: number;
  /**
   * Norm of the new off-diagonal coefficient vectors (coefs_noise_growing). A sampling option.
   * @default 1
   */
  coefficientScale?: number;
  /**
   * Git Re-Basin alignment of the seed zoo before fitting.
   * @default true
   */
  align?: boolean;
  /**
   * Permutation spec of the alignment.
   * @default undefined (the automatic MLP spec)
   */
  spec?: PermutationSpec;
}

/** mixtureGrowth's defaults (documented with @default in MixtureGrowthOptions). */
export const MIXTURE_GROWTH_DEFAULTS = {
  templates: 4,
  coefficientScale: 1,
  align: true,
  spec: undefined,
} as const satisfies OptionDefaults<MixtureGrowthOptions>;

interface TemplateBank {
  weight: string;
  bias?: string;
  pca: Pca;
  rows: number;
  cols: number;
}

export class MixtureGrowthGenerator
  extends ConfiguredGenerator<MixtureGrowthOptions, typeof MIXTURE_GROWTH_DEFAULTS>
  implements WeightGenerator
{
  readonly family: GeneratorFamily = 'generator';
  readonly mini = true;
  readonly name = 'MixtureGrowth (mini, grown from half-width seeds)';
  readonly parameterCount = 0;
  fitSeconds = 0;
  private fitted?: { space: WeightSpace; banks: TemplateBank[] };

  constructor(options: MixtureGrowthOptions = {}) {
    super('mixtureGrowth', MIXTURE_GROWTH_DEFAULTS, options);
  }

  protected validate(): void {
    positiveInteger('templates', this.o.templates);
  }
  protected samplingOptions(): (keyof MixtureGrowthOptions & string)[] {
    return ['coefficientScale'];
  }
  protected forgetFit(): void {
    this.fitted = undefined;
  }

  /** Fits template banks on a zoo of seed (half-width) MLPs. */
  async fit(zoo: ZooInput, options: FitOptions = {}): Promise<this> {
    this.fitOptions(options);
    const started = performance.now();
    const models = await zooModels(zoo);
    const space = WeightSpace.from(models, {
      align: this.o.align,
      spec: this.o.spec,
      minimum: this.o.templates,
      purpose: `${this.name} with ${this.o.templates} templates`,
    });
    const banks = denseLayers(space.template).map((layer): TemplateBank => {
      if (layer.inOut)
        throw new ArgumentError('MixtureGrowth supports [out, in] linear layers only', { field: layer.weight });
      const vectors = space.models.map((m) =>
        Float64Array.from([...m.get(layer.weight).toFloat64(), ...(layer.bias ? m.get(layer.bias).toFloat64() : [])]),
      );
      return {
        weight: layer.weight,
        bias: layer.bias,
        pca: fitPca(vectors, this.o.templates - 1),
        rows: layer.outputs,
        cols: layer.inputs,
      };
    });
    this.fitted = { space, banks };
    this.fitSeconds = (performance.now() - started) / 1000;
    return this;
  }

  /** Template coefficients [1, projections...] of a seed's layer. */
  private coefficients(bank: TemplateBank, model: WeightSet): Float64Array {
    const v = Float64Array.from([
      ...model.get(bank.weight).toFloat64(),
      ...(bank.bias ? model.get(bank.bias).toFloat64() : []),
    ]);
    return Float64Array.from([1, ...pcaEncode(bank.pca, v)]);
  }

  /** The layer Σ_k α_k T_k (weight values only) for coefficients α. */
  private mixture(bank: TemplateBank, alpha: ArrayLike<number>): Float64Array {
    const size = bank.rows * bank.cols;
    const out = Float64Array.from(bank.pca.mean.subarray(0, size), (v) => v * alpha[0]);
    for (let k = 1; k < alpha.length; k++)
      for (let p = 0; p < size; p++) out[p] += alpha[k] * bank.pca.components[(k - 1) * bank.pca.dimension + p];
    return out;
  }

  /** A unit vector orthogonal to a and b (random within the orthogonal complement). */
  private orthogonal(a: Float64Array, b: Float64Array, source: ReturnType<typeof rng>): Float64Array {
    const k = a.length;
    // Projector onto the complement: I − Q Qᵀ with Q from the 2×2 Gram eigenvectors of [a; b].
    const gram = [
      a.reduce((s, v, i) => s + v * a[i], 0),
      a.reduce((s, v, i) => s + v * b[i], 0),
      0,
      b.reduce((s, v, i) => s + v * b[i], 0),
    ];
    gram[2] = gram[1];
    const { values, vectors } = symmetricEigen(gram, 2);
    const basis: Float64Array[] = [];
    for (let e = 0; e < 2; e++)
      if (values[e] > 1e-12 * values[0])
        basis.push(
          Float64Array.from(a, (v, i) => (vectors[e * 2] * v + vectors[e * 2 + 1] * b[i]) / Math.sqrt(values[e])),
        );
    const x = source.normal(k);
    for (const q of basis) {
      const d = q.reduce((s, v, i) => s + v * x[i], 0);
      for (let i = 0; i < k; i++) x[i] -= d * q[i];
    }
    const norm = Math.sqrt(x.reduce((s, v) => s + v * v, 0));
    return x.map((v) => v / norm);
  }

  /** Grows seeds a and b (aligned zoo members) into one net of twice their hidden widths. */
  grow(a: WeightSet, b: WeightSet, source: ReturnType<typeof rng>): WeightSet {
    const { banks } = this.requireFitted();
    const L = banks.length;
    const tensors: [string, Tensor][] = [];
    banks.forEach((bank, l) => {
      const wa = a.get(bank.weight).toFloat64(),
        wb = b.get(bank.weight).toFloat64();
      const ba = bank.bias ? a.get(bank.bias).toFloat64() : undefined,
        bb = bank.bias ? b.get(bank.bias).toFloat64() : undefined;
      const { rows, cols } = bank;
      if (l === 0 || l === L - 1) {
        if (l === 0 && L > 1) {
          // Input layer: all inputs to both halves; rows stacked.
          tensors.push([bank.weight, new Tensor('float64', Float64Array.from([...wa, ...wb]), [2 * rows, cols])]);
          if (bank.bias)
            tensors.push([bank.bias, new Tensor('float64', Float64Array.from([...ba!, ...bb!]), [2 * rows])]);
        } else {
          // Output layer: columns side by side, halved (logits = mean of the halves' logits).
          const w = new Float64Array(rows * 2 * cols);
          for (let r = 0; r < rows; r++)
            for (let c = 0; c < cols; c++) {
              w[r * 2 * cols + c] = wa[r * cols + c] / 2;
              w[r * 2 * cols + cols + c] = wb[r * cols + c] / 2;
            }
          tensors.push([bank.weight, new Tensor('float64', w, [rows, 2 * cols])]);
          if (bank.bias)
            tensors.push([
              bank.bias,
              new Tensor(
                'float64',
                ba!.map((v, i) => (v + bb![i]) / 2),
                [rows],
              ),
            ]);
        }
        return;
      }
      // Hidden → hidden: [[W_a, W_ab], [W_ba, W_b]] with new orthogonal coefficients off the diagonal.
      const alphaA = this.coefficients(bank, a),
        alphaB = this.coefficients(bank, b);
      const off = (): Float64Array =>
        this.mixture(
          bank,
          this.orthogonal(alphaA, alphaB, source).map((v) => v * this.o.coefficientScale),
        );
      const wab = off(),
        wba = off();
      const w = new Float64Array(4 * rows * cols);
      for (let r = 0; r < rows; r++)
        for (let c = 0; c < cols; c++) {
          w[r * 2 * cols + c] = wa[r * cols + c];
          w[r * 2 * cols + cols + c] = wab[r * cols + c];
          w[(rows + r) * 2 * cols + c] = wba[r * cols + c];
          w[(rows + r) * 2 * cols + cols + c] = wb[r * cols + c];
        }
      tensors.push([bank.weight, new Tensor('float64', w, [2 * rows, 2 * cols])]);
      if (bank.bias) tensors.push([bank.bias, new Tensor('float64', Float64Array.from([...ba!, ...bb!]), [2 * rows])]);
    });
    return new WeightSet(tensors, { metadata: { generator: this.name } });
  }

  /** n grown nets from random pairs of distinct seeds. */
  async sample(n: number, seed: number): Promise<WeightSet[]> {
    if (!Number.isInteger(n) || n < 1)
      throw new ArgumentError('n must be a positive integer', { field: 'n', found: String(n) });
    const { space } = this.requireFitted();
    const source = rng(seed).fold('mixture-growth');
    const count = space.models.length;
    return Array.from({ length: n }, (_, index) => {
      const i = source.integers(1, 0, count)[0];
      const j = (i + source.integers(1, 1, count)[0]) % count;
      const grown = this.grow(space.models[i], space.models[j], source);
      Object.assign(grown.metadata, { seed, index, seeds: [i, j] });
      return grown;
    });
  }

  private requireFitted(): { space: WeightSpace; banks: TemplateBank[] } {
    if (!this.fitted) throw new ArgumentError(`${this.name}: call fit(zoo) before sample()`);
    return this.fitted;
  }
}

/** A mini MixtureGrowth generator: fit on a half-width seed zoo, sample grown full-width nets. */
export function mixtureGrowth(options: MixtureGrowthOptions = {}): MixtureGrowthGenerator {
  return new MixtureGrowthGenerator(options);
}
