// lib/align: Git Re-Basin weight matching and the zoo operations built on it.
export * from './assignment';
export * from './permutation-spec';
export * from './permute';
export * from './weight-matching';
export * from './zoo';
export * from './compare';
