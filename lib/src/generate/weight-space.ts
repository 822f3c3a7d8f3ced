// The flat view of a zoo that generators learn in: checked models, optionally canonicalised by
// Git Re-Basin to one reference (so "the same" unit sits at the same coordinate in every model),
// flattened to float64 vectors in the WeightSet's tensor order, and turned back into WeightSets.

import { alignZoo } from '../align/zoo';
import { mlpPermutationSpec, type PermutationSpec } from '../align/permutation-spec';
import type { WeightSet } from '../weights/weight-set';
import { checkZoo } from './zoo-input';
import { Representation } from './representation';
import { zooModels } from './zoo-input';
import type { ZooInput } from './types';

export interface WeightSpaceOptions {
  /** Align every model to the reference first (default true). */
  align?: boolean;
  /** Permutation spec for alignment (default: built automatically for MLPs). */
  spec?: PermutationSpec;
  /** Reference model index (default 0). */
  reference?: number;
  /** Fewest models needed and by what, for the error message. */
  minimum?: number;
  purpose?: string;
}

export class WeightSpace {
  /** Model 0 of the zoo as the shape template (names, shapes, layers). */
  readonly template: WeightSet;
  /** Flattened (aligned) models, one float64 vector each. */
  readonly vectors: Float64Array[];
  /** The models the vectors came from (aligned when `aligned`). */
  readonly models: WeightSet[];
  readonly aligned: boolean;
  readonly spec?: PermutationSpec;
  readonly dimension: number;

  private constructor(models: WeightSet[], aligned: boolean, spec?: PermutationSpec) {
    this.models = models;
    this.template = models[0];
    this.vectors = models.map((m) => m.flatten());
    this.aligned = aligned;
    this.spec = spec;
    this.dimension = this.vectors[0].length;
  }

  /** Checks the zoo (one architecture, finite values, enough models), aligns it and flattens it. */
  static from(models: readonly WeightSet[], options: WeightSpaceOptions = {}): WeightSpace {
    checkZoo(models, { minimum: options.minimum ?? 1, purpose: options.purpose });
    if (options.align === false) return new WeightSpace([...models], false);
    const spec = options.spec ?? mlpPermutationSpec(models[0]);
    const aligned = alignZoo(models, { spec, reference: options.reference ?? 0 });
    return new WeightSpace(aligned.models, true, spec);
  }

  /** A WeightSet shaped like the zoo's models holding `vector` (float64 tensors). */
  toWeights(vector: ArrayLike<number>, metadata: Record<string, unknown> = {}): WeightSet {
    return this.template.unflatten(vector, metadata);
  }
}

/**
 * The common start of a generator's fit: the zoo's models, checked and aligned into one weight
 * space (at least two models), and their full flat weight vectors.
 */
export async function fullWeightRepresentation(
  zoo: ZooInput,
  options: Pick<WeightSpaceOptions, 'align' | 'spec'>,
  purpose: string,
): Promise<{ models: WeightSet[]; space: WeightSpace; representation: Representation }> {
  const models = await zooModels(zoo);
  const space = WeightSpace.from(models, { align: options.align, spec: options.spec, minimum: 2, purpose });
  return { models, space, representation: Representation.of(space, { space: 'full' }) };
}
