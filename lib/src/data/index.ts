// Datasets for zoos: the bundled digits, real MNIST and the seeded synthetic tasks.
export * from './dataset';
export * from './digits';
export * from './mnist';
export * from './synthetic';
