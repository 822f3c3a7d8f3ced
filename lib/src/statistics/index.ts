// Statistics for claims that must hold beyond one seed: ranks, correlations with intervals,
// mean and proportion intervals, paired and trend tests, and the distributions behind them.
export * from './samples';
export * from './distributions';
export * from './rank';
export * from './correlation';
export * from './intervals';
export * from './paired';
export * from './trend';
