// Hessian-vector products of a scalar loss, the building block of curvature measurements
// (top Hessian eigenvalues by Lanczos/power iteration, Hutchinson trace estimates).
//
// Computed forward-over-reverse, jvp(grad(loss)), in float64 and EAGERLY: jax-js 0.1.25 returns
// wrong, run-to-run varying results for jitted second-order programs (jit of jvp∘grad or
// grad∘grad) on MLP losses, while eager evaluation is right (shared/specs/numerics.md §1d;
// tests/backend/hessian.test.ts re-checks it). Never wrap this in jit until that is fixed.

import { DTypeError, ShapeError } from '../errors';
import { Tensor } from '../tensor/tensor';
import { defaultJaxDevice, jax, type JaxArray, type JaxDevice } from './jax';
import { resolveOptions, type OptionDefaults } from '../options/resolve';

/** A scalar loss of one parameter array (shaped like the `params` given to the product). */
export type LossFunction = (params: JaxArray) => JaxArray;

export interface HessianVectorOptions {
  /**
   * jax-js device; without it 'wasm' ('cpu' under WEIGHTLAB_ENGINE=js). On 'wasm' float64
   * tanh/exp/log are float32-grade approximations in jax-js 0.1.25 (relative error ~4e-7), so
   * use 'cpu' (about 2.7x slower) when the product must be exact to float64 for such losses.
   */
  device?: JaxDevice;
}

/** Defaults of hessianVectorProduct: the device is chosen per call (defaultJaxDevice) when not given. */
export const HESSIAN_VECTOR_DEFAULTS: OptionDefaults<HessianVectorOptions> = { device: undefined };

function asFloat64(value: Tensor | Float64Array, argument: string): { values: Float64Array; shape: number[] } {
  if (value instanceof Float64Array) return { values: value, shape: [value.length] };
  if (value instanceof Tensor) return { values: value.toFloat64(), shape: [...value.shape] };
  throw new ShapeError('expected a Tensor or a Float64Array', { field: argument, found: typeof value });
}

/**
 * H(params) · vector, where H is the Hessian of `loss` at `params`. `params` and `vector` have the
 * same number of elements; the loss receives a float64 jax array shaped like `params`. Returns a
 * float64 tensor shaped like `params`.
 */
export async function hessianVectorProduct(
  loss: LossFunction,
  params: Tensor | Float64Array,
  vector: Tensor | Float64Array,
  options: HessianVectorOptions = {},
): Promise<Tensor<'float64'>> {
  if (typeof loss !== 'function')
    throw new ShapeError('expected a loss function', { field: 'loss', found: typeof loss });
  const resolved = resolveOptions('hessianVectorProduct', HESSIAN_VECTOR_DEFAULTS, options);
  const point = asFloat64(params, 'params');
  const direction = asFloat64(vector, 'vector');
  if (direction.values.length !== point.values.length) {
    throw new ShapeError('vector and params differ in size', {
      field: 'vector',
      expected: String(point.values.length),
      found: String(direction.values.length),
    });
  }
  const module = await jax();
  const np = module.numpy;
  const device = resolved.device ?? defaultJaxDevice();
  const w = np.array(point.values, { shape: point.shape, dtype: 'float64' as never, device });
  const v = np.array(direction.values, { shape: point.shape, dtype: 'float64' as never, device });
  // jvp consumes w and v; the primal output (the gradient) is not needed.
  const [gradient, product] = module.jvp(module.grad(loss), [w], [v]) as unknown as [JaxArray, JaxArray];
  gradient.dispose();
  const values = (await product.data()) as Float64Array;
  if (!(values instanceof Float64Array)) {
    throw new DTypeError('loss must compute in float64 (it returned another dtype)', {
      field: 'loss',
      expected: 'float64',
      found: (values as object).constructor.name,
    });
  }
  return new Tensor('float64', values, point.shape);
}
