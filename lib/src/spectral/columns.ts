// Column names of the per-layer table: camelCase in the TypeScript API, WeightWatcher's own
// snake_case in JSON, so a weightlab result and a WeightWatcher `details` dataframe can be
// compared column by column. The order is WeightWatcher's (default columns, then optional ones).

/** [camelCase, WeightWatcher snake_case] pairs, in display order. */
export const COLUMNS: readonly (readonly [string, string])[] = [
  ['layerId', 'layer_id'], ['name', 'name'], ['longname', 'longname'], ['layerType', 'layer_type'],
  ['N', 'N'], ['M', 'M'], ['rf', 'rf'], ['Q', 'Q'],
  ['hasEsd', 'has_esd'], ['numEvals', 'num_evals'], ['svMax', 'sv_max'], ['svMin', 'sv_min'],
  ['rankLoss', 'rank_loss'], ['weakRankLoss', 'weak_rank_loss'], ['lambdaMax', 'lambda_max'],
  ['alpha', 'alpha'], ['xmin', 'xmin'], ['xmax', 'xmax'], ['D', 'D'], ['sigma', 'sigma'],
  ['numPlSpikes', 'num_pl_spikes'], ['lambda', 'Lambda'], ['status', 'status'], ['warning', 'warning'],
  ['numFingers', 'num_fingers'], ['rawAlpha', 'raw_alpha'],
  ['numSpikes', 'num_spikes'], ['sigmaMp', 'sigma_mp'], ['mpSoftrank', 'mp_softrank'],
  ['wScale', 'W_scale'], ['bulkMax', 'bulk_max'], ['bulkMin', 'bulk_min'],
  ['maxRandEval', 'max_rand_eval'], ['randDistance', 'rand_distance'], ['wwSoftrank', 'ww_softrank'], ['wwMaxdist', 'ww_maxdist'],
  ['randNumSpikes', 'rand_num_spikes'], ['randSigmaMp', 'rand_sigma_mp'], ['randMpSoftrank', 'rand_mp_softrank'],
  ['randWScale', 'rand_W_scale'], ['randBulkMax', 'rand_bulk_max'], ['randBulkMin', 'rand_bulk_min'],
  ['detXNum', 'detX_num'], ['detXVal', 'detX_val'], ['detXValUnrescaled', 'detX_val_unrescaled'], ['ergGap', 'erg_gap'],
  ['norm', 'norm'], ['logNorm', 'log_norm'], ['spectralNorm', 'spectral_norm'], ['logSpectralNorm', 'log_spectral_norm'],
  ['alphaWeighted', 'alpha_weighted'], ['logAlphaNorm', 'log_alpha_norm'], ['stableRank', 'stable_rank'],
  ['matrixRank', 'matrix_rank'], ['entropy', 'entropy'],
];

const toSnake = new Map(COLUMNS.map(([camel, snake]) => [camel, snake]));
const toCamel = new Map(COLUMNS.map(([camel, snake]) => [snake, camel]));

/** WeightWatcher's name of a column ('alphaWeighted' → 'alpha_weighted'). */
export function snakeName(camel: string): string {
  return toSnake.get(camel) ?? camel;
}

/** The API name of a WeightWatcher column ('alpha_weighted' → 'alphaWeighted'). */
export function camelName(snake: string): string {
  return toCamel.get(snake) ?? snake;
}

/** One row with WeightWatcher's column names, in WeightWatcher's order. */
export function snakeRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [camel, snake] of COLUMNS) if (camel in row) out[snake] = row[camel];
  for (const key of Object.keys(row)) if (!toSnake.has(key)) out[key] = row[key];
  return out;
}

/** Columns WeightWatcher's get_summary() averages (each only if present). */
export const SUMMARY_COLUMNS = ['logNorm', 'alpha', 'alphaWeighted', 'logAlphaNorm', 'logSpectralNorm', 'stableRank', 'mpSoftrank'] as const;
