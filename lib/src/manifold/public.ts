// The manifold namespace: a zoo's weights embedded in 2-D or 3-D (randomized PCA, UMAP) with its
// metadata, shown by the extension's interactive scatter. Each verb takes an `engine` option
// (backend's one engine rule) instead of having one name per engine.
export { weightManifold, WeightManifold, MANIFOLD_DEFAULTS, type ManifoldOptions } from './weight-manifold';
export { randomizedPca, PCA_DEFAULTS, type PcaOptions, type PcaResult } from './pca';
export { umapEmbedding, UMAP_DEFAULTS, type UmapOptions } from './umap';
export { type ModelWeights, type VectorSegment, type AlignmentHook } from './vectors';
