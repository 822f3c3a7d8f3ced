// Small dense float64 linear algebra in plain JavaScript, shared by the areas that need it on
// the host (inductive bias, manifolds, generators, landscape). Big products go to
// lib/src/backend (onnxruntime / wasm kernels) and big spectra to lib/src/spectral instead.
export * from './dense';
export * from './cholesky';
export * from './symmetric-eigen';
export * from './tridiagonal';
