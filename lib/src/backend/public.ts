// The backend namespace: which compute engines are present (jax-js, ONNX Runtime, our WASM SIMD
// kernels), the products they run, and autodiff's Hessian-vector products.
export { backendInfo, BackendInfo } from './info';
export {
  matmul,
  gram,
  batchedMatmul,
  type MatmulOptions,
  type GramOptions,
  type GramSide,
  type ProductEngine,
} from './products';
export { jax, toJax, fromJax, type JaxArray, type JaxDevice, type ToJaxOptions, type FromJaxOptions } from './jax';
export { hessianVectorProduct, type HessianVectorOptions, type LossFunction } from './hessian';
export { type EngineChoice, type Engine, type EngineOption } from './engine';
