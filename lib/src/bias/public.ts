// The bias namespace: the inductive bias of a model class on a task, in bits (the amount of
// information needed to specify a well-generalising hypothesis), its hypothesis spaces and tasks.
// Each verb's defaults are exported next to it (`bias.INDUCTIVE_BIAS_DEFAULTS`, ...).
export {
  inductiveBias,
  InductiveBiasResult,
  INDUCTIVE_BIAS_DEFAULTS,
  type InductiveBiasOptions,
  type InductiveBiasRow,
} from './inductive-bias';
export {
  compareInductiveBias,
  inductiveBiasByDimension,
  separated,
  InductiveBiasComparison,
  InductiveBiasByDimension,
} from './compare';
export { teacherTask, TEACHER_TASK_DEFAULTS, type Task, type TeacherTaskOptions } from './tasks';
export { kernelHypothesisSpace, KERNEL_SPACE_DEFAULTS, type KernelSpaceOptions } from './kernel-space';
export { type KernelName } from './kernels';
export { networkHypothesisSpace, NETWORK_SPACE_DEFAULTS, type NetworkSpaceOptions } from './network-space';
export {
  randomFeatureHypothesisSpace,
  RANDOM_FEATURE_SPACE_DEFAULTS,
  type RandomFeatureSpaceOptions,
} from './random-feature-space';
// What a custom hypothesis space implements (the three above are examples).
export { type HypothesisSpace, type HypothesisSample, type SamplingContext } from './hypothesis-space';
export { type TaskData } from './tasks';
export {
  estimateInductiveBias,
  ESTIMATOR_DEFAULTS,
  type EstimatorOptions,
  type InductiveBiasEstimate,
} from './estimator';
