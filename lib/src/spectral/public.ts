// The spectral namespace: HTSR/SETOL layer-quality analysis the way WeightWatcher computes it, its
// per-layer table (WeightWatcher's column names) and plots, the fits and spectra behind it, and
// WeightWatcher's SVD smoothing / sharpness edits of a model.
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
  esdGrid,
  EsdPlot,
  EsdGrid,
  ESD_PLOT_DEFAULTS,
  ALPHA_PLOT_DEFAULTS,
  ESD_GRID_DEFAULTS,
  type EsdGridOptions,
  type EsdGridPanel,
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
export {
  svdSmoothing,
  svdSharpness,
  SVD_SMOOTHING_DEFAULTS,
  SVD_SHARPNESS_DEFAULTS,
  type SvdEditInput,
  type SmoothingMethod,
  type SvdSmoothingOptions,
  type SvdSharpnessOptions,
  type SvdEditRow,
} from './svd-edit';
