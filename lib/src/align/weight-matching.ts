// Git Re-Basin weight matching (Ainsworth, Hayase, Srinivasa 2023): find the hidden-unit
// permutations of model B that maximise Σ_layers <W_A, P W_B Pᵀ>, by coordinate descent over the
// permutation groups, each step an exact linear assignment. Used to canonicalise zoos before
// averaging or generating (DeepWeightFlow aligns every model to reference model 0).

import { ArgumentError, ShapeError } from '../errors';
import { resolveOptions, type OptionDefaults } from '../options/resolve';
import { rng } from '../random/rng';
import type { WeightSet } from '../weights/weight-set';
import type { Shape } from '../tensor/tensor';
import { linearAssignment } from './assignment';
import { applyPermutations, identityPermutations, permutedValues } from './permute';
import { checkPermutationSpec, mlpPermutationSpec, type PermutationSpec, type Permutations } from './permutation-spec';

export interface WeightMatchingOptions {
  /**
   * Which axes of which tensors each hidden-unit permutation acts on.
   * @default undefined (mlpPermutationSpec of the reference)
   */
  spec?: PermutationSpec;
  /**
   * Maximum number of sweeps over all groups (Git Re-Basin and DeepWeightFlow use 100).
   * @default 100
   */
  maxIterations?: number;
  /**
   * Seed of the random group order in each sweep.
   * @default 0
   */
  seed?: number;
}

/** weightMatching's defaults (documented with @default in WeightMatchingOptions). */
export const WEIGHT_MATCHING_DEFAULTS = {
  spec: undefined,
  maxIterations: 100,
  seed: 0,
} as const satisfies OptionDefaults<WeightMatchingOptions>;

export interface WeightMatchingResult {
  permutations: Permutations;
  /** Model B with the permutations applied (same function as B, closest to A). */
  aligned: WeightSet;
  /** Sweeps run (the last one made no improvement unless maxIterations was hit). */
  iterations: number;
  /** Σ <W_A, permuted W_B> over all permuted tensors, before and after. */
  similarityBefore: number;
  similarityAfter: number;
  converged: boolean;
}

interface Entry {
  name: string;
  shape: Shape;
  axes: (string | null)[];
  a: Float64Array;
  b: Float64Array;
}

/** Rows = units of `axis`, columns = everything else (same order for A and B, so dot products line up). */
function unitRows(values: Float64Array, shape: Shape, axis: number): { rows: Float64Array; width: number } {
  const n = shape[axis];
  let outer = 1;
  for (let k = 0; k < axis; k++) outer *= shape[k];
  let inner = 1;
  for (let k = axis + 1; k < shape.length; k++) inner *= shape[k];
  const width = outer * inner;
  if (axis === 0) return { rows: values, width };
  const rows = new Float64Array(values.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < n; i++) {
      const from = (o * n + i) * inner;
      rows.set(values.subarray(from, from + inner), i * width + o * inner);
    }
  }
  return { rows, width };
}

function similarity(entries: Entry[], perms: Permutations): number {
  let total = 0;
  for (const entry of entries) {
    const b = permutedValues(entry.b, entry.shape, entry.axes, perms);
    for (let k = 0; k < b.length; k++) total += entry.a[k] * b[k];
  }
  return total;
}

/** Aligns `model` to `reference` by weight matching; returns the permutations and the permuted model. */
export function weightMatching(
  reference: WeightSet,
  model: WeightSet,
  options: WeightMatchingOptions = {},
): WeightMatchingResult {
  const o = resolveOptions('weightMatching', WEIGHT_MATCHING_DEFAULTS, options);
  const spec = o.spec ?? mlpPermutationSpec(reference);
  const maxIterations = o.maxIterations;
  if (!Number.isInteger(maxIterations) || maxIterations < 1)
    throw new ArgumentError('maxIterations must be a positive integer', {
      field: 'maxIterations',
      found: String(maxIterations),
    });
  checkPermutationSpec(spec, reference);
  checkPermutationSpec(spec, model);
  const entries: Entry[] = Object.entries(spec.axes).map(([name, axes]) => {
    const shapeA = reference.info(name).shape;
    const shapeB = model.info(name).shape;
    if (shapeA.length !== shapeB.length || shapeA.some((d, i) => d !== shapeB[i])) {
      throw new ShapeError('reference and model differ in shape', {
        field: name,
        expected: `[${shapeA.join(', ')}]`,
        found: `[${shapeB.join(', ')}]`,
      });
    }
    return { name, shape: shapeA, axes, a: reference.get(name).toFloat64(), b: model.get(name).toFloat64() };
  });
  const groups = Object.keys(spec.groups);
  const perms = identityPermutations(spec);
  const order = rng(o.seed);
  const similarityBefore = similarity(entries, perms);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    let improved = false;
    // One group (a one-hidden-layer MLP) has one order: skip the draw.
    for (const g of groups.length === 1 ? [0] : order.permutation(groups.length)) {
      const group = groups[g];
      const n = spec.groups[group];
      const gain = new Float64Array(n * n);
      for (const entry of entries) {
        entry.axes.forEach((axisGroup, axis) => {
          if (axisGroup !== group) return;
          const { rows: rowsA, width } = unitRows(entry.a, entry.shape, axis);
          const { rows: rowsB } = unitRows(
            permutedValues(entry.b, entry.shape, entry.axes, perms, group),
            entry.shape,
            axis,
          );
          for (let i = 0; i < n; i++) {
            for (let j = 0; j < n; j++) {
              let dot = 0;
              for (let r = 0; r < width; r++) dot += rowsA[i * width + r] * rowsB[j * width + r];
              gain[i * n + j] += dot;
            }
          }
        });
      }
      const { columnOf, total } = linearAssignment(gain, n, { maximize: true });
      let current = 0;
      const old = perms[group];
      for (let i = 0; i < n; i++) current += gain[i * n + old[i]];
      // Relative tolerance: sums of ~1e3 products differ by rounding only at ~1e-12 relative.
      if (total > current + 1e-12 * Math.max(1, Math.abs(current))) {
        perms[group] = columnOf;
        improved = true;
      }
    }
    if (!improved) {
      converged = true;
      break;
    }
  }
  return {
    permutations: perms,
    aligned: applyPermutations(model, spec, perms),
    iterations,
    similarityBefore,
    similarityAfter: similarity(entries, perms),
    converged,
  };
}
