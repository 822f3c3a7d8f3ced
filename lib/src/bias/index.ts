// Inductive-bias estimation (Boopathy et al., IJCAI 2024): hypothesis samplers, the scaled
// non-central chi-squared error model, the estimator and its comparisons.
export * from './noncentral-chi-squared';
export * from './fit';
export * from './diagnostics';
export * from './estimator';
export * from './tasks';
export * from './kernels';
export * from './hypothesis-space';
export * from './kernel-space';
export * from './network-space';
export * from './random-feature-space';
export * from './chart';
export * from './inductive-bias';
export * from './compare';
