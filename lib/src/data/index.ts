// Datasets for zoos: the bundled digits and the seeded synthetic tasks.
export * from './dataset';
export * from './digits';
export * from './synthetic';
