// jax-js (@jax-js/jax), the autodiff engine, loaded on first use with the shims Node 20 needs,
// and the bridges between weightlab Tensors and jax arrays.
//
// Node 20 shims (shared/specs/numerics.md §2):
//   * globalThis.Float16Array: jax-js tests `instanceof Float16Array` when it receives typed
//     arrays and throws a ReferenceError without it; we install a stub class that nothing is
//     an instance of and that cannot be constructed (Node 20 has no float16 arrays).
//   * init('wasm', 'cpu') instead of init(): the default probes WebGPU through `navigator`,
//     which Node 20 does not define.
//   * No Web-Worker shim: jax-js can spread wasm kernels over workers when a global `Worker`
//     exists, but the survey measured it slower for the small programs weightlab runs through
//     jax-js (MLP Adam step 3.9 -> 6.1 ms) and only faster for large float32 matmuls, which go
//     to onnxruntime-node here anyway.
//
// Devices: 'wasm' (generated wasm kernels; the default) or 'cpu' (jax-js's JS interpreter; used
// when WEIGHTLAB_ENGINE=js). Caveat measured on 0.1.25: on 'wasm' the float64 transcendental
// functions are float32-grade approximations (tanh/exp relative error up to 4e-7, log near 1 an
// absolute 1e-5, sin near pi 1e-5 relative); on 'cpu' they are Math.* (exact to 1 ulp).
// Arithmetic, matmul and reductions are true float64 on both.
//
// Copy semantics of the bridges:
//   toJax(tensor):  exactly one copy, into jax-js's memory (its wasm heap or its own buffer):
//                   a contiguous float64/float32/int32 tensor is passed as a view, with no
//                   intermediate copy; strided views are packed once first; other dtypes are
//                   converted (table below). The returned array is owned by the caller
//                   (jax-js move semantics: passing it to an op consumes it, `.ref` keeps it).
//   fromJax(array): jax-js copies the data out into a fresh typed array, which the Tensor wraps
//                   without a further copy. The array is NOT consumed unless `{ consume: true }`.
//
//   weightlab dtype            -> jax dtype   (back with fromJax)
//   float64, float32, int32    -> same        (same)
//   int16, int8, uint8         -> int32       (int32: values exact, dtype widened)
//   bool                       -> bool        (bool)
//   float16, bfloat16          -> float32     (float32: exact widening; no Float16Array in Node 20)
//   int64                      -> int32 if every value fits, else DTypeError
//   (jax uint32                -> int64, exact)

import type * as Jax from '@jax-js/jax';
import { DTypeError, ShapeError } from '../errors';
import { Tensor } from '../tensor/tensor';
import type { DType } from '../tensor/dtype';
import { engineChoice } from './engine';
import { installedPackage } from './packages';
import { resolveDevice } from './device';
import { resolveOptions, type OptionDefaults } from '../options/resolve';

export type JaxModule = typeof Jax;
export type JaxArray = Jax.Array;
/** Devices weightlab runs jax-js programs on (webgpu when the GPU slot is granted). */
export type JaxDevice = 'wasm' | 'cpu' | 'webgpu';

export const JAX_PACKAGE = '@jax-js/jax';

let loading: Promise<JaxModule> | undefined;
let loaded: JaxModule | undefined;
let initialised: JaxDevice[] = [];

/** The jax-js module, loaded and initialised on first call (shims installed, default device set once). */
export function jax(): Promise<JaxModule> {
  loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

async function load(): Promise<JaxModule> {
  installFloat16Stub();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(JAX_PACKAGE) as JaxModule;
  const wanted: JaxDevice[] = ['wasm', 'cpu'];
  if ((await resolveDevice()).device === 'webgpu') wanted.unshift('webgpu');
  initialised = (await module.init(...wanted)) as JaxDevice[];
  // Set once: weightlab's own calls pass their device explicitly, so a user's later
  // defaultDevice() choice is theirs to keep.
  module.defaultDevice(defaultJaxDevice());
  loaded = module;
  return module;
}

function installFloat16Stub(): void {
  const host = globalThis as Record<string, unknown>;
  if (typeof host.Float16Array === 'function') return;
  host.Float16Array = class Float16Array {
    constructor() {
      throw new TypeError('Float16Array is not available in this Node version (weightlab stub for jax-js)');
    }
    static [Symbol.hasInstance](): boolean {
      return false;
    }
  };
}

/** The device jax programs run on by default now: webgpu if granted, 'cpu' under WEIGHTLAB_ENGINE=js, else 'wasm'. */
export function defaultJaxDevice(): JaxDevice {
  if (initialised.includes('webgpu')) return 'webgpu';
  return engineChoice() === 'js' ? 'cpu' : 'wasm';
}

/** Whether jax-js has been loaded in this process. */
export function jaxLoaded(): boolean {
  return loaded !== undefined;
}

/** Whether jax-js is installed (checked without loading it). */
export function jaxInstalled(): boolean {
  return installedPackage(JAX_PACKAGE) !== null;
}

export interface ToJaxOptions {
  /** Device for the array (without it: `defaultJaxDevice()`, which follows WEIGHTLAB_ENGINE). */
  device?: JaxDevice;
}

/** Defaults of toJax: the device is chosen per call (defaultJaxDevice) when not given. */
export const TO_JAX_DEFAULTS: OptionDefaults<ToJaxOptions> = { device: undefined };

/** A jax array with the tensor's shape and values (one copy; see the dtype table at the top of this file). */
export async function toJax(tensor: Tensor, options: ToJaxOptions = {}): Promise<JaxArray> {
  if (!(tensor instanceof Tensor)) throw new ShapeError('expected a Tensor', { field: 'tensor', found: typeof tensor });
  const resolved = resolveOptions('toJax', TO_JAX_DEFAULTS, options);
  const module = await jax();
  const device = resolved.device ?? defaultJaxDevice();
  const shape = [...tensor.shape];
  const { values, dtype } = jaxValues(tensor);
  return module.numpy.array(values, { shape, dtype: dtype as Jax.DType, device });
}

type JaxData = Float64Array | Float32Array | Int32Array;

function jaxValues(tensor: Tensor): { values: JaxData; dtype: 'float64' | 'float32' | 'int32' | 'bool' } {
  const dense = tensor.isContiguous ? tensor : tensor.contiguous();
  const start = dense.offset;
  const end = start + dense.size;
  switch (tensor.dtype as DType) {
    case 'float64':
      return { values: (dense.data as Float64Array).subarray(start, end), dtype: 'float64' };
    case 'float32':
      return { values: (dense.data as Float32Array).subarray(start, end), dtype: 'float32' };
    case 'int32':
      return { values: (dense.data as Int32Array).subarray(start, end), dtype: 'int32' };
    case 'int16':
    case 'int8':
    case 'uint8':
      return { values: Int32Array.from((dense.data as Int16Array).subarray(start, end)), dtype: 'int32' };
    case 'bool': {
      const bits = (dense.data as Uint8Array).subarray(start, end);
      return { values: Int32Array.from(bits, (bit) => (bit ? 1 : 0)), dtype: 'bool' };
    }
    case 'float16':
    case 'bfloat16':
      return { values: tensor.toFloat32(), dtype: 'float32' };
    case 'int64': {
      const wide = (dense.data as BigInt64Array).subarray(start, end);
      const narrow = new Int32Array(wide.length);
      for (let i = 0; i < wide.length; i++) {
        const value = wide[i];
        if (value > 2147483647n || value < -2147483648n) {
          throw new DTypeError('int64 value does not fit jax-js int32', {
            field: 'tensor',
            expected: 'values in int32 range',
            found: String(value),
          });
        }
        narrow[i] = Number(value);
      }
      return { values: narrow, dtype: 'int32' };
    }
    default:
      throw new DTypeError('dtype has no jax-js equivalent', { field: 'tensor', found: tensor.dtype });
  }
}

export interface FromJaxOptions {
  /**
   * Dispose the jax array's reference after reading (jax-js move semantics).
   * @default false
   */
  consume?: boolean;
}

/** Defaults of fromJax. */
export const FROM_JAX_DEFAULTS: OptionDefaults<FromJaxOptions> = { consume: false };

/** A Tensor with the array's shape and values (the array's data is copied out once by jax-js). */
export async function fromJax(array: JaxArray, options: FromJaxOptions = {}): Promise<Tensor> {
  // Checked before reading, so a bad option never consumes the array.
  const { consume } = resolveOptions('fromJax', FROM_JAX_DEFAULTS, options);
  const shape = [...array.shape];
  const dtype = String(array.dtype);
  const data = await (consume ? array : array.ref).data();
  switch (dtype) {
    case 'float64':
      return new Tensor('float64', data as Float64Array, shape);
    case 'float32':
      return new Tensor('float32', data as Float32Array, shape);
    case 'int32':
      return new Tensor('int32', data as Int32Array, shape);
    case 'bool':
      return new Tensor(
        'bool',
        Uint8Array.from(data as Int32Array, (v) => (v ? 1 : 0)),
        shape,
      );
    case 'uint32':
      return new Tensor(
        'int64',
        BigInt64Array.from(data as Uint32Array, (v) => BigInt(v)),
        shape,
      );
    case 'float16':
      return new Tensor('float32', Float32Array.from(data as ArrayLike<number>), shape);
    default:
      throw new DTypeError('jax dtype has no weightlab equivalent', { field: 'array', found: dtype });
  }
}
