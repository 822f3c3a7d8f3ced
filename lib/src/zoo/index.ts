// Model zoos: lazy readers for ray-tune, Small CNN Zoo and native weightlab zoos, the Zoo type
// with its Arquero tables, checkpoint filters, and the flat-vector and token views of weights.

export { Zoo, tableFromRows, inferAxes, BOOKKEEPING_KEYS, type ZooKind, type ZooModel, type ZooCheckpoint, type ZooResult, type ZooSummary, type ZooTableOptions, type ZooSkip } from './zoo';
export { ZOO_READ_DEFAULTS, type ZooReadOptions } from './zoo-folder';
export { checkpointPasses, filterReport, type CheckpointFilter, type FilterReport } from './filters';
export { readRayTuneZoo, readTrial, epochOffset, CHECKPOINT_FILES } from './ray-tune';
export { readNativeZoo, writeZooManifest, writeZooParams, writeZooResults, writeZooCheckpoint, checkpointFolder, ZOO_FORMAT, ZOO_FORMAT_VERSION, ZOO_MANIFEST, type ZooManifest } from './native';
export { readSmallCnnZoo, type SmallCnnZooOptions } from './small-cnn-zoo';
export { openZoo, detectZooKind } from './open-zoo';
export { buildIndexDict, vectoriseCheckpoint, unvectoriseCheckpoint, type IndexDict, type VectoriseOptions } from './vectorise';
export { tokeniseCheckpoint, detokeniseCheckpoint, type Tokens, type TokeniseOptions } from './tokenise';
export { parsePythonJson, parseJsonLines, DEFAULT_JSON_DEPTH, type PythonJsonOptions } from './python-json';
export { cacheRoot, cacheFolder, libraryVersion, datasetFingerprint, zooCacheKey, zooCacheFolder, zooCache, CACHE_DIR_VARIABLE, CACHE_COMPLETE_FILE, type CacheFolderOptions, type DatasetFingerprint, type ZooCacheKey, type ZooCacheOptions, type ZooCacheReport } from './cache';
export { canonicalJson, canonicalHash } from './cache-key';
