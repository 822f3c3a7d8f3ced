// The GPU slot. Everything runs on the CPU today; a later issue can put jax-js programs (and
// hand-written WGSL) on a GPU through WebGPU, which Node reaches with the optional `webgpu`
// package (Dawn). Asking for it is WEIGHTLAB_DEVICE=webgpu; it is granted only when that package
// is installed and hands out an adapter, otherwise the request is reported and ignored.
//
// When granted, the adapter's `gpu` object is exposed as `globalThis.navigator.gpu` (where jax-js
// looks for WebGPU) and jax-js is initialised with its 'webgpu' device first (see jax.ts).
// Checked on an NVIDIA H200 (Vulkan loader libvulkan1 installed, Node 20.20, webgpu 0.6.2):
// jax-js found the adapter and a jitted f32 matmul ran at 4.6 TFLOP/s at n = 4096 against
// 14.6 GFLOP/s on its wasm device on the same machine, agreeing with wasm to 7.6e-6 relative.
// jax-js reads `navigator.userAgent` and the WebGPU constants (GPUBufferUsage, ...) that Dawn
// exports as `globals`, so both are installed here too.

import { deviceRequest, type DeviceRequest } from './engine';
import { installedPackage } from './packages';

export const WEBGPU_PACKAGE = 'webgpu';

export interface DeviceStatus {
  /** Where work runs. */
  device: 'cpu' | 'webgpu';
  /** What WEIGHTLAB_DEVICE asked for. */
  requested: DeviceRequest;
  /** Why a request was not granted (or that it was not probed yet). */
  reason?: string;
}

let resolved: Promise<DeviceStatus> | undefined;
let settled: DeviceStatus | undefined;

/** Probes for a WebGPU adapter if WEIGHTLAB_DEVICE=webgpu asks for one (once per process). */
export function resolveDevice(): Promise<DeviceStatus> {
  const requested = deviceRequest();
  if (requested === 'cpu') return Promise.resolve({ device: 'cpu', requested });
  resolved ??= probeWebGpu().then((status) => (settled = status));
  return resolved;
}

async function probeWebGpu(): Promise<DeviceStatus> {
  const requested: DeviceRequest = 'webgpu';
  if (!installedPackage(WEBGPU_PACKAGE)) {
    return { device: 'cpu', requested, reason: `the optional '${WEBGPU_PACKAGE}' package is not installed` };
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { create, globals } = require(WEBGPU_PACKAGE) as {
      create(options: string[]): { requestAdapter(): Promise<unknown> };
      globals?: Record<string, unknown>;
    };
    const gpu = create([]);
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { device: 'cpu', requested, reason: 'no WebGPU adapter on this machine' };
    const host = globalThis as Record<string, unknown> & { navigator?: Record<string, unknown> };
    for (const [name, value] of Object.entries(globals ?? {})) if (!(name in host)) host[name] = value;
    host.navigator ??= {};
    host.navigator.gpu ??= gpu;
    host.navigator.userAgent ??= `Node.js/${process.versions.node}`;
    return { device: 'webgpu', requested };
  } catch (error) {
    return { device: 'cpu', requested, reason: `WebGPU failed to start: ${(error as Error).message.split('\n')[0]}` };
  }
}

/** The device status without probing: 'cpu' unless a webgpu request was already granted. */
export function deviceStatus(): DeviceStatus {
  const requested = deviceRequest();
  if (requested === 'cpu') return { device: 'cpu', requested };
  return (
    settled ?? { device: 'cpu', requested, reason: 'WebGPU not probed yet (runs on first jax() / resolveDevice())' }
  );
}
