// Which axes of which tensors a hidden-unit permutation acts on. Permuting the units of a hidden
// layer (rows of its weight, its bias and BatchNorm vectors, and the matching columns of the next
// layer) leaves the network's function unchanged; a PermutationSpec lists those couplings so that
// weight matching, averaging and generators can move between equivalent parametrisations.
// Specs are built automatically for MLPs and declared with a small builder for CNNs and ResNets.

import { ArgumentError, ShapeError } from '../errors';
import type { WeightSet } from '../weights/weight-set';

/** Per tensor, per axis: the permutation group acting on that axis, or null (not permuted). */
export interface PermutationSpec {
  /** Group name -> number of units it permutes. */
  groups: Record<string, number>;
  /** Tensor name -> one entry per axis. Tensors absent here are never permuted. */
  axes: Record<string, (string | null)[]>;
}

/** One permutation per group: perm[i] = the old unit that becomes unit i. */
export type Permutations = Record<string, Int32Array>;

/**
 * The spec of a plain MLP, built from the WeightSet's inferred layers: linear layers in order,
 * with a group `P<i>` for the outputs of every linear layer except the last. A norm layer whose
 * vectors have the width of the preceding hidden layer (BatchNorm1d / LayerNorm affine) gets that
 * group on all of its tensors. Throws for anything that is not a chain of linear (+ norm) layers.
 */
export function mlpPermutationSpec(weights: WeightSet): PermutationSpec {
  const layers = weights.layers;
  const linear = layers.filter((layer) => layer.kind === 'linear');
  if (linear.length < 2) {
    throw new ArgumentError('an MLP permutation spec needs at least two linear layers (one hidden layer)', {
      found: `${linear.length} linear layers`,
    });
  }
  const spec: PermutationSpec = { groups: {}, axes: {} };
  let previous: string | null = null; // group on the input side of the next linear layer
  let previousWidth = -1;
  let linearIndex = 0;
  for (const layer of layers) {
    if (layer.kind === 'linear') {
      const shape = weights.info(layer.weight).shape;
      const inOut = layer.layout === 'in-out';
      const outWidth = inOut ? shape[1] : shape[0];
      const inWidth = inOut ? shape[0] : shape[1];
      if (previous !== null && inWidth !== previousWidth) {
        throw new ShapeError('consecutive linear layers do not chain', {
          field: layer.weight,
          expected: `input width ${previousWidth}`,
          found: String(inWidth),
        });
      }
      const last = linearIndex === linear.length - 1;
      const group = last ? null : `P${linearIndex}`;
      if (group) spec.groups[group] = outWidth;
      spec.axes[layer.weight] = inOut ? [previous, group] : [group, previous];
      if (layer.bias) spec.axes[layer.bias] = [group];
      previous = group;
      previousWidth = outWidth;
      linearIndex++;
    } else if (layer.kind === 'norm') {
      if (previous === null)
        throw new ArgumentError('a norm layer outside the hidden layers of an MLP cannot be permuted', {
          field: layer.name,
        });
      for (const name of [layer.weight, layer.bias, ...Object.values(layer.extras ?? {})]) {
        if (!name) continue;
        const shape = weights.info(name).shape;
        if (shape.length === 1 && shape[0] === previousWidth) spec.axes[name] = [previous];
        else if (shape.length > 0)
          throw new ShapeError('norm tensor does not match the hidden width', {
            field: name,
            expected: `[${previousWidth}]`,
            found: `[${shape.join(', ')}]`,
          });
      }
    } else {
      throw new ArgumentError(
        `a ${layer.kind} layer is not part of an MLP; declare a spec with permutationSpec() instead`,
        { field: layer.name },
      );
    }
  }
  return spec;
}

/**
 * Builder for declared specs (CNNs, ResNet blocks): name the groups, then say which layer reads
 * and writes which group. `null` means the axis is fixed (network input or output).
 *
 *   permutationSpec()
 *     .conv('conv1', { out: 'P1', in: null }).norm('bn1', 'P1')
 *     .conv('conv2', { out: 'P2', in: 'P1' }).norm('bn2', 'P2')
 *     .dense('fc', { out: null, in: 'P2' })      // after global average pooling
 *     .build(weights)
 */
export class PermutationSpecBuilder {
  private readonly entries: { tensor: string; axes: (string | null)[] }[] = [];

  /** A linear layer `<prefix>.weight` [out, in] and optional `<prefix>.bias` [out]. */
  dense(prefix: string, groups: { out: string | null; in: string | null }): this {
    this.entries.push({ tensor: `${prefix}.weight`, axes: [groups.out, groups.in] });
    this.entries.push({ tensor: `${prefix}.bias`, axes: [groups.out] });
    return this;
  }

  /** A conv layer `<prefix>.weight` [out, in, ...kernel] (any kernel rank) and optional bias. */
  conv(prefix: string, groups: { out: string | null; in: string | null }): this {
    this.entries.push({ tensor: `${prefix}.weight`, axes: [groups.out, groups.in] });
    this.entries.push({ tensor: `${prefix}.bias`, axes: [groups.out] });
    return this;
  }

  /** A norm layer: weight, bias, running_mean, running_var (whichever exist) on `group`. */
  norm(prefix: string, group: string): this {
    for (const leaf of ['weight', 'bias', 'running_mean', 'running_var'])
      this.entries.push({ tensor: `${prefix}.${leaf}`, axes: [group] });
    return this;
  }

  /** Any tensor with explicit per-axis groups (trailing axes not listed are fixed). */
  tensor(name: string, axes: (string | null)[]): this {
    this.entries.push({ tensor: name, axes });
    return this;
  }

  /**
   * The spec for `weights`: entries whose tensor does not exist are dropped (optional biases);
   * group sizes are read from the shapes and must agree everywhere a group appears.
   */
  build(weights: WeightSet): PermutationSpec {
    const spec: PermutationSpec = { groups: {}, axes: {} };
    for (const { tensor, axes } of this.entries) {
      if (!weights.has(tensor)) continue;
      const shape = weights.info(tensor).shape;
      const full = shape.map((_, axis) => axes[axis] ?? null);
      spec.axes[tensor] = full;
      full.forEach((group, axis) => {
        if (group === null) return;
        const known = spec.groups[group];
        if (known !== undefined && known !== shape[axis]) {
          throw new ShapeError(`permutation group '${group}' has inconsistent sizes`, {
            field: tensor,
            expected: String(known),
            found: `${shape[axis]} on axis ${axis}`,
          });
        }
        spec.groups[group] = shape[axis];
      });
    }
    return spec;
  }
}

/** Starts a declared permutation spec (see PermutationSpecBuilder). */
export function permutationSpec(): PermutationSpecBuilder {
  return new PermutationSpecBuilder();
}

/**
 * Declares a ResNet basic block (conv-BN-ReLU-conv-BN + shortcut): the residual stream carries
 * `stream` through the block (identity shortcut), the inner width gets its own group `<prefix>.inner`.
 * With a projection shortcut (`<prefix>.shortcut.0` conv + `.1` BN), the output gets `outStream`.
 */
export function resnetBlockSpec(
  builder: PermutationSpecBuilder,
  prefix: string,
  stream: string,
  outStream = stream,
): PermutationSpecBuilder {
  const inner = `${prefix}.inner`;
  builder
    .conv(`${prefix}.conv1`, { out: inner, in: stream })
    .norm(`${prefix}.bn1`, inner)
    .conv(`${prefix}.conv2`, { out: outStream, in: inner })
    .norm(`${prefix}.bn2`, outStream);
  if (outStream !== stream)
    builder.conv(`${prefix}.shortcut.0`, { out: outStream, in: stream }).norm(`${prefix}.shortcut.1`, outStream);
  return builder;
}

/** Checks that `spec` fits `weights`: tensors exist, ranks and group sizes agree. */
export function checkPermutationSpec(spec: PermutationSpec, weights: WeightSet): void {
  for (const [tensor, axes] of Object.entries(spec.axes)) {
    if (!weights.has(tensor))
      throw new ArgumentError('permutation spec names a tensor the model does not have', { field: tensor });
    const shape = weights.info(tensor).shape;
    if (axes.length > shape.length)
      throw new ShapeError('permutation spec has more axes than the tensor', {
        field: tensor,
        expected: `<= ${shape.length}`,
        found: String(axes.length),
      });
    axes.forEach((group, axis) => {
      if (group === null) return;
      if (!(group in spec.groups)) throw new ArgumentError(`unknown permutation group '${group}'`, { field: tensor });
      if (spec.groups[group] !== shape[axis])
        throw new ShapeError(`group '${group}' size differs from the tensor axis`, {
          field: tensor,
          expected: String(spec.groups[group]),
          found: `${shape[axis]} on axis ${axis}`,
        });
    });
  }
}
