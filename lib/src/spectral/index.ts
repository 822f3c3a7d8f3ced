// Everything of weightlab's spectral analysis (HTSR / SETOL layer-quality metrics the way
// WeightWatcher 0.7.5.5 computes them), for weightlab/internal; the public part is ./public.ts.

export {
  analyze,
  ANALYZE_DEFAULTS,
  describe,
  DESCRIBE_DEFAULTS,
  type AnalyzeInput,
  type AnalyzeOptions,
  type DescribeOptions,
  type ResolvedAnalyzeOptions,
} from './analyze';
export { HtsrResult, skippedLine, type LayerAnalysis, type SkippedLayer, type HtsrSummary } from './result';
export { HTSR_COLUMNS, DESCRIBE_COLUMNS, type HtsrRow, type DescribeRow } from './columns';
export {
  esdPlot,
  alphaPlot,
  esdGrid,
  EsdPlot,
  EsdGrid,
  logHistogram,
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
  layerSpectrum,
  layerSpectra,
  WEAK_RANK_TOLERANCE,
  LAYER_SPECTRUM_DEFAULTS,
  type Spectrum,
  type LayerSpectrumOptions,
} from './esd';
export {
  fitPowerLaw,
  fitSortedPowerLaw,
  FIT_POWER_LAW_DEFAULTS,
  type FitPowerLawOptions,
  fitClippedPowerLaw,
  fittableEigenvalues,
  trainingWarning,
  PowerLawFitError,
  EVALS_THRESHOLD,
  OVER_TRAINED_THRESHOLD,
  UNDER_TRAINED_THRESHOLD,
  type PowerLawFit,
  type ClippedFit,
} from './powerlaw';
export {
  fitPowerlawPackage,
  fitTruncatedPowerLaw,
  xminPeakRange,
  type PowerlawPackageFit,
  type PowerlawDistribution,
} from './powerlaw-package';
export { upperIncompleteGammaNegative } from './powerlaw-gamma';
export {
  fitMarchenkoPastur,
  marchenkoPasturDensity,
  marchenkoPasturEdges,
  type MarchenkoPasturFit,
} from './marchenko-pastur';
export {
  normMetrics,
  matrixRank,
  matrixEntropy,
  detX,
  rescaleEigenvalues,
  jensenShannonDistance,
  type NormMetrics,
  type DetX,
} from './metrics';
export {
  layerMatrices,
  layerDimensions,
  sizeSkipReason,
  glorotFactor,
  realFourierTransform,
  LAYER_MATRICES_DEFAULTS,
  type LayerMatricesOptions,
  type LayerType,
  type LayerMatrix,
  type LayerMatrices,
  type SizeFilter,
} from './matrices';
export {
  svdSmoothing,
  svdSharpness,
  keepSingularTriplets,
  SVD_SMOOTHING_DEFAULTS,
  SVD_SHARPNESS_DEFAULTS,
  type SvdEditInput,
  type SmoothingMethod,
  type SvdSmoothingOptions,
  type SvdSharpnessOptions,
  type SvdEditRow,
} from './svd-edit';
export {
  alignMatrices,
  analysisUnits,
  type AnalysisUnit,
  type IteratedLayer,
  type IteratorSettings,
} from './iterators';
export {
  vectorColumns,
  discreteEntropy,
  histogramDensity,
  localizationRatio,
  participationRatio,
  type VectorColumns,
} from './vectors';
