// The train namespace: small networks (MLP, CNN, PINN) and the trainers the zoo builder uses.
export { mlp, toWeightSet, fromWeightSet, initialParameters, type MlpArchitecture, type MlpActivation } from './mlp';
export { trainMlp, trainNetwork, type TrainingJob, type EpochRecord, type TrainingHooks } from './sgd';
export { cnn, type CnnArchitecture } from './cnn';
export { buildNetwork, type NetworkArchitecture, type Network } from './network';
export { pinnArchitecture, pinnTask } from './pinn';
