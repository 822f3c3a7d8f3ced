// Model zoos: lazy readers for ray-tune, Small CNN Zoo and native weightlab zoos, the Zoo type
// with its Arquero tables, checkpoint filters, and the flat-vector and token views of weights.

export {
  Zoo,
  inferAxes,
  BOOKKEEPING_KEYS,
  ZOO_TABLE_DEFAULTS,
  type ZooKind,
  type ZooModel,
  type ZooRow,
  type ZooModelRow,
  type ZooColumns,
  type ZooCheckpoint,
  type ZooResult,
  type ZooSummary,
  type ZooTableOptions,
  type ZooSkip,
} from './zoo';
export { ZOO_READ_DEFAULTS, type ZooReadOptions } from './zoo-folder';
export {
  checkpointPasses,
  filterReport,
  WEIGHTS_DEFAULTS,
  type CheckpointFilter,
  type FilterReport,
  type WeightsOptions,
} from './filters';
export { readRayTuneZoo, readTrial, epochOffset, CHECKPOINT_FILES } from './ray-tune';
export {
  readNativeZoo,
  writeZooManifest,
  writeZooParams,
  writeZooResults,
  writeZooCheckpoint,
  checkpointFolder,
  ZOO_FORMAT,
  ZOO_FORMAT_VERSION,
  ZOO_MANIFEST,
  type ZooManifest,
} from './native';
export { readSmallCnnZoo, type SmallCnnZooOptions } from './small-cnn-zoo';
export { openZoo, detectZooKind, OPEN_ZOO_DEFAULTS, type OpenZooOptions } from './open-zoo';
export {
  buildIndexDict,
  vectoriseCheckpoint,
  unvectoriseCheckpoint,
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
export { parsePythonJson, parseJsonLines, DEFAULT_JSON_DEPTH, type PythonJsonOptions } from './python-json';
export {
  cacheRoot,
  cacheFolder,
  libraryVersion,
  datasetFingerprint,
  zooCacheKey,
  zooCacheFolder,
  zooCache,
  ZOO_CACHE_DEFAULTS,
  CACHE_DIR_VARIABLE,
  CACHE_COMPLETE_FILE,
  type CacheFolderOptions,
  type DatasetFingerprint,
  type ZooCacheKey,
  type ZooCacheOptions,
  type ZooCacheReport,
} from './cache';
export { canonicalJson, canonicalHash } from './cache-key';
export { AXIS_NAMES, PTMZ_AXIS_KEYS, axisNameOfKey, isAxisName, hyperparametersOf, type AxisName } from './ptmz-keys';
export {
  datasetSplit,
  cellData,
  customDatasetRecord,
  datasetIdentity,
  datasetLabel,
  isCustomDataset,
  recordedSource,
  DATASET_NAMES,
  type DatasetName,
  type DatasetSource,
  type GeneratedZooDataset,
  type CustomZooDataset,
  type ZooDataset,
} from './dataset';
export {
  openDataSource,
  dataFileFormat,
  isDataFileSource,
  isDataModuleSource,
  DATA_FILE_DEFAULTS,
  DATA_MODULE_DEFAULTS,
  DATA_FILE_FORMATS,
  DATA_MODULES_VARIABLE,
  type DataFileSource,
  type DataModuleSource,
  type DataFormat,
  type OpenedData,
} from './data-source';
export { parseShard, checkShard, inShard, shardItems, shardItemsBy, formatShard, WHOLE, type Shard } from './shard';
export {
  measureZoo,
  mergeZooMeasurements,
  MEASURE_ZOO_DEFAULTS,
  MERGE_ZOO_MEASUREMENTS_DEFAULTS,
  type MeasureZooOptions,
  type MergeZooMeasurementsOptions,
  type MeasurementRow,
} from './measure';
export {
  MEASUREMENT_KINDS,
  MEASUREMENTS_FOLDER,
  MAX_MEASUREMENT_BYTES,
  JOIN_PREFIX,
  mergedFile,
  shardFile,
  readMeasurement,
  writeMeasurement,
  joinMeasurements,
  type MeasurementKind,
  type MeasurementHeader,
  type MeasurementTable,
} from './measurement-files';
