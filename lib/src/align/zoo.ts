// Whole-zoo operations on top of weight matching: canonicalise every model to one reference,
// and average the aligned models (the "average of the aligned zoo" baseline that generators must
// beat), resetting BatchNorm statistics that averaging invalidates.

import { ArgumentError, ShapeError } from '../errors';
import { Tensor } from '../tensor/tensor';
import { WeightSet } from '../weights/weight-set';
import { mlpPermutationSpec, type PermutationSpec, type Permutations } from './permutation-spec';
import { resolveOptions, type OptionDefaults } from '../options/resolve';
import { WEIGHT_MATCHING_DEFAULTS, weightMatching } from './weight-matching';

export interface AlignZooOptions {
  /**
   * Index of the reference model every other model is aligned to (DeepWeightFlow uses model 0).
   * @default 0
   */
  reference?: number;
  /**
   * Which axes of which tensors each hidden-unit permutation acts on.
   * @default undefined (mlpPermutationSpec of the reference)
   */
  spec?: PermutationSpec;
  /**
   * Maximum weight-matching sweeps per model.
   * @default 100
   */
  maxIterations?: number;
  /**
   * Seed of the sweep order; model i uses seed + i.
   * @default 0
   */
  seed?: number;
}

/** alignZoo's defaults (documented with @default in AlignZooOptions). */
export const ALIGN_ZOO_DEFAULTS = {
  reference: 0,
  spec: undefined,
  maxIterations: WEIGHT_MATCHING_DEFAULTS.maxIterations,
  seed: 0,
} as const satisfies OptionDefaults<AlignZooOptions>;

export interface AlignedZoo {
  /** The models, each permuted to match the reference (the reference itself unchanged). */
  models: WeightSet[];
  permutations: Permutations[];
  /** Weight-matching sweeps per model (0 for the reference). */
  iterations: number[];
  reference: number;
  spec: PermutationSpec;
}

/** Aligns every model of a zoo to `models[reference]` by weight matching. */
export function alignZoo(models: readonly WeightSet[], options: AlignZooOptions = {}): AlignedZoo {
  const o = resolveOptions('alignZoo', ALIGN_ZOO_DEFAULTS, options);
  if (models.length === 0) throw new ArgumentError('cannot align an empty zoo', { field: 'models' });
  const reference = o.reference;
  if (!Number.isInteger(reference) || reference < 0 || reference >= models.length) {
    throw new ArgumentError('reference index out of range', {
      field: 'reference',
      expected: `0..${models.length - 1}`,
      found: String(reference),
    });
  }
  const spec = o.spec ?? mlpPermutationSpec(models[reference]);
  const aligned: WeightSet[] = [];
  const permutations: Permutations[] = [];
  const iterations: number[] = [];
  models.forEach((model, index) => {
    if (index === reference) {
      aligned.push(model);
      permutations.push(
        Object.fromEntries(
          Object.entries(spec.groups).map(([g, n]) => [g, Int32Array.from({ length: n }, (_, i) => i)]),
        ),
      );
      iterations.push(0);
      return;
    }
    const result = weightMatching(models[reference], model, {
      spec,
      maxIterations: o.maxIterations,
      seed: o.seed + index,
    });
    aligned.push(result.aligned);
    permutations.push(result.permutations);
    iterations.push(result.iterations);
  });
  return { models: aligned, permutations, iterations, reference, spec };
}

/** Per-channel statistics BatchNorm should use after averaging, by norm-layer name. */
export type BatchNormStatistics = Record<string, { mean: ArrayLike<number>; variance: ArrayLike<number> }>;

export interface AlignedAverageOptions extends AlignZooOptions {
  /**
   * Skip alignment (the models are already aligned).
   * @default false
   */
  alreadyAligned?: boolean;
  /**
   * Recomputes BatchNorm running statistics for the averaged model (e.g. a forward pass over a
   * training subset). Without it, running statistics are reset to mean 0 / variance 1 and the
   * result's metadata says `batchNormRecalibrated: false`: averaged running statistics are wrong
   * because the variance of averaged units shrinks (REPAIR, Jordan et al. 2023).
   * @default undefined (reset to mean 0, variance 1)
   */
  batchNormStatistics?: (averaged: WeightSet) => BatchNormStatistics;
}

/** alignedAverage's defaults (documented with @default in AlignedAverageOptions). */
export const ALIGNED_AVERAGE_DEFAULTS = {
  ...ALIGN_ZOO_DEFAULTS,
  alreadyAligned: false,
  batchNormStatistics: undefined,
} as const satisfies OptionDefaults<AlignedAverageOptions>;

/** The parameter-wise mean of the (aligned) models, with BatchNorm running statistics reset. */
export function alignedAverage(models: readonly WeightSet[], options: AlignedAverageOptions = {}): WeightSet {
  const { alreadyAligned, batchNormStatistics, ...alignment } = resolveOptions(
    'alignedAverage',
    ALIGNED_AVERAGE_DEFAULTS,
    options,
  );
  if (models.length === 0) throw new ArgumentError('cannot average an empty zoo', { field: 'models' });
  const aligned = alreadyAligned ? [...models] : alignZoo(models, alignment).models;
  const first = aligned[0];
  const tensors = first.names.map((name): [string, Tensor] => {
    const { shape } = first.info(name);
    const sum = new Float64Array(first.get(name).size);
    aligned.forEach((model, index) => {
      if (!model.has(name))
        throw new ShapeError('models differ in their tensors', {
          field: `model ${index}`,
          expected: `a tensor '${name}'`,
        });
      const values = model.get(name).toFloat64();
      if (values.length !== sum.length)
        throw new ShapeError('models differ in shape', {
          field: `model ${index}: ${name}`,
          expected: String(sum.length),
          found: String(values.length),
        });
      for (let k = 0; k < sum.length; k++) sum[k] += values[k];
    });
    for (let k = 0; k < sum.length; k++) sum[k] /= aligned.length;
    return [name, new Tensor('float64', sum, shape)];
  });
  let averaged = new WeightSet(tensors, {
    layers: first.layers,
    metadata: { ...first.metadata, averagedModels: aligned.length },
  });
  const norms = averaged.layers.filter(
    (layer) => layer.kind === 'norm' && layer.extras?.running_mean && layer.extras?.running_var,
  );
  if (norms.length === 0) return averaged;
  const statistics = batchNormStatistics?.(averaged);
  const replaced = new Map<string, Tensor>();
  for (const layer of norms) {
    const meanName = layer.extras!.running_mean;
    const varName = layer.extras!.running_var;
    const width = averaged.info(meanName).shape[0];
    const stats = statistics?.[layer.name];
    if (statistics && !stats)
      throw new ArgumentError('batchNormStatistics returned nothing for a norm layer', { field: layer.name });
    const mean = stats ? Float64Array.from(stats.mean) : new Float64Array(width);
    const variance = stats ? Float64Array.from(stats.variance) : new Float64Array(width).fill(1);
    if (mean.length !== width || variance.length !== width)
      throw new ShapeError('BatchNorm statistics have the wrong width', {
        field: layer.name,
        expected: String(width),
        found: `${mean.length}/${variance.length}`,
      });
    replaced.set(meanName, new Tensor('float64', mean, [width]));
    replaced.set(varName, new Tensor('float64', variance, [width]));
  }
  averaged = new WeightSet(
    averaged.names.map((name) => [name, replaced.get(name) ?? averaged.get(name)] as [string, Tensor]),
    { layers: averaged.layers, metadata: { ...averaged.metadata, batchNormRecalibrated: statistics !== undefined } },
  );
  return averaged;
}
