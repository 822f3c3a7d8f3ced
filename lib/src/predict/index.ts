// Everything of the predict area, for weightlab/internal (tests, bench).
export * from './predict';
export * from './features';
export * from './splits';
export * from './metrics';
export * from './predictors';
