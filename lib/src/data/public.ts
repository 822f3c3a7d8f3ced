// The data namespace: the bundled datasets (UCI digits) and synthetic tasks, as Dataset objects.
export { dataset, subsample, standardize, withLabelNoise, splitDataset, type Dataset, type DatasetSplit } from './dataset';
export { digits } from './digits';
export { teacherStudent, gaussianBlobs, twoMoons, spirals, parity, modularAddition, convectionProblem, type SyntheticOptions, type ConvectionProblem } from './synthetic';
