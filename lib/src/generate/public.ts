// The generate namespace: weight generators trained on a zoo (flow matching, hypernetworks, latent
// diffusion, autoregressive, mixture growth, weight fields), the standard baselines, and their
// evaluation on a task.
export { flowMatching, FlowMatchingGenerator, type FlowMatchingOptions } from './flow-matching';
export { hypernetwork, HypernetworkGenerator, type HypernetworkOptions, type HypernetworkKind } from './hypernetwork';
export { latentDiffusion, datasetEmbedding, LatentDiffusionGenerator, type LatentDiffusionOptions } from './latent-diffusion';
export { autoregressive, AutoregressiveGenerator, type AutoregressiveOptions } from './autoregressive';
export { mixtureGrowth, MixtureGrowthGenerator, type MixtureGrowthOptions } from './mixture-growth';
export { weightField, WeightFieldGenerator, type WeightFieldOptions } from './weight-field';
export { standardBaselines } from './baselines';
export { type ZooInput, type WeightGenerator, type GeneratorFamily, type FitOptions } from './types';
export { evaluateGenerator, type EvaluateGeneratorOptions } from './evaluate/evaluate';
export { compareGenerators, GeneratorComparison, GeneratorEvaluation } from './evaluate/report';
export { classificationTask, type EvaluationTask, type ClassificationTaskOptions } from './evaluate/task';
export { disagreement } from './evaluate/behaviour';
export { mlpLogits, argmaxRows } from './evaluate/mlp-classifier';
