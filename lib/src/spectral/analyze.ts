// analyze(model, options): WeightWatcher's per-layer HTSR/SETOL analysis (WeightWatcher.analyze;
// fit 'PL' / 'TPL' / 'E_TPL' by WWFit or the powerlaw package; pooled layers, or the rows of its other
// layer iterators: pool=False slices, intra, peft, see iterators.ts), returning a per-layer table. Steps
// per row, in WeightWatcher's order: matrices (glorotFix / conv2dNorm scaling, fft) → ESD → power-law fit →
// MP fit → randomized ESD → detX → norms. describe(model, options): the same layer selection, no
// eigenvalue computed (WeightWatcher.describe).

import { ArgumentError, InterruptedError, NumericalError } from '../errors';
import { resolveOptions, type OptionDefaults, type ResolvedOptions } from '../options/resolve';
import type { EngineOption } from '../backend/engine';
import { resolveEigenEngine, type EigenEngine, type SvdMethod } from '../eigen/solve';
import { Tensor } from '../tensor/tensor';
import { WeightSet } from '../weights/weight-set';
import type { Layer } from '../weights/layers';
import { rng, type Rng } from '../random/rng';
import { Progress } from '../progress/progress';
import { layerDimensions, layerTypeOf, sizeSkipReason, type LayerType } from './matrices';
import { layerSpectra, WEAK_RANK_TOLERANCE, type Spectrum } from './esd';
import { analysisUnits, type AnalysisUnit } from './iterators';
import { vectorColumns } from './vectors';
import {
  fitClippedPowerLaw,
  fitSortedPowerLaw,
  fittableEigenvalues,
  PowerLawFitError,
  trainingWarning,
  type PowerLawFit,
} from './powerlaw';
import {
  fitPowerlawPackage,
  xminPeakRange,
  type PowerlawDistribution,
  type PowerlawPackageFit,
} from './powerlaw-package';
import { detX, jensenShannonDistance, normMetrics } from './metrics';
import { FAILED_MP_FIT, fitMarchenkoPastur, type MarchenkoPasturFit } from './marchenko-pastur';
import { randomEigenvalues, replicaCount } from './randomize';
import { HtsrResult, type LayerAnalysis, type SkippedLayer } from './result';
import { DESCRIBE_COLUMNS, type DescribeRow, type HtsrRow } from './columns';
import { ResultTable } from '../table/result-table';

/** What `analyze` accepts: a WeightSet, one weight tensor (2-D Linear (out, in) or 4-D Conv2d (out, in, kh, kw)), or named tensors. */
export type AnalyzeInput = WeightSet | Tensor | Record<string, Tensor>;

/** Options mirroring WeightWatcher's analyze() keywords (defaults are WeightWatcher 0.7.5.5's). */
export interface AnalyzeOptions {
  /**
   * Skip layers with fewer eigenvalues (M·rf) than this; 0 disables.
   * @default 10
   */
  minEvals?: number;
  /**
   * Skip layers with more eigenvalues (M·rf) than this; 0 disables.
   * @default 15000
   */
  maxEvals?: number;
  /**
   * Skip layers whose N exceeds this (e.g. GPT-2's 50257-row embedding).
   * @default 50000
   */
  maxN?: number;
  /**
   * WeightWatcher's min_size: accepted and ignored with a warning, as WeightWatcher 0.7.5.5 does (it
   * was renamed min_evals; use minEvals).
   * @default undefined
   */
  minSize?: number;
  /**
   * WeightWatcher's max_size: accepted and ignored with a warning, as WeightWatcher 0.7.5.5 does (it
   * was renamed max_evals; use maxEvals).
   * @default undefined
   */
  maxSize?: number;
  /**
   * WeightWatcher's glorot_fix: multiply each matrix by sqrt((N + M) / 2) (glorot_norm_fix's 1/kappa,
   * whose rf_size is 1 for pooled layers) in place of the conv2dNorm scaling, so that Glorot-initialised
   * weights have unit-variance entries. WeightWatcher 0.7.5.5's analyze() documents it but stores it
   * under another key (glorot_fit) and never applies it; this is the fix its apply_normalize_Wmats defines.
   * @default false
   */
  glorotFix?: boolean;
  /**
   * WeightWatcher's (experimental) fft: analyse the real part of each matrix's 2-D DFT instead of the
   * matrix; the size filters then count M eigenvalues per layer (rf taken as 1), as WeightWatcher's do.
   * @default false
   */
  fft?: boolean;
  /**
   * WeightWatcher's tolerance: weak_rank_loss counts the eigenvalues below it (0 means the default).
   * @default 1e-6
   */
  tolerance?: number;
  /**
   * WeightWatcher's xmax: a nonzero integer k fits the power law without the top |k| eigenvalues
   * (xmax and num_pl_spikes then describe the clipped ESD; lambda_max and the norms do not change).
   * Where |k| exceeds half the layer's eigenvalues, WeightWatcher instead ends the fitted data at the
   * eigenvalue nearest the number |k| (WWFit's xmax) with plPackage 'ww', and bounds powerlaw's fit by
   * the number |k| with 'powerlaw' (fit 'PL' only: an ArgumentError with TPL, not ported).
   * Not with fixFingers (WeightWatcher rejects the combination). 'force': the powerlaw package's fit
   * bounded by the largest eigenvalue (alpha by fmin, the KS distance on [xmin, xmax]; the xmax column
   * is that eigenvalue), fit 'PL' without fixFingers (the other combinations are not ported); it needs
   * plPackage 'powerlaw', the default with 'force'.
   * @default undefined (no clipping)
   */
  xmax?: number | 'force';
  /**
   * false: no fix; 'clip_xmax': refit without the top eigenvalues when they form "fingers";
   * 'xmin_peak': search xmin only up to 1.5x the peak of the log-ESD histogram (powerlaw package).
   * @default false
   */
  fixFingers?: false | 'clip_xmax' | 'xmin_peak';
  /**
   * xmin_peak: the upper end of the xmin search, WeightWatcher's xmin_max.
   * @default undefined (1.5x the log-ESD histogram's peak)
   */
  xminMax?: number;
  /**
   * The tail distribution: 'PL' power law; 'TPL' truncated power law x^-alpha e^(-Lambda x)
   * (adds the Lambda column; sigma is null); 'E_TPL' = TPL with fixFingers 'xmin_peak'.
   * @default 'PL'
   */
  fit?: 'PL' | 'TPL' | 'E_TPL';
  /**
   * Which fitter: 'ww' (WeightWatcher's own WWFit) or 'powerlaw' (the powerlaw package's Fit: unique
   * xmin candidates, xmax column null; with fixFingers 'clip_xmax' each clipped refit is powerlaw's, for
   * fit 'PL'). Asking for 'ww' where fit or fixFingers need the powerlaw
   * package (TPL, E_TPL, xmin_peak) is an ArgumentError, where WeightWatcher rejects the parameters
   * (TPL) or silently fails every layer with alpha -1 (xmin_peak).
   * @default undefined ('ww', or 'powerlaw' when fit or fixFingers need it)
   */
  plPackage?: 'ww' | 'powerlaw';
  /**
   * clip_xmax: most eigenvalues clipped + 1 (reset to 10 unless >= half the eigenvalues, as WeightWatcher does).
   * @default 10
   */
  maxFingers?: number;
  /**
   * clip_xmax: how far alpha must drop to accept a clipped fit.
   * @default 1.0
   */
  fingerThreshold?: number;
  /**
   * SETOL trace-log condition columns detX_num, detX_val, detX_val_unrescaled and erg_gap.
   * @default false
   */
  detX?: boolean;
  /**
   * Marchenko-Pastur bulk fit: num_spikes, sigma_mp, mp_softrank, W_scale, bulk_max, bulk_min.
   * @default false
   */
  mpFit?: boolean;
  /**
   * Randomized (shuffled) ESD: rand_distance, max_rand_eval, ww_softrank, ww_maxdist and rand_* MP columns.
   * @default false
   */
  randomize?: boolean;
  /**
   * Seed of the randomized ESD's shuffles (each layer draws from its own sub-stream).
   * @default 0
   */
  seed?: number;
  /**
   * Keep only these layers: ids (all >= 0), or drop ids (all < 0); types ('dense', 'conv2d', ...); names, or '-name' to drop.
   * @default undefined (every layer)
   */
  layers?: (number | string)[];
  /**
   * Scale Conv2d slices by sqrt(1/2) (WeightWatcher's conv2d_norm).
   * @default true
   */
  conv2dNorm?: boolean;
  /**
   * First layer id (WeightWatcher numbers state-dict layers from 1).
   * @default 1
   */
  startId?: number;
  /**
   * Eigensolver engine: 'auto' (two wasm threads for orders from 512 when a core is spare, else one
   * wasm thread, else plain JS), or 'parallel', 'wasm', 'js' (an ArgumentError, with the reason,
   * when the requested one cannot run here).
   * @default 'auto'
   */
  engine?: EngineOption<EigenEngine>;
  /**
   * Squared singular values via the Gram matrix ('gram'), one-sided Jacobi ('jacobi'), or 'auto'
   * (Jacobi only for small rank-deficient layers).
   * @default 'auto'
   */
  svd?: SvdMethod;
  /**
   * Show a progress bar: true, false, or 'auto' (when there are 8+ layers or any has 512+ eigenvalues).
   * @default 'auto'
   */
  progress?: boolean | 'auto';
  /**
   * Stops the analysis with an InterruptedError between layers.
   * @default undefined
   */
  signal?: AbortSignal;

  // WeightWatcher's other layer iterators (iterators.ts): what a row of the table is.
  /**
   * WeightWatcher's pool: pool a Conv2d layer's kh·kw slices into one ESD. false: one row per slice
   * (slice_id column, the layer's N, M and rf), each slice scaled by sqrt(kh·kw/2) as WeightWatcher's
   * slice iterator does, and minEvals / maxEvals compared with M instead of M·rf.
   * @default true
   */
  pool?: boolean;
  /**
   * WeightWatcher's deprecated ww2x (its 0.2x slice iterator): true is pool false.
   * @default false
   */
  ww2x?: boolean;
  /**
   * WeightWatcher's intra: the ESD of the product X = W_l·W_{l+1} of each pair of consecutive
   * analysed layers (aligned on their shared dimension, scaled by 1/(‖W_l‖_F ‖W_{l+1}‖_F)), its
   * singular values taken as the eigenvalues as WeightWatcher does; rows named "l X l+1 " with the
   * Xflag column. Not with randomize (WeightWatcher rejects it) nor with peft or pool false (which
   * WeightWatcher would ignore).
   * @default false
   */
  intra?: boolean;
  /**
   * WeightWatcher's sparsify, for intra: put a random 0/1 matrix S between the layers, X = W_l·S·W_{l+1}
   * (a stand-in for a ReLU); S is drawn from `seed`'s stream (WeightWatcher's from numpy's unseeded one).
   * @default true
   */
  sparsify?: boolean;
  /**
   * WeightWatcher's peft, for PEFT LoRA state dicts (base, lora_A, lora_B in that order): true analyses
   * only each adapter's delta B·A (row 'lora_BA', top r eigenvalues); 'with_base' also the base layers and
   * the updated W + B·A (row 'lora_W_plus_AB'). Adds the peft column. The delta is unscaled (no lora_alpha / r),
   * as in WeightWatcher; io.mergeAdapter gives the scaled merged model instead.
   * @default false
   */
  peft?: boolean | 'with_base';
  /**
   * WeightWatcher's vectors: eigenvector localization columns (bulk_/tail_ mean and var of vec_entropy,
   * loc_ratio, part_ratio), from the eigenvectors of W·Wᵀ split at xmin. Not with intra (WeightWatcher
   * rejects it). Diagonalises each matrix by Jacobi: slow for layers with thousands of eigenvalues.
   * @default false
   */
  vectors?: boolean;
}

/** analyze()'s defaults, declared once (WeightWatcher 0.7.5.5's where it has the option). */
export const ANALYZE_DEFAULTS = {
  minEvals: 10,
  maxEvals: 15000,
  maxN: 50000,
  minSize: undefined,
  maxSize: undefined,
  glorotFix: false,
  fft: false,
  tolerance: 1e-6,
  xmax: undefined,
  fixFingers: false,
  xminMax: undefined,
  fit: 'PL',
  plPackage: undefined,
  maxFingers: 10,
  fingerThreshold: 1.0,
  detX: false,
  mpFit: false,
  randomize: false,
  seed: 0,
  layers: undefined,
  conv2dNorm: true,
  startId: 1,
  engine: 'auto',
  svd: 'auto',
  progress: 'auto',
  signal: undefined,
  pool: true,
  ww2x: false,
  intra: false,
  sparsify: true,
  peft: false,
  vectors: false,
} as const satisfies OptionDefaults<AnalyzeOptions>;

/** AnalyzeOptions with every default filled in (what `HtsrResult.options` holds). */
export type ResolvedAnalyzeOptions = ResolvedOptions<AnalyzeOptions, typeof ANALYZE_DEFAULTS>;

const LAYER_TYPES: readonly string[] = ['dense', 'conv1d', 'conv2d', 'embedding', 'norm'];

/** A layer of the model as analyze() numbers and reads it (svd-edit.ts reuses the numbering). */
export interface Candidate {
  id: number;
  name: string;
  layerType: LayerType;
  shape: readonly number[];
  /** Keras / tfjs / TensorFlow kernel layout: (kh, kw, in, out) Conv2D, (k, in, out) Conv1D. */
  channelsFirst: boolean;
  /** The tensors of the layer (weight, bias, extras), for the skip list. */
  tensors: string[];
  /** Why the layer cannot be analysed whatever the filters, when it cannot. */
  unsupported?: string;
  load(): Tensor;
}

/** Why a layer of this kind and weight shape has no matrix to analyse, or undefined when it has one. */
function unsupportedReason(layer: Layer, layerType: LayerType, shape: readonly number[]): string | undefined {
  const dims = `[${shape.join(', ')}]`;
  if (layer.kind === 'depthwise')
    return `depthwise kernel ${dims} (one filter per input channel): no in -> out matrix to analyse`;
  if (layer.kind === 'other')
    return `no layer recognised for tensor ${dims} (not a kernel/weight, or an unsupported rank)`;
  if (layerType !== 'unknown') return undefined;
  if (layer.kind === 'conv1d')
    return `PyTorch Conv1d kernel ${dims} (out, in, k): WeightWatcher analyses only 2-D Conv1D weights`;
  return `a ${layer.kind} layer needs a ${layer.kind === 'conv2d' ? '4' : '2'}-D weight, found ${dims}`;
}

/** The model's layers, numbered from `startId`, with WeightWatcher's type and the kernel layout of each. */
export function candidates(model: AnalyzeInput, startId: number): Candidate[] {
  if (model instanceof Tensor) {
    const layerType: LayerType = model.rank === 2 ? 'dense' : model.rank === 4 ? 'conv2d' : 'unknown';
    const unsupported =
      layerType === 'unknown'
        ? `a single tensor must be a 2-D Linear or 4-D Conv2d weight, found [${model.shape.join(', ')}]`
        : undefined;
    return [
      {
        id: startId,
        name: 'weight',
        layerType,
        shape: model.shape,
        channelsFirst: false,
        tensors: ['weight'],
        unsupported,
        load: () => model,
      },
    ];
  }
  const set = model instanceof WeightSet ? model : new WeightSet(model as Record<string, Tensor>);
  return set.layers.map((layer, index) => {
    const { shape } = set.info(layer.weight);
    const keras = layer.convention === 'keras';
    // GPT-2's Conv1D is a PyTorch module storing (in, out); a Keras Dense stores the same and is 'dense'.
    const hfConv1d = layer.layout === 'in-out' && !keras;
    const channelsFirst = keras && layer.layout === 'in-out' && (layer.kind === 'conv2d' || layer.kind === 'conv1d');
    let layerType = layerTypeOf(layer.kind, shape.length, hfConv1d);
    // A torch Conv1d kernel is 3-D (out, in, k): WeightWatcher passes it to a 2-D SVD, which fails.
    // Keras's (k, in, out) is sliced like a Conv2D kernel instead (matrices.ts).
    if (layerType === 'conv1d' && shape.length !== 2 && !(channelsFirst && shape.length === 3)) layerType = 'unknown';
    const tensors = [layer.weight, ...(layer.bias ? [layer.bias] : []), ...Object.values(layer.extras ?? {})];
    return {
      id: startId + index,
      name: layer.name,
      layerType,
      shape,
      channelsFirst,
      tensors,
      unsupported: unsupportedReason(layer, layerType, shape),
      load: () => set.get(layer.weight),
    };
  });
}

/** WeightWatcher's apply_filters: type, id and name filters, applied in that order. */
export function filteredOut(candidate: Candidate, filters: (number | string)[] | undefined): boolean {
  if (!filters || filters.length === 0) return false;
  const ids = filters.filter((f): f is number => typeof f === 'number');
  const types = filters.filter((f): f is string => typeof f === 'string' && LAYER_TYPES.includes(f));
  const names = filters.filter((f): f is string => typeof f === 'string' && !LAYER_TYPES.includes(f));
  let skipped = false;
  if (types.length > 0) skipped = !types.includes(candidate.layerType);
  if (ids.length > 0) skipped = Math.min(...ids) >= 0 ? !ids.includes(candidate.id) : ids.includes(-candidate.id);
  if (names.length > 0) {
    const drops = names.filter((n) => n.startsWith('-'));
    if (drops.length === 0) skipped = !names.includes(candidate.name);
    else if (drops.length === names.length) skipped = drops.includes(`-${candidate.name}`);
    else
      throw new ArgumentError('layer names must all be kept or all be dropped (-name)', {
        field: 'layers',
        found: names.join(', '),
      });
  }
  return skipped;
}

/** Checks the combinations of options WeightWatcher rejects, and the engine asked for, before any work. */
function checkOptions(options: ResolvedAnalyzeOptions): void {
  const { minEvals, maxEvals, maxN } = options;
  resolveFit(options);
  if (options.engine !== 'auto') resolveEigenEngine('analyze', options.engine, 0);
  if (minEvals && maxEvals && minEvals >= maxEvals)
    throw new ArgumentError('minEvals must be below maxEvals', {
      field: 'minEvals',
      found: `${minEvals} >= ${maxEvals}`,
    });
  if (maxN < maxEvals || maxN < minEvals)
    throw new ArgumentError('maxN must be at least maxEvals and minEvals', { field: 'maxN', found: String(maxN) });
  if (!(typeof options.tolerance === 'number' && options.tolerance >= 0))
    throw new ArgumentError('tolerance must be a number >= 0', {
      field: 'tolerance',
      expected: 'an eigenvalue threshold such as 1e-6',
      found: String(options.tolerance),
    });
  const { xmax } = options;
  if (xmax === 'force') {
    // With fix_fingers or TPL WeightWatcher runs code not ported here (plPackage 'ww': resolveFit's error).
    const clash =
      options.fixFingers !== false
        ? `fixFingers '${options.fixFingers}'`
        : options.fit !== 'PL'
          ? `fit '${options.fit}'`
          : undefined;
    if (clash)
      throw new ArgumentError("xmax 'force' is implemented for fit 'PL' with the powerlaw package only", {
        field: 'xmax',
        expected: "fit 'PL', no fixFingers, plPackage 'powerlaw' or left out",
        found: clash,
      });
  } else if (xmax !== undefined) {
    if (!Number.isInteger(xmax) || xmax === 0)
      throw new ArgumentError('xmax must be a nonzero integer: the number of top eigenvalues left out of the fit', {
        field: 'xmax',
        expected: "a nonzero integer such as -2, or 'force'",
        found: String(xmax),
      });
    // (fit 'E_TPL' passes: WeightWatcher checks fix_fingers before E_TPL turns on xmin_peak.)
    if (options.fixFingers !== false)
      throw new ArgumentError('xmax cannot be combined with fixFingers (WeightWatcher rejects it too)', {
        field: 'xmax',
        expected: 'xmax or fixFingers, not both',
        found: `xmax ${xmax} with fixFingers '${options.fixFingers}'`,
      });
  }
  warnIgnoredSizes(options);
  checkIteratorOptions(options);
}

/** WeightWatcher's warning for min_size / max_size, which it ignores. */
function warnIgnoredSizes(options: { minSize?: number; maxSize?: number }): void {
  if (options.minSize || options.maxSize)
    process.emitWarning(
      'minSize and maxSize are ignored, as WeightWatcher 0.7.5.5 ignores them: use minEvals, maxEvals',
      {
        type: 'HtsrWarning',
      },
    );
}

/** The layer-iterator options (pool / ww2x, intra, peft) and the combinations WeightWatcher rejects or ignores. */
function checkIteratorOptions(options: ResolvedAnalyzeOptions): void {
  const { intra, peft } = options;
  // glorotFix and fft are ported (and matched against WeightWatcher) for pooled layers only.
  const iterator = intra
    ? 'intra'
    : peft !== false
      ? 'peft'
      : !pooled(options)
        ? options.ww2x
          ? 'ww2x'
          : 'pool false'
        : undefined;
  for (const field of ['glorotFix', 'fft'] as const)
    if (options[field] && iterator)
      throw new ArgumentError(`${field} is implemented for pooled layers only, not with ${iterator}`, {
        field,
        expected: `${field} without intra, peft, pool false or ww2x`,
        found: `${field} with ${iterator}`,
      });
  if (peft !== false && peft !== true && peft !== 'with_base')
    throw new ArgumentError('unsupported peft', {
      field: 'peft',
      expected: "false | true | 'with_base'",
      found: String(peft),
    });
  if (peft !== false && !pooled(options))
    throw new ArgumentError('peft cannot be combined with unpooled slices', {
      field: 'peft',
      expected: 'pool true (WeightWatcher ignores pool with peft)',
      found: options.ww2x ? 'ww2x true' : 'pool false',
    });
  if (!intra) return;
  const clash = options.randomize
    ? 'randomize'
    : options.vectors
      ? 'vectors'
      : peft !== false
        ? 'peft'
        : !pooled(options)
          ? options.ww2x
            ? 'ww2x'
            : 'pool'
          : undefined;
  if (clash)
    throw new ArgumentError(`intra cannot be combined with ${clash}`, {
      field: 'intra',
      expected: `intra alone, or ${clash} without intra`,
      found: `intra and ${clash}`,
    });
}

/** Whether Conv2d slices are pooled: pool, unless the deprecated ww2x asks for slices. */
function pooled(options: ResolvedAnalyzeOptions): boolean {
  return options.pool && !options.ww2x;
}

/** The fit that the fit / fixFingers / plPackage options select, after WeightWatcher's validity rules. */
interface FitChoice {
  distribution: PowerlawDistribution;
  fixFingers: false | 'clip_xmax' | 'xmin_peak';
  plPackage: 'ww' | 'powerlaw';
}

function resolveFit(options: ResolvedAnalyzeOptions): FitChoice {
  const { fit } = options;
  if (!['PL', 'TPL', 'E_TPL'].includes(fit))
    throw new ArgumentError('unsupported fit', {
      field: 'fit',
      expected: "'PL' | 'TPL' | 'E_TPL'",
      found: String(fit),
    });
  const requested = options.fixFingers;
  if (requested !== false && requested !== 'clip_xmax' && requested !== 'xmin_peak') {
    throw new ArgumentError('unsupported fixFingers', {
      field: 'fixFingers',
      expected: "false | 'clip_xmax' | 'xmin_peak'",
      found: String(requested),
    });
  }
  if (options.plPackage !== undefined && options.plPackage !== 'ww' && options.plPackage !== 'powerlaw') {
    throw new ArgumentError('unsupported plPackage', {
      field: 'plPackage',
      expected: "'ww' | 'powerlaw'",
      found: String(options.plPackage),
    });
  }
  if (fit === 'E_TPL' && requested === 'clip_xmax') {
    throw new ArgumentError("fit 'E_TPL' already fixes fingers by xmin_peak", {
      field: 'fixFingers',
      expected: "false or 'xmin_peak' with fit 'E_TPL'",
      found: 'clip_xmax',
    });
  }
  const distribution: PowerlawDistribution = fit === 'PL' ? 'power_law' : 'truncated_power_law';
  const fixFingers = fit === 'E_TPL' ? 'xmin_peak' : requested;
  const needsPowerlaw =
    distribution === 'truncated_power_law' || fixFingers === 'xmin_peak' || options.xmax === 'force';
  if (needsPowerlaw && options.plPackage === 'ww') {
    throw new ArgumentError(
      `${fit !== 'PL' ? `fit '${fit}'` : fixFingers === 'xmin_peak' ? "fixFingers 'xmin_peak'" : "xmax 'force'"} needs the powerlaw package's fit`,
      { field: 'plPackage', expected: "'powerlaw' (or leave it out)", found: 'ww' },
    );
  }
  const plPackage = options.plPackage ?? (needsPowerlaw ? 'powerlaw' : 'ww');
  if (fixFingers === 'clip_xmax' && distribution === 'truncated_power_law') {
    // WeightWatcher clips with power-law fits and then reads the TPL parameters off the last powerlaw
    // Fit object; that second, lazily fitted TPL is not ported.
    throw new ArgumentError("fixFingers 'clip_xmax' is implemented for fit 'PL' only", {
      field: 'fixFingers',
      expected: "false or 'xmin_peak' with fit 'TPL'",
      found: 'clip_xmax',
    });
  }
  return { distribution, fixFingers, plPackage };
}

/** The WWFit-shaped view of a powerlaw-package PL fit (what the ESD plot draws). */
function asPowerLawFit(fit: PowerlawPackageFit): PowerLawFit {
  return {
    alpha: fit.alpha,
    D: fit.D,
    sigma: fit.sigma,
    xmin: fit.xmin,
    xmax: fit.dataMax,
    tailLength: fit.tailLength,
    candidates: { xmin: fit.candidates.xmin, alpha: fit.candidates.alpha, D: fit.candidates.D },
  };
}

/** The power-law columns, including WeightWatcher's failure values (-1, xmax null, status 'failed'). */
function powerLawColumns(
  evals: Float64Array,
  options: ResolvedAnalyzeOptions,
): { columns: Partial<HtsrRow>; fit?: PowerLawFit } {
  const choice = resolveFit(options);
  const clip = choice.fixFingers === 'clip_xmax';
  const truncated = choice.distribution === 'truncated_power_law';
  // xmax = k: the top |k| eigenvalues leave the fit, unless they are more than half of them (see AnalyzeOptions.xmax).
  const dropped = typeof options.xmax === 'number' ? Math.abs(options.xmax) : 0;
  const force = options.xmax === 'force';
  const tooLarge = dropped > evals.length / 2;
  if (tooLarge && choice.plPackage === 'powerlaw' && truncated)
    throw new ArgumentError("xmax beyond half a layer's eigenvalues bounds powerlaw's fit, ported for fit 'PL' only", {
      field: 'xmax',
      expected: `|xmax| <= ${evals.length / 2} (half the eigenvalues of the smallest analysed layer) with fit '${options.fit}'`,
      found: String(options.xmax),
    });
  const fitted = tooLarge ? evals : evals.subarray(0, evals.length - dropped);
  let nonzero = fittableEigenvalues(fitted);
  if (tooLarge && choice.plPackage === 'ww') {
    // WWFit(xmax=|k|): the data end at the first eigenvalue nearest the number |k|.
    let nearest = 0;
    for (let i = 1; i < nonzero.length; i++)
      if (Math.abs(nonzero[i] - dropped) < Math.abs(nonzero[nearest] - dropped)) nearest = i;
    nonzero = nonzero.subarray(0, nearest + 1);
  }
  const countTail = (xmin: number) => {
    let count = 0;
    for (const value of fitted) if (value >= xmin) count++;
    return count;
  };
  try {
    if (choice.plPackage === 'powerlaw' && clip) {
      let maxFingers = options.maxFingers;
      if (maxFingers < 0 || maxFingers < 0.5 * evals.length) maxFingers = 10;
      // powerlaw's Fit returns NaNs, not an exception, on fewer than 2 unique values: the loop goes on.
      const fitter = (sorted: Float64Array): PowerLawFit => {
        try {
          return asPowerLawFit(fitPowerlawPackage(sorted, 'power_law'));
        } catch (error) {
          if (!(error instanceof PowerLawFitError)) throw error;
          const empty = new Float64Array(0);
          const candidates = { xmin: empty, alpha: empty, D: empty };
          return { alpha: NaN, D: NaN, sigma: NaN, xmin: NaN, xmax: NaN, tailLength: 0, candidates };
        }
      };
      const clipped = fitClippedPowerLaw(nonzero, maxFingers, options.fingerThreshold, 2.0, fitter);
      const fit = clipped.fit;
      if (Number.isNaN(fit.alpha)) throw new PowerLawFitError('powerlaw returned NaN alpha');
      return {
        fit,
        columns: {
          alpha: fit.alpha,
          xmin: fit.xmin,
          xmax: null,
          D: fit.D,
          sigma: fit.sigma,
          num_pl_spikes: countTail(fit.xmin),
          status: 'success',
          warning: trainingWarning(fit.alpha),
          num_fingers: clipped.numFingers,
          raw_alpha: clipped.rawAlpha,
        },
      };
    }
    if (choice.plPackage === 'powerlaw') {
      const range = choice.fixFingers === 'xmin_peak' ? xminPeakRange(nonzero, options.xminMax) : undefined;
      // xmax='force': bounded by the largest eigenvalue (WeightWatcher's np.max(evals)); an xmax beyond
      // half the eigenvalues: by the number |k| itself (powerlaw's Fit drops the data above it).
      const bound = force ? evals[evals.length - 1] : tooLarge ? dropped : undefined;
      const fit = fitPowerlawPackage(nonzero, choice.distribution, range, bound);
      // WeightWatcher's test for a failed fit; a NaN D alone still counts as success there.
      if (Number.isNaN(fit.alpha)) throw new PowerLawFitError('powerlaw returned NaN alpha');
      const columns: Partial<HtsrRow> = {
        alpha: fit.alpha,
        xmin: fit.xmin,
        xmax: fit.xmax ?? null,
        D: fit.D,
        sigma: truncated ? null : fit.sigma,
        num_pl_spikes: countTail(fit.xmin),
        ...(truncated ? { Lambda: fit.lambda } : {}),
        status: 'success',
        warning: trainingWarning(fit.alpha),
      };
      return { columns, fit: truncated ? { ...asPowerLawFit(fit), lambda: fit.lambda } : asPowerLawFit(fit) };
    }
    let fit: PowerLawFit;
    const extra: Partial<HtsrRow> = {};
    if (clip) {
      let maxFingers = options.maxFingers;
      if (maxFingers < 0 || maxFingers < 0.5 * evals.length) maxFingers = 10;
      const clipped = fitClippedPowerLaw(nonzero, maxFingers, options.fingerThreshold);
      fit = clipped.fit;
      extra.num_fingers = clipped.numFingers;
      extra.raw_alpha = clipped.rawAlpha;
    } else {
      fit = fitSortedPowerLaw(nonzero);
    }
    return {
      fit,
      columns: {
        alpha: fit.alpha,
        xmin: fit.xmin,
        xmax: fit.xmax,
        D: fit.D,
        sigma: fit.sigma,
        num_pl_spikes: countTail(fit.xmin),
        status: 'success',
        warning: trainingWarning(fit.alpha),
        ...extra,
      },
    };
  } catch (error) {
    // WeightWatcher turns any exception of the fit into a failed layer; here only the fit's own
    // failures are (too few points, powerlaw's NaN, a special function that did not converge).
    if (!(error instanceof NumericalError)) throw error; // PowerLawFitError included
    const extra: Partial<HtsrRow> = clip ? { num_fingers: 0, raw_alpha: -1 } : truncated ? { Lambda: -1 } : {};
    return {
      columns: {
        alpha: -1,
        xmin: -1,
        // WeightWatcher leaves its xmax variable as it was: the number |k| where that was too large,
        // the largest eigenvalue with 'force'.
        xmax: force ? evals[evals.length - 1] : tooLarge ? dropped : null,
        D: -1,
        sigma: -1,
        num_pl_spikes: -1,
        status: 'failed',
        warning: trainingWarning(-1),
        ...extra,
      },
    };
  }
}

/** WeightWatcher's weak_rank_loss: eigenvalues below `tolerance` (a falsy tolerance means its default 1e-6). */
function weakRankLoss(evals: Float64Array, tolerance: number): number {
  const threshold = tolerance || WEAK_RANK_TOLERANCE;
  let count = 0;
  for (const value of evals) if (value < threshold) count++;
  return count;
}

/** The MP fit's columns: num_spikes, sigma_mp, ... (prefix 'rand_' for the shuffled ESD's fit). */
function mpColumns(fit: MarchenkoPasturFit, prefix: '' | 'rand_'): Partial<HtsrRow> {
  const columns = {
    num_spikes: fit.numSpikes,
    sigma_mp: fit.sigmaMp,
    mp_softrank: fit.mpSoftrank,
    W_scale: fit.wScale,
    bulk_max: fit.bulkMax,
    bulk_min: fit.bulkMin,
  };
  return Object.fromEntries(Object.entries(columns).map(([name, value]) => [`${prefix}${name}`, value]));
}

function safeMpFit(evals: Float64Array, N: number, M: number): MarchenkoPasturFit {
  try {
    return fitMarchenkoPastur(evals, N, M);
  } catch {
    return FAILED_MP_FIT;
  }
}

/**
 * HTSR/SETOL metrics of every supported layer of `model`, as WeightWatcher 0.7.5.5 computes them
 * (see the `AnalyzeOptions` defaults). Eigenvalues come from the float64 Gram matrix on the short
 * side (not an SVD of W): alpha, D, xmin and the scale metrics match WeightWatcher to ~1e-12;
 * matrix_rank / rank_loss / entropy can differ on rank-deficient layers (noise floor).
 * Keras / tfjs kernels are read in their (..., in, out) layout; a Keras Conv1D (k, in, out) gives k
 * pooled in x out slices (WeightWatcher has no working 3-D path). Every layer not analysed is in
 * `result.skipped` with its tensors and the reason (depthwise kernels, norms, size filters, ...).
 */
export async function analyze(model: AnalyzeInput, options: AnalyzeOptions = {}): Promise<HtsrResult> {
  const resolved = resolveOptions('analyze', ANALYZE_DEFAULTS, options);
  checkOptions(resolved);
  const { kept, skipped } = selectLayers(model, { ...resolved, pool: pooled(resolved) });
  const wantsBar =
    resolved.progress === true ||
    (resolved.progress === 'auto' && (kept.length >= 8 || kept.some((k) => k.M * k.rf >= 512)));
  const bar =
    wantsBar && kept.length > 0
      ? new Progress({ total: kept.length, label: 'htsr', signal: resolved.signal })
      : undefined;
  const root = rng(resolved.seed);
  const layers: LayerAnalysis[] = [];
  // What each row is made of: the layer (default), a Conv2d slice, a pair of layers, a LoRA delta.
  const units = analysisUnits(
    kept.map(({ candidate }) => candidate),
    {
      pool: pooled(resolved),
      conv2dNorm: resolved.conv2dNorm,
      glorotFix: resolved.glorotFix,
      fft: resolved.fft,
      intra: resolved.intra,
      sparsify: resolved.sparsify,
      peft: resolved.peft,
      random: root.fold('intra'),
      skip: (layer, reason) => {
        const candidate = layer as Candidate;
        skipped.push({ layer_id: candidate.id, name: candidate.name, reason, tensors: candidate.tensors });
      },
    },
  );
  // Rows go in pairs so that two similar ones can be solved side by side (esd.ts layerSpectra).
  let tickedId: number | undefined;
  for (;;) {
    if (resolved.signal?.aborted) throw new InterruptedError('htsr analysis interrupted');
    const pair: AnalysisUnit[] = [];
    while (pair.length < 2) {
      const next = units.next();
      if (next.done) break;
      pair.push(next.value);
    }
    if (pair.length === 0) break;
    const spectra = await layerSpectra(
      pair.map((unit) => unit.matrices),
      resolved.engine,
      resolved.svd,
    );
    for (let index = 0; index < pair.length; index++) {
      const unit = pair[index];
      const spectrum = unit.singularValueEsd ? singularValueSpectrum(spectra[index], unit.N) : spectra[index];
      layers.push(await layerRow(unit, spectrum, root, resolved));
      // The progress bar counts layers: the rows of one layer's slices tick it once.
      if (unit.id !== tickedId) bar?.tick();
      tickedId = unit.id;
      // Let the event loop breathe (kernel interrupts, display updates) between layers.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  bar?.done();
  return new HtsrResult(layers, skipped, resolved);
}

/** A layer that passed the filters, with WeightWatcher's N, M, rf. */
interface SelectedLayer {
  candidate: Candidate;
  N: number;
  M: number;
  rf: number;
}

/** What analyze() and describe() share: the layers WeightWatcher's iterator keeps, and the rest with the reason. */
function selectLayers(
  model: AnalyzeInput,
  options: Pick<ResolvedAnalyzeOptions, 'startId' | 'layers' | 'minEvals' | 'maxEvals' | 'maxN' | 'fft'> & {
    pool?: boolean;
  },
): { kept: SelectedLayer[]; skipped: SkippedLayer[] } {
  const skipped: SkippedLayer[] = [];
  const kept: SelectedLayer[] = [];
  for (const candidate of candidates(model, options.startId)) {
    if (filteredOut(candidate, options.layers)) {
      skipped.push({
        layer_id: candidate.id,
        name: candidate.name,
        reason: 'excluded by the layers option',
        tensors: candidate.tensors,
      });
      continue;
    }
    const { N, M, rf } = layerDimensions(candidate.layerType, candidate.shape, candidate.channelsFirst);
    const reason = candidate.unsupported ?? sizeSkipReason(candidate.layerType, N, M, rf, options);
    if (reason) skipped.push({ layer_id: candidate.id, name: candidate.name, reason, tensors: candidate.tensors });
    else kept.push({ candidate, N, M, rf });
  }
  return { kept, skipped };
}

/**
 * intra's ESD (combined_eigenvalues with INTRA): WeightWatcher takes X's singular values σ as the
 * eigenvalues and reports sv = sqrt(σ): sv_max, sv_min and rank_loss (with N's tolerance) of those.
 */
function singularValueSpectrum(squared: Spectrum, N: number): Spectrum {
  const evals = squared.evals.map(Math.sqrt);
  const sv = evals.map(Math.sqrt);
  const svMax = sv.length ? sv[sv.length - 1] : 0;
  const tolerance = svMax * N * Number.EPSILON;
  let weakRankLoss = 0;
  for (const value of evals) if (value < WEAK_RANK_TOLERANCE) weakRankLoss++;
  return {
    evals,
    svMax,
    svMin: sv.length ? sv[0] : 0,
    rankLoss: sv.filter((value) => !(value > tolerance)).length,
    weakRankLoss,
    lambdaMax: evals.length ? evals[evals.length - 1] : NaN,
  };
}

/** One row of the table, from its spectrum. */
async function layerRow(
  unit: AnalysisUnit,
  spectrum: Spectrum,
  root: Rng,
  options: ResolvedAnalyzeOptions,
): Promise<LayerAnalysis> {
  const { evals } = spectrum;
  const { engine, svd } = options;
  const { N, M, rf, matrices } = unit;
  const powerLaw = powerLawColumns(evals, options);
  const alpha = powerLaw.columns.alpha as number;
  const row: Partial<HtsrRow> = {
    layer_id: unit.id,
    name: unit.name,
    longname: unit.longname,
    layer_type: unit.layerType,
    N,
    M,
    rf,
    Q: M === 0 ? -1 : N / M,
    ...unit.columns,
    has_esd: true,
    num_evals: evals.length,
    sv_max: spectrum.svMax,
    sv_min: spectrum.svMin,
    rank_loss: spectrum.rankLoss,
    weak_rank_loss: weakRankLoss(evals, options.tolerance),
    lambda_max: spectrum.lambdaMax,
    ...powerLaw.columns,
  };
  let mp: MarchenkoPasturFit | undefined;
  if (options.mpFit) {
    mp = safeMpFit(evals, N, M);
    Object.assign(row, mpColumns(mp, ''));
  }
  if (options.vectors) {
    // The failed fit's xmin of -1 puts every eigenvector in the tail, as in WeightWatcher.
    const tailCount = row.status === 'success' ? (row.num_pl_spikes as number) : Infinity;
    Object.assign(row, vectorColumns(matrices.matrices, tailCount));
  }
  if (options.randomize) {
    const random = unit.randomPath.reduce((stream, key) => stream.fold(key), root);
    const randEvals = await randomEigenvalues(matrices, replicaCount(matrices.numComponents), random, engine, svd);
    let randMax = -Infinity;
    for (const v of randEvals) randMax = Math.max(randMax, v);
    row.max_rand_eval = randMax;
    const fresh = await randomEigenvalues(matrices, 1, random, engine, svd);
    const freshMax = fresh.length ? fresh[fresh.length - 1] : NaN;
    row.rand_distance = jensenShannonDistance(evals, fresh);
    row.ww_softrank = freshMax / spectrum.lambdaMax;
    row.ww_maxdist = spectrum.lambdaMax - freshMax;
    Object.assign(row, mpColumns(safeMpFit(randEvals, N, M), 'rand_'));
  }
  if (options.detX) {
    const condition = detX(evals);
    row.detX_num = condition.detXNum;
    row.detX_val = condition.detXVal;
    row.detX_val_unrescaled = condition.detXValUnrescaled;
    row.erg_gap = row.status === 'success' ? (row.xmin as number) - condition.detXVal : null;
  }
  const norms = normMetrics(evals, alpha, N);
  Object.assign(row, {
    norm: norms.norm,
    log_norm: norms.logNorm,
    spectral_norm: norms.spectralNorm,
    log_spectral_norm: norms.logSpectralNorm,
    alpha_weighted: norms.alphaWeighted,
    log_alpha_norm: norms.logAlphaNorm,
    stable_rank: norms.stableRank,
    matrix_rank: norms.matrixRank,
    entropy: norms.entropy,
  });
  return { row: row as HtsrRow, evals, fit: powerLaw.fit, mp, N, M };
}

/** Options of describe(): WeightWatcher's describe() keywords that weightlab has (defaults: analyze's). */
export type DescribeOptions = Pick<
  AnalyzeOptions,
  'layers' | 'minEvals' | 'maxEvals' | 'maxN' | 'minSize' | 'maxSize' | 'glorotFix' | 'conv2dNorm' | 'fft' | 'startId'
>;

/** describe()'s defaults: analyze()'s for the same options (WeightWatcher 0.7.5.5's describe() has the same). */
export const DESCRIBE_DEFAULTS = {
  layers: ANALYZE_DEFAULTS.layers,
  minEvals: ANALYZE_DEFAULTS.minEvals,
  maxEvals: ANALYZE_DEFAULTS.maxEvals,
  maxN: ANALYZE_DEFAULTS.maxN,
  minSize: ANALYZE_DEFAULTS.minSize,
  maxSize: ANALYZE_DEFAULTS.maxSize,
  glorotFix: ANALYZE_DEFAULTS.glorotFix,
  conv2dNorm: ANALYZE_DEFAULTS.conv2dNorm,
  fft: ANALYZE_DEFAULTS.fft,
  startId: ANALYZE_DEFAULTS.startId,
} as const satisfies OptionDefaults<DescribeOptions>;

/**
 * The layers analyze() would fit, with WeightWatcher describe()'s columns (layer_id, name, M, N, Q,
 * layer_type, longname, num_evals, rf, in its DataFrame's order) and no weight read, no eigenvalue
 * computed: a quick look at a model's size before an analysis. It keeps exactly the layers analyze()
 * keeps with the same layers / size options. num_evals is M·rf as WeightWatcher's describe counts it;
 * analyze()'s num_evals is smaller where WeightWatcher's N/M quirk leaves M the larger side of a Conv2d
 * slice (a (32, 64, 2, 2) kernel: describe 256, analyze 128).
 * glorotFix and conv2dNorm are accepted as WeightWatcher's describe accepts them: they change no column.
 */
export function describe(model: AnalyzeInput, options: DescribeOptions = {}): ResultTable<DescribeRow> {
  const resolved = resolveOptions('describe', DESCRIBE_DEFAULTS, options);
  checkOptions({ ...ANALYZE_DEFAULTS, ...resolved } as ResolvedAnalyzeOptions);
  const { kept } = selectLayers(model, resolved);
  const rows = kept.map(({ candidate, N, M, rf }): DescribeRow => ({
    layer_id: candidate.id,
    name: candidate.name,
    M,
    N,
    Q: M === 0 ? -1 : N / M,
    layer_type: candidate.layerType,
    longname: candidate.name,
    num_evals: M * rf,
    rf,
  }));
  return ResultTable.fromRows<DescribeRow>(rows, { first: DESCRIBE_COLUMNS, title: 'HTSR layers (describe)' });
}
