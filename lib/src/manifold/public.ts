// The manifold namespace: a zoo's weights embedded in 2-D or 3-D (randomized PCA, UMAP) with its
// metadata, shown by the extension's interactive scatter.
export { weightManifold, embedZoo, WeightManifold, type ManifoldOptions } from './weight-manifold';
export { randomizedPca, type PcaOptions, type PcaResult } from './pca';
export { umapEmbedding, type UmapOptions } from './umap';
