// Which engines the user allows: the WEIGHTLAB_ENGINE and WEIGHTLAB_DEVICE environment
// variables, read on every call (cheap) so tests and notebooks can switch paths in one process.
//
//   WEIGHTLAB_ENGINE=auto  (default) fastest available: onnxruntime-node for dense products,
//                          wasm kernels where ours exist, jax-js on its wasm device for autodiff
//   WEIGHTLAB_ENGINE=wasm  no native code: our wasm kernels replace onnxruntime-node (what a
//                          browser build gets); jax-js stays on its wasm device
//   WEIGHTLAB_ENGINE=js    plain JavaScript only: no onnxruntime, no wasm kernels, and jax-js on
//                          its 'cpu' device (a JS interpreter); the reference path tests compare to
//
//   WEIGHTLAB_RELAXED_SIMD=0  load the plain-SIMD builds of weightlab's wasm kernels even where the
//                          relaxed-SIMD (fused multiply-add) builds run; read once, when the first
//                          kernel loads (lib/src/backend/wasm.ts, relaxedSimdInUse)
//
//   WEIGHTLAB_DEVICE=cpu    (default)
//   WEIGHTLAB_DEVICE=webgpu GPU slot for later: honoured only when a WebGPU adapter exists (the
//                          optional `webgpu` npm package, Dawn, must be installed and find a GPU);
//                          otherwise everything runs on the CPU and backendInfo() says why.

import { ArgumentError } from '../errors';

export type EngineChoice = 'auto' | 'wasm' | 'js';
export type DeviceRequest = 'cpu' | 'webgpu';

const ENGINES: readonly EngineChoice[] = ['auto', 'wasm', 'js'];
const DEVICES: readonly DeviceRequest[] = ['cpu', 'webgpu'];

/** The engine policy from WEIGHTLAB_ENGINE (default 'auto'). */
export function engineChoice(): EngineChoice {
  const raw = (process.env.WEIGHTLAB_ENGINE ?? '').trim().toLowerCase();
  if (raw === '') return 'auto';
  if (!(ENGINES as readonly string[]).includes(raw)) {
    throw new ArgumentError('unknown WEIGHTLAB_ENGINE', { field: 'WEIGHTLAB_ENGINE', expected: ENGINES.join('|'), found: raw });
  }
  return raw as EngineChoice;
}

/** The device asked for in WEIGHTLAB_DEVICE (default 'cpu'); see `resolveDevice()` for what is granted. */
export function deviceRequest(): DeviceRequest {
  const raw = (process.env.WEIGHTLAB_DEVICE ?? '').trim().toLowerCase();
  if (raw === '') return 'cpu';
  if (!(DEVICES as readonly string[]).includes(raw)) {
    throw new ArgumentError('unknown WEIGHTLAB_DEVICE', { field: 'WEIGHTLAB_DEVICE', expected: DEVICES.join('|'), found: raw });
  }
  return raw as DeviceRequest;
}

/** Threads onnxruntime-node may use per operation (the project's machines have 2 cores). */
export const INTRA_OP_THREADS = 2;
