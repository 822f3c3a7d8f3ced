// The align namespace: permutation symmetries of networks (Git Re-Basin weight matching), aligning
// a whole zoo to a reference, averaging aligned models, and comparing two models layer by layer
// (optionally aligned first). Each verb's defaults are a public constant (WEIGHT_MATCHING_DEFAULTS,
// ALIGN_ZOO_DEFAULTS, ALIGNED_AVERAGE_DEFAULTS, COMPARE_MODELS_DEFAULTS).
export {
  weightMatching,
  WEIGHT_MATCHING_DEFAULTS,
  type WeightMatchingOptions,
  type WeightMatchingResult,
} from './weight-matching';
export {
  alignZoo,
  alignedAverage,
  ALIGN_ZOO_DEFAULTS,
  ALIGNED_AVERAGE_DEFAULTS,
  type AlignZooOptions,
  type AlignedZoo,
  type AlignedAverageOptions,
  type BatchNormStatistics,
} from './zoo';
export {
  mlpPermutationSpec,
  permutationSpec,
  resnetBlockSpec,
  type PermutationSpec,
  type Permutations,
} from './permutation-spec';
export { applyPermutations } from './permute';
export {
  compareModels,
  compareCheckpoints,
  ModelComparison,
  COMPARE_MODELS_DEFAULTS,
  type CompareModelsOptions,
  type ComparisonRow,
  type ComparisonSummary,
} from './compare';
