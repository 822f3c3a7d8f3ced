// Phase analysis of zoos: per-cell metrics, the phase classifier, the phase diagram.
export * from './table';
export * from './metrics';
export * from './classify';
export * from './diagram';
