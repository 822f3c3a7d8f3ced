// Applying hidden-unit permutations to tensors and whole WeightSets. Kept apart from the
// matching algorithm because evaluation, averaging and the tests all permute too.

import { ArgumentError } from '../errors';
import { Tensor, type Shape } from '../tensor/tensor';
import { WeightSet } from '../weights/weight-set';
import { checkPermutationSpec, type PermutationSpec, type Permutations } from './permutation-spec';

/** out[..., i, ...] = values[..., perm[i], ...] along `axis` of a row-major array of `shape`. */
export function permuteAxis(values: Float64Array, shape: Shape, axis: number, perm: ArrayLike<number>): Float64Array {
  const n = shape[axis];
  if (perm.length !== n)
    throw new ArgumentError('permutation length differs from the axis size', {
      expected: String(n),
      found: String(perm.length),
    });
  let outer = 1;
  for (let a = 0; a < axis; a++) outer *= shape[a];
  let inner = 1;
  for (let a = axis + 1; a < shape.length; a++) inner *= shape[a];
  const out = new Float64Array(values.length);
  for (let o = 0; o < outer; o++) {
    const base = o * n * inner;
    for (let i = 0; i < n; i++) {
      const from = base + perm[i] * inner;
      out.set(values.subarray(from, from + inner), base + i * inner);
    }
  }
  return out;
}

/** The identity permutation of every group. */
export function identityPermutations(spec: PermutationSpec): Permutations {
  return Object.fromEntries(
    Object.entries(spec.groups).map(([group, size]) => [group, Int32Array.from({ length: size }, (_, i) => i)]),
  );
}

/** inverse[perm[i]] = i. */
export function inversePermutation(perm: ArrayLike<number>): Int32Array {
  const inverse = new Int32Array(perm.length);
  for (let i = 0; i < perm.length; i++) inverse[perm[i]] = i;
  return inverse;
}

/** Values of `tensor` with every spec'd axis permuted, except the axes of group `skip`. */
export function permutedValues(
  values: Float64Array,
  shape: Shape,
  axes: (string | null)[] | undefined,
  perms: Permutations,
  skip?: string,
): Float64Array {
  let out = values;
  if (!axes) return out;
  axes.forEach((group, axis) => {
    if (group === null || group === skip) return;
    out = permuteAxis(out, shape, axis, perms[group]);
  });
  return out;
}

/**
 * A new WeightSet with the permutations applied (unit i of each group becomes old unit perm[i]).
 * Permuted tensors become float64; others are kept as they are. The network function is unchanged.
 */
export function applyPermutations(weights: WeightSet, spec: PermutationSpec, perms: Permutations): WeightSet {
  checkPermutationSpec(spec, weights);
  for (const [group, size] of Object.entries(spec.groups)) {
    const perm = perms[group];
    if (!perm || perm.length !== size)
      throw new ArgumentError(`missing or wrong-sized permutation for group '${group}'`, {
        expected: String(size),
        found: perm ? String(perm.length) : 'none',
      });
  }
  const tensors = weights.names.map((name): [string, Tensor] => {
    const tensor = weights.get(name);
    const axes = spec.axes[name];
    if (!axes || axes.every((group) => group === null)) return [name, tensor];
    return [name, new Tensor('float64', permutedValues(tensor.toFloat64(), tensor.shape, axes, perms), tensor.shape)];
  });
  return new WeightSet(tensors, { layers: weights.layers, metadata: { ...weights.metadata } });
}
