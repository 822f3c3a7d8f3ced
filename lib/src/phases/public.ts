// The phases namespace: per-cell metrics of a trained zoo grid (accuracy, generalisation gap,
// mode connectivity, CKA, Hessian), the phase rules of Yang et al. (2021), and the phase diagram.
export { phaseMetrics, PHASE_METRICS_DEFAULTS, type PhaseMetricsOptions } from './metrics';
export { classifyPhases, DEFAULT_PHASE_THRESHOLDS, PHASE_DESCRIPTIONS, type PhaseThresholds } from './classify';
export { phaseDiagram, PhaseDiagram } from './diagram';
export { PhaseTable, type PhaseRow, type PhaseAxes, type ModelProblem } from './table';
