// From models to the rows of a zoo matrix: WeightSets are flattened in tensor order (the
// usual model-zoo vectorisation), plain vectors are taken as they are. Two optional steps
// act on the stacked rows before any embedding: an alignment hook (re-basin permutation
// alignment is a later issue; it plugs in here) and per-layer standardisation, which stops
// the widest or largest-scale layer from dominating every distance.

import { ArgumentError, ShapeError } from '../errors';
import { WeightSet } from '../weights/weight-set';
import { denseMatrix, type DenseMatrix } from '../linalg/dense';

/** A model as the manifold takes it: a WeightSet or its flattened weight vector. */
export type ModelWeights = WeightSet | Float64Array | Float32Array | readonly number[];

/** A named contiguous range of the flattened vector (one layer: its weight and bias). */
export interface VectorSegment {
  name: string;
  offset: number;
  length: number;
}

/**
 * Re-orders or transforms every model's vector before embedding (e.g. permutation
 * alignment to a reference model). Gets all rows (final models first, then checkpoints)
 * and must return rows of one common length.
 */
export type AlignmentHook = (vectors: Float64Array[], context: { segments?: VectorSegment[] }) => Float64Array[];

/** The flattened weight vector of one model. */
export function modelVector(model: ModelWeights): Float64Array {
  if (model instanceof WeightSet) return model.flatten();
  if (model instanceof Float64Array) return model;
  if (model instanceof Float32Array || Array.isArray(model)) return Float64Array.from(model);
  throw new ArgumentError('a model must be a WeightSet or a vector of numbers', {
    found: Object.prototype.toString.call(model),
  });
}

/** The per-layer segments of a WeightSet's flattened vector (tensors of one layer together, in vector order). */
export function layerSegments(weights: WeightSet): VectorSegment[] {
  const offsets = weights.flatOffsets();
  const owner = new Map<string, string>();
  for (const layer of weights.layers) {
    for (const tensor of [layer.weight, layer.bias, ...Object.values(layer.extras ?? {})])
      if (tensor) owner.set(tensor, layer.name);
  }
  // Tensors of a layer are usually adjacent; a segment is split where they are not.
  const segments: VectorSegment[] = [];
  for (const name of weights.names) {
    const offset = offsets.get(name)!;
    const length = weights.info(name).shape.reduce((a, b) => a * b, 1);
    const group = owner.get(name) ?? name;
    const last = segments[segments.length - 1];
    if (last && last.name === group && last.offset + last.length === offset) last.length += length;
    else segments.push({ name: group, offset, length });
  }
  return segments;
}

/** Stacks equal-length vectors into an n x d matrix. */
export function stackRows(vectors: Float64Array[]): DenseMatrix {
  if (vectors.length === 0) throw new ArgumentError('no models given', { field: 'models' });
  const d = vectors[0].length;
  const out = denseMatrix(vectors.length, d);
  vectors.forEach((vector, i) => {
    if (vector.length !== d)
      throw new ShapeError('models have different numbers of weights', {
        field: `model ${i}`,
        expected: String(d),
        found: String(vector.length),
      });
    out.values.set(vector, i * d);
  });
  return out;
}

/**
 * Standardises each segment in place: subtracts the segment's mean over all rows and
 * entries and divides by its standard deviation (a constant segment is only centred).
 */
export function standardizeSegments(matrix: DenseMatrix, segments: VectorSegment[]): void {
  const { rows: n, cols: d } = matrix;
  for (const { name, offset, length } of segments) {
    if (offset < 0 || offset + length > d)
      throw new ShapeError('segment outside the vector', {
        field: name,
        expected: `within [0, ${d})`,
        found: `[${offset}, ${offset + length})`,
      });
    let sum = 0;
    for (let i = 0; i < n; i++) for (let j = offset; j < offset + length; j++) sum += matrix.values[i * d + j];
    const count = n * length;
    const mean = sum / count;
    let squares = 0;
    for (let i = 0; i < n; i++)
      for (let j = offset; j < offset + length; j++) squares += (matrix.values[i * d + j] - mean) ** 2;
    const std = Math.sqrt(squares / count);
    const scale = std > 0 ? 1 / std : 1;
    for (let i = 0; i < n; i++)
      for (let j = offset; j < offset + length; j++)
        matrix.values[i * d + j] = (matrix.values[i * d + j] - mean) * scale;
  }
}
