// The align namespace: permutation symmetries of networks (Git Re-Basin weight matching), aligning
// a whole zoo to a reference, and averaging aligned models. Each verb's defaults are a public
// constant (WEIGHT_MATCHING_DEFAULTS, ALIGN_ZOO_DEFAULTS, ALIGNED_AVERAGE_DEFAULTS).
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
