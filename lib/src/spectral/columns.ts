// The per-layer HTSR table's row: WeightWatcher 0.7.5.5's `details` columns under WeightWatcher's
// own names (snake_case, with its capitalised N, M, Q, D, Lambda, W_scale, detX_*), the same in the
// API, in `result.table` and in `weightlab htsr --json`, so a weightlab result and a WeightWatcher
// dataframe compare column by column. The order is WeightWatcher's: default columns, then the
// optional ones each option adds.

import type { LayerType } from './matrices';

/** One analysed layer: WeightWatcher's columns. Optional columns are present only with the option that computes them. */
export interface HtsrRow {
  /** Layer number (WeightWatcher numbers state-dict layers from 1; see `startId`). */
  layer_id: number;
  /** Layer name (the weight tensor's module path). */
  name: string;
  /** WeightWatcher's longname: the same as name here. */
  longname: string;
  /** 'dense', 'conv1d', 'conv2d' or 'embedding'. */
  layer_type: LayerType;
  /** The larger dimension of the layer's matrices (WeightWatcher's Conv2d quirk aside). */
  N: number;
  /** The smaller dimension: eigenvalues per matrix. */
  M: number;
  /** Receptive field: matrices pooled into the ESD (kh·kw for Conv2d, else 1). */
  rf: number;
  /** Aspect ratio N / M (-1 when M is 0). */
  Q: number;
  /** pool false (ww2x): which kh·kw slice of a Conv2d layer (row-major over the kernel), 0 for other layers. */
  slice_id?: number;
  /** intra: always true (the row is the product of two layers). */
  Xflag?: boolean;
  /** peft: whether the row is a LoRA matrix (delta B·A, or W + B·A with 'with_base'). */
  peft?: boolean;
  /** Whether an ESD was computed (always true for an analysed layer). */
  has_esd: boolean;
  /** Eigenvalues in the pooled ESD (M·rf). */
  num_evals: number;
  /** Largest singular value over the layer's matrices. */
  sv_max: number;
  /** The largest of the per-matrix smallest singular values (WeightWatcher's definition). */
  sv_min: number;
  /** Singular values below the numerical rank (N·eps·σmax tolerance), summed over matrices. */
  rank_loss: number;
  /** Eigenvalues below 1e-6 (WeightWatcher's WEAK_RANK_LOSS_TOLERANCE). */
  weak_rank_loss: number;
  /** Largest eigenvalue of the ESD. */
  lambda_max: number;
  /** Power-law exponent of the ESD tail (-1 when the fit failed). HTSR: 2..6 well trained. */
  alpha: number;
  /** Start of the fitted tail (-1 when the fit failed). */
  xmin: number;
  /** End of the fitted tail; null with the powerlaw package's fit or a failed fit. */
  xmax: number | null;
  /** Kolmogorov-Smirnov distance of the fit (-1 when it failed). */
  D: number;
  /** Standard error of alpha, (alpha - 1)/sqrt(tail length); null for a truncated power law. */
  sigma: number | null;
  /** Eigenvalues in the fitted tail (>= xmin; -1 when the fit failed). */
  num_pl_spikes: number;
  /** Exponential cut-off rate of the truncated power law (fit 'TPL' / 'E_TPL'). */
  Lambda?: number;
  /** 'success' or 'failed' (the power-law fit). */
  status: 'success' | 'failed';
  /** '' when alpha is in [2, 6], else 'over-trained' (below 2, a failed fit included) or 'under-trained'. */
  warning: '' | 'over-trained' | 'under-trained';
  /** fixFingers 'clip_xmax': top eigenvalues clipped (WeightWatcher's count). */
  num_fingers?: number;
  /** fixFingers 'clip_xmax': alpha of the unclipped fit. */
  raw_alpha?: number;
  /** mpFit: eigenvalues above the Marchenko-Pastur bulk. */
  num_spikes?: number;
  /** mpFit: the fitted bulk's scale sigma. */
  sigma_mp?: number;
  /** mpFit: bulk_max / lambda_max. */
  mp_softrank?: number;
  /** mpFit: sqrt(N / Σλ), the factor that rescales the ESD to mean 1. */
  W_scale?: number;
  /** mpFit: upper bulk edge, in eigenvalue units. */
  bulk_max?: number;
  /** mpFit: lower bulk edge, in eigenvalue units. */
  bulk_min?: number;
  /** vectors: mean discrete entropy (100-bin histogram) of the bulk's eigenvectors (below xmin); null when none. */
  bulk_mean_vec_entropy?: number | null;
  /** vectors: variance of the bulk eigenvectors' entropies. */
  bulk_var_vec_entropy?: number | null;
  /** vectors: mean entropy of the tail's eigenvectors (eigenvalue >= xmin). */
  tail_mean_vec_entropy?: number | null;
  /** vectors: variance of the tail eigenvectors' entropies. */
  tail_var_vec_entropy?: number | null;
  /** vectors: mean localization ratio ‖v‖₁/‖v‖∞ of the bulk's eigenvectors. */
  bulk_mean_loc_ratio?: number | null;
  /** vectors: variance of the bulk's localization ratios. */
  bulk_var_loc_ratio?: number | null;
  /** vectors: mean localization ratio of the tail's eigenvectors. */
  tail_mean_loc_ratio?: number | null;
  /** vectors: variance of the tail's localization ratios. */
  tail_var_loc_ratio?: number | null;
  /** vectors: mean participation ratio ‖v‖₂/‖v‖₄ of the bulk's eigenvectors. */
  bulk_mean_part_ratio?: number | null;
  /** vectors: variance of the bulk's participation ratios. */
  bulk_var_part_ratio?: number | null;
  /** vectors: mean participation ratio of the tail's eigenvectors. */
  tail_mean_part_ratio?: number | null;
  /** vectors: variance of the tail's participation ratios. */
  tail_var_part_ratio?: number | null;
  /** randomize: largest eigenvalue of the shuffled matrices' ESD. */
  max_rand_eval?: number;
  /** randomize: Jensen-Shannon distance between the ESD and a shuffled one. */
  rand_distance?: number;
  /** randomize: shuffled lambda_max / lambda_max. */
  ww_softrank?: number;
  /** randomize: lambda_max minus the shuffled lambda_max. */
  ww_maxdist?: number;
  /** randomize: num_spikes of the shuffled ESD's MP fit. */
  rand_num_spikes?: number;
  /** randomize: sigma_mp of the shuffled ESD's MP fit. */
  rand_sigma_mp?: number;
  /** randomize: mp_softrank of the shuffled ESD's MP fit. */
  rand_mp_softrank?: number;
  /** randomize: W_scale of the shuffled ESD's MP fit. */
  rand_W_scale?: number;
  /** randomize: bulk_max of the shuffled ESD's MP fit. */
  rand_bulk_max?: number;
  /** randomize: bulk_min of the shuffled ESD's MP fit. */
  rand_bulk_min?: number;
  /** detX: eigenvalues above SETOL's trace-log condition point. */
  detX_num?: number;
  /** detX: the eigenvalue at the condition point (rescaled ESD). */
  detX_val?: number;
  /** detX: the same in original eigenvalue units. */
  detX_val_unrescaled?: number;
  /** detX: xmin - detX_val (null when the fit failed). */
  erg_gap?: number | null;
  /** Frobenius norm squared: Σλ. */
  norm: number;
  /** log10 Σλ. */
  log_norm: number;
  /** lambda_max (the spectral norm squared). */
  spectral_norm: number;
  /** log10 lambda_max. */
  log_spectral_norm: number;
  /** alpha · log10 lambda_max. */
  alpha_weighted: number;
  /** log10 Σλ^alpha. */
  log_alpha_norm: number;
  /** Σλ / lambda_max. */
  stable_rank: number;
  /** Numerical rank of the layer's matrices. */
  matrix_rank: number;
  /** WeightWatcher's matrix entropy of the singular values (in [0, 1]). */
  entropy: number;
}

/** Every column in WeightWatcher's order (the table's column order). */
export const HTSR_COLUMNS: readonly (keyof HtsrRow)[] = [
  'layer_id',
  'name',
  'longname',
  'layer_type',
  'N',
  'M',
  'rf',
  'Q',
  'slice_id',
  'Xflag',
  'peft',
  'has_esd',
  'num_evals',
  'sv_max',
  'sv_min',
  'rank_loss',
  'weak_rank_loss',
  'lambda_max',
  'alpha',
  'xmin',
  'xmax',
  'D',
  'sigma',
  'num_pl_spikes',
  'Lambda',
  'status',
  'warning',
  'num_fingers',
  'raw_alpha',
  'num_spikes',
  'sigma_mp',
  'mp_softrank',
  'W_scale',
  'bulk_max',
  'bulk_min',
  'bulk_mean_vec_entropy',
  'bulk_var_vec_entropy',
  'tail_mean_vec_entropy',
  'tail_var_vec_entropy',
  'bulk_mean_loc_ratio',
  'bulk_var_loc_ratio',
  'tail_mean_loc_ratio',
  'tail_var_loc_ratio',
  'bulk_mean_part_ratio',
  'bulk_var_part_ratio',
  'tail_mean_part_ratio',
  'tail_var_part_ratio',
  'max_rand_eval',
  'rand_distance',
  'ww_softrank',
  'ww_maxdist',
  'rand_num_spikes',
  'rand_sigma_mp',
  'rand_mp_softrank',
  'rand_W_scale',
  'rand_bulk_max',
  'rand_bulk_min',
  'detX_num',
  'detX_val',
  'detX_val_unrescaled',
  'erg_gap',
  'norm',
  'log_norm',
  'spectral_norm',
  'log_spectral_norm',
  'alpha_weighted',
  'log_alpha_norm',
  'stable_rank',
  'matrix_rank',
  'entropy',
];

/** Columns shown in the display: WeightWatcher's essentials, then the optional ones when computed. */
export const SHOWN_COLUMNS: readonly (keyof HtsrRow)[] = [
  'layer_id',
  'name',
  'layer_type',
  'slice_id',
  'peft',
  'N',
  'M',
  'alpha',
  'alpha_weighted',
  'D',
  'xmin',
  'num_pl_spikes',
  'lambda_max',
  'log_norm',
  'stable_rank',
  'warning',
  'Lambda',
  'num_fingers',
  'num_spikes',
  'mp_softrank',
  'rand_distance',
  'detX_num',
  'detX_val',
  'erg_gap',
];

/** Columns WeightWatcher's get_summary() averages (each only if present), as HtsrSummary's keys. */
export const SUMMARY_COLUMNS = [
  'log_norm',
  'alpha',
  'alpha_weighted',
  'log_alpha_norm',
  'log_spectral_norm',
  'stable_rank',
  'mp_softrank',
] as const;

/** One layer of describe(): WeightWatcher's describe() columns, no ESD computed. */
export interface DescribeRow {
  /** Layer number, as in analyze()'s table. */
  layer_id: number;
  /** Layer name (the weight tensor's module path). */
  name: string;
  /** The smaller dimension: eigenvalues per matrix. */
  M: number;
  /** The larger dimension (WeightWatcher's Conv2d quirk aside, as in analyze()). */
  N: number;
  /** Aspect ratio N / M. */
  Q: number;
  /** 'dense', 'conv1d', 'conv2d' or 'embedding'. */
  layer_type: LayerType;
  /** WeightWatcher's longname: the same as name here. */
  longname: string;
  /** M·rf: the eigenvalues the pooled ESD would have (WeightWatcher's count, before any rank deficiency). */
  num_evals: number;
  /** Receptive field: matrices pooled into the ESD (kh·kw for Conv2d, else 1). */
  rf: number;
}

/** describe()'s columns in the order of WeightWatcher's describe() DataFrame (layer_id, name, then its row's sorted keys). */
export const DESCRIBE_COLUMNS: readonly (keyof DescribeRow)[] = [
  'layer_id',
  'name',
  'M',
  'N',
  'Q',
  'layer_type',
  'longname',
  'num_evals',
  'rf',
];
