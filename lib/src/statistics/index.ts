// Statistics for claims that must hold beyond one seed: ranks, correlations with intervals,
// mean and proportion intervals, paired and trend tests, and the distributions behind them.
// The input checks in samples.ts stay private to this folder (generic names like `mean`); only the types are shared.
export type { Sample, Alternative, TestOptions } from './samples';
export * from './distributions';
export * from './rank';
export * from './correlation';
export * from './intervals';
export * from './paired';
export * from './trend';
