// The spectral namespace: HTSR/SETOL layer-quality analysis the way WeightWatcher computes it, its
// per-layer table (WeightWatcher's column names) and plots, and the fits and spectra behind it.
// The eigensolver machinery (../eigen) and the WeightWatcher-porting details are internal.
export {
  analyze,
  ANALYZE_DEFAULTS,
  describe,
  DESCRIBE_DEFAULTS,
  type AnalyzeInput,
  type AnalyzeOptions,
  type DescribeOptions,
} from './analyze';
export { type HtsrRow, type DescribeRow } from './columns';
export { HtsrResult, type LayerAnalysis, type SkippedLayer, type HtsrSummary } from './result';
export {
  esdPlot,
  alphaPlot,
  EsdPlot,
  ESD_PLOT_DEFAULTS,
  ALPHA_PLOT_DEFAULTS,
  type EsdPlotOptions,
  type AlphaPlotOptions,
  type EsdPlotPayload,
} from './plots';
export {
  fitPowerLaw,
  FIT_POWER_LAW_DEFAULTS,
  PowerLawFitError,
  type PowerLawFit,
  type FitPowerLawOptions,
} from './powerlaw';
export { fitMarchenkoPastur, marchenkoPasturDensity, type MarchenkoPasturFit } from './marchenko-pastur';
export { layerSpectrum, LAYER_SPECTRUM_DEFAULTS, type Spectrum, type LayerSpectrumOptions } from './esd';
export {
  layerMatrices,
  LAYER_MATRICES_DEFAULTS,
  type LayerMatrices,
  type LayerMatrix,
  type LayerMatricesOptions,
  type LayerType,
} from './matrices';
