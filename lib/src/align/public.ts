// The align namespace: permutation symmetries of networks (Git Re-Basin weight matching), aligning
// a whole zoo to a reference, and averaging aligned models.
export { weightMatching, type WeightMatchingOptions, type WeightMatchingResult } from './weight-matching';
export { alignZoo, alignedAverage, type AlignZooOptions, type AlignedZoo, type AlignedAverageOptions } from './zoo';
export { mlpPermutationSpec, permutationSpec, resnetBlockSpec, type PermutationSpec, type Permutations } from './permutation-spec';
export { applyPermutations } from './permute';
