// The eigensolver machinery behind the spectral analysis (weightlab/internal only): symmetric
// eigenvalues and squared singular values on the engine the one rule of backend/engine.ts picks.
// The solvers themselves (one- and two-thread wasm, plain JS, Jacobi SVD) are reached by their
// module paths (weightlab/dist/eigen/...) in tests and benchmarks.

export {
  symmetricEigenvalues,
  squaredSingularValues,
  resolveEigenEngine,
  type EigenEngine,
  type SvdMethod,
  type SolverMatrix,
} from './solve';
