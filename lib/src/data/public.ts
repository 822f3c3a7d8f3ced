// The data namespace: the bundled datasets (UCI digits, real MNIST from the mnist package) and synthetic tasks, as Dataset objects.
// Each generator's defaults are exported next to it (`data.SPIRALS_DEFAULTS`, ...).
export {
  dataset,
  subsample,
  standardize,
  withLabelNoise,
  splitDataset,
  SPLIT_DEFAULTS,
  type Dataset,
  type DatasetSplit,
  type SplitOptions,
} from './dataset';
export { digits } from './digits';
export { mnist, MNIST_DEFAULTS, type MnistOptions } from './mnist';
export {
  teacherStudent,
  gaussianBlobs,
  twoMoons,
  spirals,
  parity,
  modularAddition,
  convectionProblem,
  TEACHER_STUDENT_DEFAULTS,
  GAUSSIAN_BLOBS_DEFAULTS,
  TWO_MOONS_DEFAULTS,
  SPIRALS_DEFAULTS,
  PARITY_DEFAULTS,
  MODULAR_ADDITION_DEFAULTS,
  CONVECTION_DEFAULTS,
  type SyntheticOptions,
  type TeacherStudentOptions,
  type GaussianBlobsOptions,
  type TwoMoonsOptions,
  type SpiralsOptions,
  type ParityOptions,
  type ModularAdditionOptions,
  type ConvectionOptions,
  type ConvectionProblem,
} from './synthetic';
