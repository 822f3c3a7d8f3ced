// Weight manifolds: embeddings of a zoo's weight vectors (randomised PCA, UMAP, training
// trajectories) and the payload schemas the JupyterLab extension renders.

export { denseMatrix, type DenseMatrix } from '../linalg/dense';
export { randomizedPca, randomizedPcaOnEngine, projectOntoComponents, type PcaOptions, type PcaResult } from './pca';
export { umapEmbedding, umapEmbeddingOnEngine, type UmapOptions } from './umap';
export { modelVector, layerSegments, stackRows, standardizeSegments, type ModelWeights, type VectorSegment, type AlignmentHook } from './vectors';
export { metadataTable, type TableOptions } from './table';
export { weightManifold, embedZoo, WeightManifold, type ManifoldOptions } from './weight-manifold';
export * from './payloads';
