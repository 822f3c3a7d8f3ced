// TensorFlow.js interop: moving tensors and Keras-style LayersModel weights between tfjs and
// weightlab. Duck-typed, with no import of tfjs at all: users bring their own `tf` (tfjs, tfjs-node,
// any backend) and weightlab never loads a second copy. tfjs is not a compute engine here.
//
// Copy semantics: every transfer copies (tfjs's dataSync() may return the backend's own storage,
// which must not be aliased). tfjs has no float64: float64 tensors are rounded to float32 on the
// way to tfjs.

import { ArgumentError, DTypeError, ShapeError } from '../errors';
import { Tensor, sizeOf } from '../tensor/tensor';
import { WeightSet } from '../weights/weight-set';
import { inferLayers, type Layer } from '../weights/layers';

/** The part of a tfjs Tensor weightlab reads. */
export interface TfjsTensorLike {
  readonly shape: number[];
  readonly dtype: string;
  dataSync(): ArrayLike<number> | Uint8Array | Int32Array | Float32Array;
}

/** The part of the `tf` module weightlab calls to make tensors. */
export interface TfjsModuleLike {
  tensor(
    values: Float32Array | Int32Array | Uint8Array,
    shape: number[],
    dtype: 'float32' | 'int32' | 'bool',
  ): TfjsTensorLike;
}

/** The part of a tfjs layer weightlab reads and writes. */
export interface TfjsLayerLike {
  readonly name: string;
  readonly weights: readonly {
    readonly name: string;
    /** The name before tfjs made it unique across models ('conv/kernel' rather than 'conv/kernel_1'). */
    readonly originalName?: string;
    readonly shape: readonly (number | null)[];
  }[];
  getWeights(): TfjsTensorLike[];
  setWeights(weights: TfjsTensorLike[]): void;
  getClassName?(): string;
}

/** The part of a tfjs LayersModel weightlab reads and writes. */
export interface TfjsLayersModelLike {
  readonly layers: readonly TfjsLayerLike[];
  readonly name?: string;
}

/** A weightlab Tensor with a copy of a tfjs tensor's values (float32, int32 or bool). */
export function fromTfjsTensor(t: TfjsTensorLike): Tensor {
  if (!t || typeof t.dataSync !== 'function' || !Array.isArray(t.shape)) {
    throw new ArgumentError('expected a tfjs Tensor (shape, dtype, dataSync())', { field: 't' });
  }
  const shape = [...t.shape];
  const values = t.dataSync();
  switch (t.dtype) {
    case 'float32':
      return new Tensor('float32', Float32Array.from(values as Float32Array), shape);
    case 'int32':
      return new Tensor('int32', Int32Array.from(values as Int32Array), shape);
    case 'bool':
      return new Tensor(
        'bool',
        Uint8Array.from(values as Uint8Array, (v) => (v ? 1 : 0)),
        shape,
      );
    default:
      throw new DTypeError('tfjs dtype has no weightlab equivalent', {
        field: 't',
        expected: 'float32|int32|bool',
        found: t.dtype,
      });
  }
}

/**
 * A tfjs tensor made by the caller's `tf` module from a copy of `tensor`: float types become
 * float32 (float64 is rounded), integer types int32 (int64 must fit), bool stays bool.
 */
export function toTfjsTensor(tensor: Tensor, tf: TfjsModuleLike): TfjsTensorLike {
  if (!(tensor instanceof Tensor)) throw new ArgumentError('expected a weightlab Tensor', { field: 'tensor' });
  if (!tf || typeof tf.tensor !== 'function') throw new ArgumentError('pass your tfjs module as `tf`', { field: 'tf' });
  const { values, dtype } = tfjsValues(tensor, 'tensor');
  return tf.tensor(values, [...tensor.shape], dtype);
}

function tfjsValues(
  tensor: Tensor,
  field: string,
): { values: Float32Array | Int32Array | Uint8Array; dtype: 'float32' | 'int32' | 'bool' } {
  switch (tensor.dtype) {
    case 'float64':
    case 'float32':
    case 'float16':
    case 'bfloat16':
      // toFloat32 may return the tensor's own storage; tfjs may keep the array, so copy.
      return { values: Float32Array.from(tensor.toFloat32()), dtype: 'float32' };
    case 'bool': {
      const bits = tensor.contiguous();
      return {
        values: Uint8Array.from((bits.data as Uint8Array).subarray(bits.offset, bits.offset + bits.size)),
        dtype: 'bool',
      };
    }
    case 'int64': {
      const values = tensor.toFloat64();
      for (const value of values) {
        if (value > 2147483647 || value < -2147483648) {
          throw new DTypeError('int64 value does not fit tfjs int32', {
            field,
            expected: 'values in int32 range',
            found: String(value),
          });
        }
      }
      return { values: Int32Array.from(values), dtype: 'int32' };
    }
    default:
      return { values: Int32Array.from(tensor.toFloat64()), dtype: 'int32' };
  }
}

/**
 * The weight's own name within its layer: 'kernel' for 'dense_1/kernel'. tfjs renames variables
 * to keep them unique per process ('conv/kernel_1' in a second model), so the original name is used.
 */
function leafName(variable: { name: string; originalName?: string }): string {
  const full = variable.originalName ?? variable.name;
  const cut = Math.max(full.lastIndexOf('/'), full.lastIndexOf('.'));
  return full.slice(cut + 1).replace(/:\d+$/, '');
}

function checkModel(model: TfjsLayersModelLike): void {
  if (!model || !Array.isArray(model.layers))
    throw new ArgumentError('expected a tfjs LayersModel (with .layers)', { field: 'model' });
}

/**
 * The weights of a tfjs LayersModel as a WeightSet named '<layer>.<weight>' ('head.kernel',
 * 'head.bias'), in layer order. Keras kernels are (in, out): 2-D ones get layout 'in-out';
 * conv kernels stay in Keras order (kh, kw, in, out), recorded as metadata.kernelLayout 'keras'.
 */
export function weightSetFromLayersModel(model: TfjsLayersModelLike): WeightSet {
  checkModel(model);
  const tensors: [string, Tensor][] = [];
  for (const layer of model.layers) {
    const values = layer.getWeights();
    layer.weights.forEach((variable, index) => {
      tensors.push([`${layer.name}.${leafName(variable)}`, fromTfjsTensor(values[index])]);
    });
  }
  const layers: Layer[] = inferLayers(
    tensors.map(([name, tensor]) => [name, { dtype: tensor.dtype, shape: tensor.shape }]),
  );
  // inferLayers marks 2-D Keras kernels 'in-out' already; make it explicit for every 2-D kernel.
  for (const layer of layers) if (layer.weight.endsWith('.kernel') && layer.kind === 'linear') layer.layout = 'in-out';
  return new WeightSet(tensors, {
    layers,
    metadata: { format: 'tfjs-layers', model: model.name, kernelLayout: 'keras' },
  });
}

interface TfjsEngineLike {
  makeTensor(values: Float32Array | Int32Array | Uint8Array, shape: number[], dtype: string): TfjsTensorLike;
}

/** The tensor factory: the caller's `tf`, else the engine the loaded tfjs registers globally. */
function tensorFactory(tf?: TfjsModuleLike): TfjsModuleLike {
  if (tf) {
    if (typeof tf.tensor !== 'function') throw new ArgumentError('pass your tfjs module as `tf`', { field: 'tf' });
    return tf;
  }
  // tfjs-core keeps its engine at globalThis._tfengine (one per loaded tfjs copy); a model can only
  // exist if tfjs is loaded, so this is the engine that made it unless several copies are loaded.
  const engine = (globalThis as { _tfengine?: TfjsEngineLike })._tfengine;
  if (!engine || typeof engine.makeTensor !== 'function') {
    throw new ArgumentError('tfjs is not loaded here; pass your tfjs module as the third argument', { field: 'tf' });
  }
  return { tensor: (values, shape, dtype) => engine.makeTensor(values, shape, dtype) };
}

/**
 * Writes the tensors of `weights` into `model` (names as weightSetFromLayersModel makes them).
 * Every weight of every layer must be present with the variable's shape; dtypes convert as in
 * toTfjsTensor. `tf` is optional: the loaded tfjs engine is used when it is not given.
 */
export function assignToLayersModel(model: TfjsLayersModelLike, weights: WeightSet, tf?: TfjsModuleLike): void {
  checkModel(model);
  const factory = tensorFactory(tf);
  // Check everything before writing anything, so a bad set leaves the model untouched.
  const plan: [TfjsLayerLike, Tensor[]][] = [];
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const tensors = layer.weights.map((variable) => {
      const name = `${layer.name}.${leafName(variable)}`;
      if (!weights.has(name))
        throw new ShapeError('weight missing from the WeightSet', {
          field: name,
          expected: `a tensor for tfjs variable ${variable.name}`,
        });
      const tensor = weights.get(name);
      const shape = variable.shape.map((extent) => extent ?? -1);
      if (
        tensor.shape.length !== shape.length ||
        tensor.shape.some((extent, axis) => extent !== shape[axis]) ||
        tensor.size !== sizeOf(shape)
      ) {
        throw new ShapeError('tensor shape differs from the tfjs variable', {
          field: name,
          expected: `[${shape.join(', ')}]`,
          found: `[${tensor.shape.join(', ')}]`,
        });
      }
      return tensor;
    });
    plan.push([layer, tensors]);
  }
  for (const [layer, tensors] of plan) {
    const made = tensors.map((tensor, index) => {
      const { values, dtype } = tfjsValues(tensor, `${layer.name}.${leafName(layer.weights[index])}`);
      return factory.tensor(values, [...tensor.shape], dtype);
    });
    layer.setWeights(made);
    // setWeights copies into the variables; free the temporaries where tfjs supports it.
    for (const t of made) (t as { dispose?: () => void }).dispose?.();
  }
}
