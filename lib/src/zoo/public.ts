// The zoo namespace: open a model zoo folder (native, ray-tune/PTMZ, Small CNN Zoo), read its
// metadata table, build new zoos from a spec, cache them, and view checkpoints as vectors or tokens.
export { Zoo, type ZooKind, type ZooModel, type ZooCheckpoint, type ZooResult, type ZooSummary, type ZooTableOptions, type ZooSkip } from './zoo';
export { type ZooReadOptions } from './zoo-folder';
export { openZoo } from './open-zoo';
export { filterReport, type CheckpointFilter, type FilterReport } from './filters';
export { writeZooManifest, writeZooParams, writeZooResults, writeZooCheckpoint, type ZooManifest } from './native';
export { vectoriseCheckpoint, unvectoriseCheckpoint, buildIndexDict, type IndexDict, type VectoriseOptions } from './vectorise';
export { tokeniseCheckpoint, detokeniseCheckpoint, type Tokens, type TokeniseOptions } from './tokenise';
export { zooCache, zooCacheFolder, type ZooCacheOptions, type ZooCacheReport } from './cache';
export { buildZoo, type BuildOptions, type BuildReport } from './builder/build';
export { type ZooSpec, type AxisName, type DatasetName } from './builder/spec';
export { zooPreset, ZOO_PRESETS } from './presets';
