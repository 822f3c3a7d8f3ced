// Is a generated model new? Symmetry-aware distance in weight space (Zeng et al. 2025): for each
// (model, train model) pair, permute the model's hidden units to best match the train model
// (weight matching minimises ‖A − P(B)‖ because permutations preserve norms), take the L2
// distance, and keep the minimum over the train zoo. Also the behavioural twin: max IoU of the
// wrong-prediction sets. Both are read against the held-out zoo's own values (fresh models).

import type { PermutationSpec } from '../../align/permutation-spec';
import { weightMatching } from '../../align/weight-matching';
import type { WeightSet } from '../../weights/weight-set';
import { intersectionOverUnion, type Behaviour } from './behaviour';

/** For each model: min over `references` of the permutation-aligned L2 distance. */
export function nearestAlignedDistances(
  models: readonly WeightSet[],
  references: readonly WeightSet[],
  spec: PermutationSpec,
): Float64Array {
  const referenceVectors = references.map((r) => r.flatten());
  return Float64Array.from(models, (model) => {
    let best = Infinity;
    references.forEach((reference, j) => {
      const aligned = weightMatching(reference, model, { spec }).aligned.flatten();
      const r = referenceVectors[j];
      let s = 0;
      for (let k = 0; k < r.length; k++) {
        const d = r[k] - aligned[k];
        s += d * d;
      }
      best = Math.min(best, Math.sqrt(s));
    });
    return best;
  });
}

/** For each model: max over `references` of the IoU of wrong-prediction sets. */
export function maxWrongSetIou(models: readonly Behaviour[], references: readonly Behaviour[]): Float64Array {
  return Float64Array.from(models, (m) =>
    references.reduce((best, r) => Math.max(best, intersectionOverUnion(m.wrong, r.wrong)), 0),
  );
}
