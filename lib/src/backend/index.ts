// The compute backend: the only module that knows which engine runs an operation. Nothing here
// loads an engine at import time: jax-js, onnxruntime-node and the wasm kernels load on first use.

export {
  engineChoice,
  deviceRequest,
  resolveEngine,
  INTRA_OP_THREADS,
  cpuAllotment,
  intraOpThreads,
  defaultWorkerThreads,
  type EngineChoice,
  type DeviceRequest,
  type Engine,
  type EngineOption,
  type EngineCandidate,
} from './engine';
export { resolveDevice, deviceStatus, type DeviceStatus } from './device';
export {
  backendInfo,
  registerEngineFamily,
  BackendInfo,
  type EngineFamilyReport,
  type EngineFamilyDescriber,
} from './info';
export {
  jax,
  toJax,
  fromJax,
  defaultJaxDevice,
  TO_JAX_DEFAULTS,
  FROM_JAX_DEFAULTS,
  type JaxModule,
  type JaxArray,
  type JaxDevice,
  type ToJaxOptions,
  type FromJaxOptions,
} from './jax';
export { hessianVectorProduct, HESSIAN_VECTOR_DEFAULTS, type LossFunction, type HessianVectorOptions } from './hessian';
export { onnx, onnxUnavailable } from './onnx/runtime';
export {
  matmul,
  gram,
  batchedMatmul,
  productEngine,
  MATMUL_DEFAULTS,
  GRAM_DEFAULTS,
  type MatmulOptions,
  type GramOptions,
  type GramSide,
  type ProductEngine,
} from './products';
export { wasmKernel, wasmKernelAvailable, wasmKernelUnavailable, WasmKernel } from './wasm';
