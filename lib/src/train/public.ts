// The train namespace: small networks (MLP, CNN, PINN), their parameters as weight sets, and the
// trainer the zoo builder uses. The workspaces, forward and backward passes stay internal.
export { mlp, toWeightSet, fromWeightSet, initialParameters, type MlpArchitecture, type MlpActivation } from './mlp';
export {
  trainMlp,
  trainNetwork,
  TRAINING_JOB_DEFAULTS,
  type TrainingJob,
  type EpochRecord,
  type TrainingHooks,
} from './sgd';
export { cnn, CNN_DEFAULTS, type CnnArchitecture, type CnnOptions } from './cnn';
export { type NetworkArchitecture } from './network';
export { type TrainingEngine } from './jax-engine';
export { pinnArchitecture, pinnTask } from './pinn';
export { supervisedTask, type TrainingTask } from './task';
