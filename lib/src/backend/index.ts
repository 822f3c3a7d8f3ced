// The compute backend: the only module that knows which engine runs an operation. Nothing here
// loads an engine at import time: jax-js, onnxruntime-node and the wasm kernels load on first use.

export { engineChoice, deviceRequest, resolveEngine, INTRA_OP_THREADS, type EngineChoice, type DeviceRequest, type Engine, type EngineOption, type EngineCandidate } from './engine';
export { resolveDevice, deviceStatus, type DeviceStatus } from './device';
export { backendInfo, registerEngineFamily, BackendInfo, type EngineFamilyReport, type EngineFamilyDescriber } from './info';
export { jax, toJax, fromJax, defaultJaxDevice, type JaxModule, type JaxArray, type JaxDevice, type ToJaxOptions, type FromJaxOptions } from './jax';
export { hessianVectorProduct, type LossFunction, type HessianVectorOptions } from './hessian';
export { onnx } from './onnx/runtime';
export { matmul, gram, batchedMatmul, type MatmulOptions, type GramSide } from './products';
export { wasmKernel, wasmKernelAvailable, WasmKernel } from './wasm';
