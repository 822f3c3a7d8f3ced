// The bias namespace: the inductive bias of a model class on a task, in bits (the amount of
// information needed to specify a well-generalising hypothesis), its hypothesis spaces and tasks.
export { inductiveBias, InductiveBiasResult, type InductiveBiasOptions } from './inductive-bias';
export { compareInductiveBias, inductiveBiasByDimension, separated, InductiveBiasComparison, InductiveBiasByDimension } from './compare';
export { teacherTask, taskData, type Task, type TaskData, type TeacherTaskOptions } from './tasks';
export { kernelHypothesisSpace, type KernelSpaceOptions } from './kernel-space';
export { networkHypothesisSpace, type NetworkSpaceOptions } from './network-space';
export { randomFeatureHypothesisSpace, type RandomFeatureSpaceOptions } from './random-feature-space';
export { type HypothesisSpace, type HypothesisSample } from './hypothesis-space';
export { estimateInductiveBias, type EstimatorOptions, type InductiveBiasEstimate } from './estimator';
