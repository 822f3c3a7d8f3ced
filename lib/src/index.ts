// weightlab: the public surface. Everything exported here is preloaded in the kernel,
// so every name must be a whole word from the field and carry a doc comment.

export * from './errors';
export * from './tensor/dtype';
export * from './tensor/tensor';
export * from './display/protocol';
export * from './display/display';
export * from './weights/layers';
export * from './weights/weight-set';
export * from './random/threefry';
export * from './random/rng';
export * from './display/builders';
export * from './display/vega-lite';
export * from './display/png';
export * from './progress/progress';
export * from './backend';
export * from './interop/tfjs';
export * from './manifold';
export * from './align';
export * from './spectral';
export * from './io';
export * from './zoo';
export * from './generate';
export * from './special';
export * from './bias';
export * from './data';
export * from './train';
export * from './landscape';
export * from './phases';
export * from './zoo/builder';
export * from './zoo/presets';
