// Weight manifolds: embeddings of a zoo's weight vectors (randomised PCA, UMAP, training
// trajectories). The payload schemas the JupyterLab extension renders live in display/payloads.

export { denseMatrix, type DenseMatrix } from '../linalg/dense';
export {
  randomizedPca,
  projectOntoComponents,
  asDenseMatrix,
  PCA_DEFAULTS,
  type PcaOptions,
  type PcaResult,
} from './pca';
export { umapEmbedding, UMAP_DEFAULTS, type UmapOptions } from './umap';
export {
  modelVector,
  layerSegments,
  stackRows,
  standardizeSegments,
  type ModelWeights,
  type VectorSegment,
  type AlignmentHook,
} from './vectors';
export { metadataTable, type TableOptions } from './table';
export { weightManifold, WeightManifold, MANIFOLD_DEFAULTS, type ManifoldOptions } from './weight-manifold';
