// weightlab/internal: every export of every module, for tests, benchmarks and tools that need the
// machinery behind the public verbs. Notebook users import from the package root (index.ts) instead;
// names here may change between versions without notice.

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
export * from './display/payloads';
export * from './display/selection';
export * from './progress/progress';
export * from './backend';
export * from './interop/tfjs';
export * from './manifold';
export * from './align';
export * from './spectral';
export * from './eigen';
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
export * from './table/result-table';
export * from './options/resolve';
export * from './statistics';
