// The generate namespace: weight generators trained on a zoo (flow matching, hypernetworks, latent
// diffusion, autoregressive, mixture growth, weight fields), the standard baselines, and their
// evaluation on a task. Each factory's defaults are a public constant (FLOW_MATCHING_DEFAULTS, ...)
// and every built-in generator offers getParams()/setParams(). The linear algebra the generators
// use underneath (PCA, eigensolvers) stays internal.
export { flowMatching, FlowMatchingGenerator, FLOW_MATCHING_DEFAULTS, type FlowMatchingOptions } from './flow-matching';
export {
  hypernetwork,
  HypernetworkGenerator,
  HYPERNETWORK_DEFAULTS,
  type HypernetworkOptions,
  type HypernetworkKind,
} from './hypernetwork';
export {
  latentDiffusion,
  datasetEmbedding,
  LatentDiffusionGenerator,
  LATENT_DIFFUSION_DEFAULTS,
  type LatentDiffusionOptions,
} from './latent-diffusion';
export {
  autoregressive,
  AutoregressiveGenerator,
  AUTOREGRESSIVE_DEFAULTS,
  type AutoregressiveOptions,
} from './autoregressive';
export {
  mixtureGrowth,
  MixtureGrowthGenerator,
  MIXTURE_GROWTH_DEFAULTS,
  type MixtureGrowthOptions,
} from './mixture-growth';
export { weightField, WeightFieldGenerator, WEIGHT_FIELD_DEFAULTS, type WeightFieldOptions } from './weight-field';
export {
  standardBaselines,
  STANDARD_BASELINES_DEFAULTS,
  ZooNoiseBaseline,
  ZOO_NOISE_DEFAULTS,
  AlignedAverageBaseline,
  ConvexCombinationBaseline,
  GaussianPcaBaseline,
  GAUSSIAN_PCA_DEFAULTS,
  RandomInitBaseline,
  type StandardBaselinesOptions,
  type BaselineOptions,
  type ZooNoiseOptions,
  type GaussianPcaOptions,
} from './baselines';
export {
  ConfiguredGenerator,
  FIT_DEFAULTS,
  type ZooInput,
  type WeightGenerator,
  type GeneratorFamily,
  type FitOptions,
} from './types';
export { evaluateGenerator, EVALUATE_GENERATOR_DEFAULTS, type EvaluateGeneratorOptions } from './evaluate/evaluate';
export {
  compareGenerators,
  COMPARE_GENERATORS_DEFAULTS,
  GeneratorComparison,
  GeneratorEvaluation,
  type CompareGeneratorsOptions,
  type GeneratorComparisonRow,
  type GeneratorEvaluationData,
  type AccuracySummary,
  type ReferenceSummary,
} from './evaluate/report';
export {
  classificationTask,
  CLASSIFICATION_TASK_DEFAULTS,
  type EvaluationTask,
  type ClassificationTaskOptions,
} from './evaluate/task';
export { disagreement } from './evaluate/behaviour';
export { mlpLogits, argmaxRows, type ClassificationData } from './evaluate/mlp-classifier';
