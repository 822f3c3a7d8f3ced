// The statistics namespace: what a notebook needs to state a claim as a statistic over seeds or
// models, with its interval or test (`statistics.spearman(alpha, accuracy)`), all in float64.
export { rank } from './rank';
export { pearson, spearman, partialSpearman, CORRELATION_DEFAULTS, type Correlation, type CorrelationOptions } from './correlation';
export { meanInterval, binomialInterval, INTERVAL_DEFAULTS, type MeanInterval, type BinomialInterval, type IntervalOptions } from './intervals';
export { pairedTest, PAIRED_TEST_DEFAULTS, type PairedTest, type PairedTestOptions } from './paired';
export { trendTest, TREND_TEST_DEFAULTS, type TrendTest, type TrendTestOptions } from './trend';
export { studentTCdf, studentTQuantile, regularizedIncompleteBeta } from './distributions';
export { type Alternative, type Sample } from './samples';
