// Flat weight vectors the way the Model Zoos dataset makes them (checkpoints_to_datasets/
// dataset_base.py, vectorize_checkpoint): per layer, in layer order, the flattened weight
// followed by the flattened bias; no normalisation. The `index_dict` records where each layer
// sits in the vector and how it splits into kernels, so hyper-representation code can map
// vector positions back to (layer, kernel, channel). `unvectoriseCheckpoint` inverts exactly.

import { resolveOptions, type OptionDefaults } from '../options/resolve';
import { ShapeError } from '../errors';
import { Tensor, sizeOf } from '../tensor/tensor';
import { WeightSet } from '../weights/weight-set';

/** ModelZoos' index_dict: one entry per layer, parallel arrays. */
export interface IndexDict {
  /** [layer index or module name, 'conv2d' | 'fc' | ...]. */
  layer: [number | string, string][];
  idx_start: number[];
  idx_length: number[];
  kernel_no: number[];
  kernel_size: number[];
  channels_in: number[];
}

export interface VectoriseOptions {
  /**
   * Include biases after each weight, as the zoos do.
   * @default true
   */
  useBias?: boolean;
}

export const VECTORISE_DEFAULTS = { useBias: true } as const satisfies OptionDefaults<VectoriseOptions>;

interface LayerSlot {
  weight: string;
  bias?: string;
  kind: string;
  key: number | string;
}

function layerSlots(weights: WeightSet, options: VectoriseOptions): LayerSlot[] {
  const slots: LayerSlot[] = [];
  for (const layer of weights.layers) {
    if (layer.kind !== 'linear' && layer.kind !== 'conv1d' && layer.kind !== 'conv2d') continue;
    // ModelZoos names layers by their index in `module_list`; other models keep the module path.
    const index = /^module_list\.(\d+)$/.exec(layer.name);
    slots.push({
      weight: layer.weight,
      bias: options.useBias === false ? undefined : layer.bias,
      kind: layer.kind === 'linear' ? 'fc' : layer.kind,
      key: index ? Number(index[1]) : layer.name,
    });
  }
  return slots;
}

/**
 * The index_dict of a checkpoint. Kernel counts follow the zoo code: conv layers have
 * out_channels kernels of in_channels x (kh * kw); an fc layer's input splits into the previous
 * layer's kernel count when it divides (a flattened conv output), else into single inputs.
 */
export function buildIndexDict(weights: WeightSet, options: VectoriseOptions = {}): IndexDict {
  options = resolveOptions('buildIndexDict', VECTORISE_DEFAULTS, options);
  const dict: IndexDict = { layer: [], idx_start: [], idx_length: [], kernel_no: [], kernel_size: [], channels_in: [] };
  let at = 0;
  let previousKernels: number | undefined;
  for (const slot of layerSlots(weights, options)) {
    const shape = weights.info(slot.weight).shape;
    const kernels = shape[0];
    let channels = shape[1] ?? 1;
    let kernelSize = sizeOf(shape.slice(2));
    if (
      slot.kind === 'fc' &&
      previousKernels !== undefined &&
      channels % previousKernels === 0 &&
      channels !== previousKernels
    ) {
      kernelSize = channels / previousKernels;
      channels = previousKernels;
    }
    const length = sizeOf(shape) + (slot.bias ? sizeOf(weights.info(slot.bias).shape) : 0);
    dict.layer.push([slot.key, slot.kind]);
    dict.idx_start.push(at);
    dict.idx_length.push(length);
    dict.kernel_no.push(kernels);
    dict.kernel_size.push(kernelSize);
    dict.channels_in.push(channels);
    at += length;
    previousKernels = kernels;
  }
  return dict;
}

/** The layer tensors (weight, then bias) concatenated into one float64 vector. */
export function vectoriseCheckpoint(weights: WeightSet, options: VectoriseOptions = {}): Float64Array {
  options = resolveOptions('vectoriseCheckpoint', VECTORISE_DEFAULTS, options);
  const slots = layerSlots(weights, options);
  const names = slots.flatMap((slot) => (slot.bias ? [slot.weight, slot.bias] : [slot.weight]));
  const total = names.reduce((sum, name) => sum + sizeOf(weights.info(name).shape), 0);
  const out = new Float64Array(total);
  let at = 0;
  for (const name of names) {
    const values = weights.get(name).toFloat64();
    out.set(values, at);
    at += values.length;
  }
  return out;
}

/** A WeightSet shaped like `reference` (its layer tensors) filled from `vector` (inverse of vectoriseCheckpoint). */
export function unvectoriseCheckpoint(
  vector: ArrayLike<number>,
  reference: WeightSet,
  options: VectoriseOptions = {},
): WeightSet {
  options = resolveOptions('unvectoriseCheckpoint', VECTORISE_DEFAULTS, options);
  const slots = layerSlots(reference, options);
  const names = slots.flatMap((slot) => (slot.bias ? [slot.weight, slot.bias] : [slot.weight]));
  const total = names.reduce((sum, name) => sum + sizeOf(reference.info(name).shape), 0);
  if (vector.length !== total)
    throw new ShapeError('vector length differs from the layers of the reference', {
      expected: String(total),
      found: String(vector.length),
    });
  let at = 0;
  const tensors = names.map((name): [string, Tensor] => {
    const { shape } = reference.info(name);
    const size = sizeOf(shape);
    const values = new Float64Array(size);
    for (let i = 0; i < size; i++) values[i] = vector[at + i];
    at += size;
    return [name, new Tensor('float64', values, shape)];
  });
  return new WeightSet(tensors, { metadata: { ...reference.metadata } });
}
