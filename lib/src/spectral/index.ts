// Public surface of weightlab's spectral analysis (HTSR / SETOL layer-quality metrics the way
// WeightWatcher 0.7.5.5 computes them), re-exported by the package root.

export { analyze, type AnalyzeInput, type AnalyzeOptions } from './analyze';
export { HtsrResult, skippedLine, type LayerAnalysis, type SkippedLayer, type HtsrSummary, type ColumnTable } from './result';
export { esdPlot, alphaPlot, EsdPlot, logHistogram, type EsdPlotOptions, type AlphaPlotOptions } from './plots';
export { symmetricEigenvalues, squaredSingularValues, layerSpectrum, WEAK_RANK_TOLERANCE, type EigenEngine, type SvdMethod, type Spectrum } from './esd';
export { fitPowerLaw, fitClippedPowerLaw, fittableEigenvalues, trainingWarning, PowerLawFitError, EVALS_THRESHOLD, OVER_TRAINED_THRESHOLD, UNDER_TRAINED_THRESHOLD, type PowerLawFit, type ClippedFit } from './powerlaw';
export { fitPowerlawPackage, fitTruncatedPowerLaw, xminPeakRange, type PowerlawPackageFit, type PowerlawDistribution } from './powerlaw-package';
export { upperIncompleteGammaNegative } from './powerlaw-gamma';
export { fitMarchenkoPastur, marchenkoPasturDensity, marchenkoPasturEdges, type MarchenkoPasturFit } from './marchenko-pastur';
export { normMetrics, matrixRank, matrixEntropy, detX, rescaleEigenvalues, jensenShannonDistance, type NormMetrics, type DetX } from './metrics';
export { layerMatrices, layerDimensions, sizeSkipReason, type LayerType, type LayerMatrix, type LayerMatrices, type SizeFilter } from './matrices';
export { COLUMNS as HTSR_COLUMNS, snakeName, camelName } from './columns';
