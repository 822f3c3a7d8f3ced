// The predict namespace: learn a model property (test accuracy, generalisation gap) from a zoo's
// weights with model-level splits, baselines and bootstrap intervals (`predict.predictProperty`),
// and the pieces it is made of, for a notebook that wants to score its own predictor.
export {
  predictProperty,
  PropertyPrediction,
  PREDICT_PROPERTY_DEFAULTS,
  type PredictPropertyOptions,
  type PredictorName,
  type PredictionRow,
  type TestPredictionRow,
  type PairedDifference,
  type PredictorChoice,
} from './predict';
export { FEATURE_SETS, STATISTICS, HTSR_FEATURES, weightStatistics, type FeatureSetName } from './features';
export { splitByGroup, type GroupSplit } from './splits';
export { rSquared, kendallTau, type BootstrapEstimate } from './metrics';
export { fitRidge, type RidgeFit, type FeatureMatrix } from './predictors';
