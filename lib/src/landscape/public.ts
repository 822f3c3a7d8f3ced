// The landscape namespace: representation similarity (CKA), mode connectivity along linear and
// Bezier paths, Hessian spectra (top eigenvalues, trace, density) of a network's loss, whole or
// per layer (`hessianByLayer`: the diagonal block of each layer's parameters), and 2-D
// loss surfaces and 1-D slices along filter-normalised random or trajectory-PCA directions.
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
export {
  hessianByLayer,
  LayerHessian,
  HESSIAN_BY_LAYER_DEFAULTS,
  type HessianByLayerOptions,
  type HessianGrouping,
  type LayerHessianRow,
} from './layer-hessian';
export {
  lossSurface,
  normalizeDirection,
  trajectoryDirections,
  LossSurface,
  LOSS_SURFACE_DEFAULTS,
  SURFACE_CHART_DEFAULTS,
  type LossSurfaceOptions,
  type SurfaceChartOptions,
  type SurfaceDirections,
  type DirectionNormalization,
  type SurfaceRow,
  type TrajectoryRow,
} from './surface';
