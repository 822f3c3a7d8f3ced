// The zoo namespace: open a model zoo folder (native, ray-tune/PTMZ, Small CNN Zoo), read its
// metadata table, build new zoos from a spec, cache them, and view checkpoints as vectors or tokens.
export {
  Zoo,
  ZOO_TABLE_DEFAULTS,
  type ZooKind,
  type ZooModel,
  type ZooCheckpoint,
  type ZooResult,
  type ZooSummary,
  type ZooTableOptions,
  type ZooSkip,
  type ZooRow,
  type ZooModelRow,
  type ZooColumns,
} from './zoo';
export { ZOO_READ_DEFAULTS, type ZooReadOptions } from './zoo-folder';
export { openZoo, OPEN_ZOO_DEFAULTS, type OpenZooOptions } from './open-zoo';
export {
  filterReport,
  WEIGHTS_DEFAULTS,
  type CheckpointFilter,
  type FilterReport,
  type WeightsOptions,
} from './filters';
export { writeZooManifest, writeZooParams, writeZooResults, writeZooCheckpoint, type ZooManifest } from './native';
export {
  vectoriseCheckpoint,
  unvectoriseCheckpoint,
  buildIndexDict,
  VECTORISE_DEFAULTS,
  type IndexDict,
  type VectoriseOptions,
} from './vectorise';
export {
  tokeniseCheckpoint,
  detokeniseCheckpoint,
  TOKENISE_DEFAULTS,
  type Tokens,
  type TokeniseOptions,
} from './tokenise';
export { zooCache, zooCacheFolder, ZOO_CACHE_DEFAULTS, type ZooCacheOptions, type ZooCacheReport } from './cache';
export { buildZoo, BUILD_DEFAULTS, type BuildOptions, type BuildReport } from './builder/build';
export { zooBuildStatus, type ZooBuildStatus, type ShardStatusLine } from './builder/shard-state';
export { ZOO_SPEC_DEFAULTS, DEFAULT_HYPERPARAMETERS, type ZooSpec } from './builder/spec';
export { AXIS_NAMES, PTMZ_AXIS_KEYS, type AxisName } from './ptmz-keys';
export {
  type DatasetName,
  type DatasetSource,
  type ZooDataset,
  type GeneratedZooDataset,
  type CustomZooDataset,
} from './dataset';
export {
  DATA_FILE_DEFAULTS,
  DATA_MODULE_DEFAULTS,
  DATA_MODULES_VARIABLE,
  type DataFileSource,
  type DataModuleSource,
  type DataFormat,
} from './data-source';
export {
  measureZoo,
  mergeZooMeasurements,
  MEASURE_ZOO_DEFAULTS,
  MERGE_ZOO_MEASUREMENTS_DEFAULTS,
  type MeasureZooOptions,
  type MergeZooMeasurementsOptions,
  type MeasurementRow,
} from './measure';
export { MEASUREMENT_KINDS, type MeasurementKind } from './measurement-files';
export { parseShard, shardItems, shardItemsBy, formatShard, WHOLE, type Shard } from './shard';
export { zooPreset, ZOO_PRESETS, ZOO_PRESET_DEFAULTS, type ZooPresetOptions } from './presets';
