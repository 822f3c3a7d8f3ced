// How one HTSR column of weightlab is held against WeightWatcher's: the tolerances of
// ./weightwatcher-parity.test.ts (its header says why each holds), shared by the parity tests of every
// oracle file (the default runs, options-a, options-b) so that they compare by one rule.
import assert from 'node:assert/strict';

/** Power-law fit columns and what derives from them: 1e-9 relative (1e-6 on the ill-conditioned layer). */
export const FIT_COLUMNS = new Set([
  'alpha',
  'D',
  'sigma',
  'xmin',
  'xmax',
  'alpha_weighted',
  'log_alpha_norm',
  'raw_alpha',
  'detX_val',
  'detX_val_unrescaled',
  'Lambda',
]);
/** Scale metrics of the spectrum: 1e-12 relative; their logs (log_norm, log_spectral_norm) 1e-12 absolute. */
export const SCALE_COLUMNS = new Set([
  'norm',
  'log_norm',
  'spectral_norm',
  'log_spectral_norm',
  'stable_rank',
  'lambda_max',
  'sv_max',
  'entropy',
  'Q',
]);
/** Marchenko-Pastur fit columns: 1e-9 relative. */
export const MP_COLUMNS = new Set(['sigma_mp', 'mp_softrank', 'bulk_max', 'bulk_min', 'W_scale']);
/** Values that sit at the noise floor of a rank-deficient float32 layer: absolute 1e-14 of their scale there. */
export const NOISE_FLOOR_COLUMNS = new Set(['sv_min', 'detX_val', 'detX_val_unrescaled']);
/** The fixture layer whose eigenvalues are all 1 ± 1e-7: its fit moves by ~1e-8 for rounding-level changes. */
export const ILL_CONDITIONED_LAYER = 'orth';

export function relative(a: number, b: number): number {
  return a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(b), Number.MIN_VALUE);
}

export interface ColumnContext {
  column: string;
  /** The layer's name (the ill-conditioned layer gets the looser fit tolerance). */
  layer: string;
  /** Where, for the assertion message (run/layer/column). */
  where: string;
  /** WeightWatcher's sv_max and lambda_max of the row: the scales of the noise floor. */
  svMax: number;
  lambdaMax: number;
  /** A column measured like a fit column although it is in none of the sets above (vectors' columns). */
  measured?: boolean;
}

/** Asserts weightlab's value of one column against WeightWatcher's with the rule for that column. */
export function assertColumn(got: unknown, value: unknown, context: ColumnContext): void {
  const { column, layer, where, svMax, lambdaMax } = context;
  if (value === 'Infinity' || value === '-Infinity') {
    // JSON has no infinities: the oracle writes them as strings (e.g. the orthogonal layer's Σλ^alpha overflows).
    assert.equal(got, Number(value), where);
    return;
  }
  const measured =
    context.measured === true ||
    FIT_COLUMNS.has(column) ||
    SCALE_COLUMNS.has(column) ||
    MP_COLUMNS.has(column) ||
    NOISE_FLOOR_COLUMNS.has(column);
  // Strings, booleans, nulls, counts and ids are exact.
  if (typeof value !== 'number' || (Number.isInteger(value) && !measured)) {
    assert.deepEqual(got, value, where);
    return;
  }
  assert.equal(typeof got, 'number', where);
  const number = got as number;
  const floorScale = column === 'sv_min' ? svMax : column === 'detX_val' ? lambdaMax : 1;
  if (NOISE_FLOOR_COLUMNS.has(column) && value < 1e-6 * (column === 'sv_min' ? svMax : lambdaMax)) {
    assert.ok(Math.abs(number - value) <= 1e-14 * floorScale, `${where}: ${number} vs ${value} (noise floor)`);
  } else if (column.startsWith('log_') && !FIT_COLUMNS.has(column)) {
    // log10 turns a relative error ε of its argument into an absolute error ε/ln 10.
    assert.ok(Math.abs(number - value) <= 1e-12, `${where}: ${number} vs ${value} (absolute)`);
  } else if (layer === ILL_CONDITIONED_LAYER && FIT_COLUMNS.has(column)) {
    assert.ok(relative(number, value) <= 1e-6, `${where}: ${number} vs ${value} (ill-conditioned)`);
  } else {
    const tolerance = SCALE_COLUMNS.has(column) ? 1e-12 : 1e-9;
    assert.ok(
      relative(number, value) <= tolerance,
      `${where}: ${number} vs ${value}, relative ${relative(number, value)}`,
    );
  }
}
