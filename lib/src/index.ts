// weightlab's public surface, chosen name by name: the verbs a notebook user calls, grouped into
// namespaces by concept (`spectral.analyze`, `zoo.openZoo`, ...), and the most used of them also as
// flat names. The kernel preloads exactly these, so every cell can call `analyze(...)` or
// `spectral.analyze(...)` with no import. Everything else is machinery, reachable for tests and
// tools as `weightlab/internal`. A checked-in report (lib/api.md) lists this surface; a test fails
// when a name is added or removed without updating it (`npm run api`).

import * as io from './io/public';
import * as zoo from './zoo/public';
import * as spectral from './spectral/public';
import * as landscape from './landscape/public';
import * as phases from './phases/public';
import * as bias from './bias/public';
import * as align from './align/public';
import * as generate from './generate/public';
import * as manifold from './manifold/public';
import * as backend from './backend/public';
import * as data from './data/public';
import * as train from './train/public';
import * as statistics from './statistics/public';
import * as predict from './predict/public';
import * as widgets from './widgets/public';

export {
  io,
  zoo,
  spectral,
  landscape,
  phases,
  bias,
  align,
  generate,
  manifold,
  backend,
  data,
  train,
  statistics,
  predict,
  widgets,
};
export { display } from './display/public';
export { save, type SaveOptions } from './display/save';
// ipywidgets' habit: `interact((width) => plot(width), { width: slider({ min: 1, max: 64 }) })`.
export { interact, slider, dropdown, checkbox } from './widgets/public';

// Errors: every error weightlab throws on purpose is a WeightlabError with `code` and `details`.
export {
  WeightlabError,
  FormatError,
  ShapeError,
  DTypeError,
  ArgumentError,
  InterruptedError,
  NumericalError,
  type ErrorDetails,
} from './errors';

// Tensors, weights, randomness, progress and the result table every tabular verb returns.
export { Tensor, matrix, type Shape, type Matrix } from './tensor/tensor';
export { type DType } from './tensor/dtype';
export { WeightSet } from './weights/weight-set';
export { rng, Rng } from './random/rng';
export { progress, Progress } from './progress/progress';
export { ResultTable, type SortKey } from './table/result-table';

// The most used verbs, also flat.
export {
  readWeights,
  loadWeights,
  readSafetensors,
  writeSafetensors,
  readTorch,
  readNpy,
  writeNpy,
  readNpz,
  readTfjs,
} from './io/public';
export { openZoo, buildZoo, zooPreset, zooCache, Zoo, type ZooSpec } from './zoo/public';
export { digits, dataset, type Dataset } from './data/public';
export { mlp, trainMlp, cnn } from './train/public';
export {
  analyze,
  esdPlot,
  alphaPlot,
  esdGrid,
  svdSmoothing,
  svdSharpness,
  HtsrResult,
  type AnalyzeOptions,
  type HtsrRow,
} from './spectral/public';
export {
  cka,
  modeConnectivity,
  topEigenvalues,
  hutchinsonTrace,
  hessianByLayer,
  lossSurface,
} from './landscape/public';
export { phaseMetrics, classifyPhases, phaseDiagram, type PhaseTable } from './phases/public';
export {
  inductiveBias,
  compareInductiveBias,
  teacherTask,
  kernelHypothesisSpace,
  networkHypothesisSpace,
} from './bias/public';
export { weightMatching, alignZoo, alignedAverage, compareModels } from './align/public';
export {
  flowMatching,
  hypernetwork,
  latentDiffusion,
  autoregressive,
  mixtureGrowth,
  weightField,
  standardBaselines,
  evaluateGenerator,
  compareGenerators,
} from './generate/public';
export { weightManifold } from './manifold/public';
export { predictProperty, PropertyPrediction } from './predict/public';
export { backendInfo, gram, matmul, hessianVectorProduct } from './backend/public';
