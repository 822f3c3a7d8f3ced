// The landscape namespace: representation similarity (CKA), mode connectivity along linear and
// Bezier paths, and Hessian spectra (top eigenvalues, trace, density) of a network's loss.
export { cka, linearCKA, representation, type Representation, type CkaKind } from './cka';
export { modeConnectivity, lossBarrier, fitBezierCurve, linearPath, bezierPath, type PathPoint, type BezierOptions } from './connectivity';
export { topEigenvalues, hutchinsonTrace, lanczosDensity, type HessianOperator, type EigenEstimate, type TraceEstimate, type SpectralDensity, type PowerIterationOptions, type TraceOptions, type DensityOptions } from './hessian';
export { networkHessian, taskHessian } from './mlp-hessian';
