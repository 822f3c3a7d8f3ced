// The zoo builder: grid specs, per-model training jobs, the parallel build.
export * from './spec';
export * from './train-job';
export * from './build';
export * from './shard-state';
