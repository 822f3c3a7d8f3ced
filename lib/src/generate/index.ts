// lib/generate: weight generators behind one interface (fit(zoo) then sample(n, seed)), the
// baselines they must beat, and the evaluation protocol of Zeng et al. 2025 (lib/generate/evaluate).
export * from './types';
export * from './zoo-input';
export * from './weight-space';
export * from './pca';
export * from './flow-matching';
export * from './evaluate/mlp-classifier';
export * from './baselines';
export * from './evaluate/task';
export * from './evaluate/behaviour';
export * from './evaluate/novelty';
export * from './evaluate/evaluate';
export * from './evaluate/report';
export { symmetricEigen, type SymmetricEigen } from './linear-algebra';
export * from './hypernetwork';
export {
  generatedMlpLogits,
  generatedMlpLoss,
  initScale,
  mlpLayout,
  predictionSpread,
  SPREAD_FLOOR,
  type MlpLayout,
} from './task-objective';
export * from './weight-field';
export * from './mixture-growth';
export * from './latent-diffusion';
export * from './autoregressive';
