// The spectral namespace: HTSR/SETOL layer-quality analysis the way WeightWatcher computes it, and
// its plots. The eigensolver machinery behind it is internal.
export { analyze, type AnalyzeInput, type AnalyzeOptions } from './analyze';
export { HtsrResult, type LayerAnalysis, type SkippedLayer, type HtsrSummary } from './result';
export { esdPlot, alphaPlot, EsdPlot, type EsdPlotOptions, type AlphaPlotOptions } from './plots';
export { fitPowerLaw, PowerLawFitError, type PowerLawFit } from './powerlaw';
export { fitMarchenkoPastur, marchenkoPasturDensity, type MarchenkoPasturFit } from './marchenko-pastur';
export { layerSpectrum, symmetricEigenvalues, squaredSingularValues, type Spectrum } from './esd';
