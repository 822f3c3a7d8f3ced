// The landscape namespace: representation similarity (CKA), mode connectivity along linear and
// Bezier paths, and Hessian spectra (top eigenvalues, trace, density) of a network's loss.
// Each verb's defaults are exported next to it (`landscape.BEZIER_DEFAULTS`, ...).
export {
  cka,
  linearCKA,
  representation,
  CKA_DEFAULTS,
  type Representation,
  type CkaKind,
  type CkaOptions,
} from './cka';
export {
  modeConnectivity,
  lossBarrier,
  fitBezierCurve,
  linearPath,
  bezierPath,
  BEZIER_DEFAULTS,
  MODE_CONNECTIVITY_DEFAULTS,
  type PathPoint,
  type BezierOptions,
  type ModeConnectivityOptions,
} from './connectivity';
export {
  topEigenvalues,
  hutchinsonTrace,
  lanczosDensity,
  POWER_ITERATION_DEFAULTS,
  TRACE_DEFAULTS,
  DENSITY_DEFAULTS,
  type HessianOperator,
  type EigenEstimate,
  type TraceEstimate,
  type SpectralDensity,
  type PowerIterationOptions,
  type TraceOptions,
  type DensityOptions,
} from './hessian';
export { networkHessian, taskHessian } from './mlp-hessian';
