// The result of analyze(): one row per analysed layer (`table`, a ResultTable of HtsrRow with
// WeightWatcher's column names, the same in `rows()` and `toJSON()` = `weightlab htsr --json`), the
// per-layer eigenvalues and fits the plots need, the skipped layers with the reason,
// WeightWatcher's get_summary(), and a styled HTML/text display.

import { mimeBundle, type MimeBundle } from '../display/protocol';
import { escapeHtml } from '../display/builders';
import { ArgumentError } from '../errors';
import { ResultTable } from '../table/result-table';
import { HTSR_COLUMNS, SHOWN_COLUMNS, SUMMARY_COLUMNS, type HtsrRow } from './columns';
import type { PowerLawFit } from './powerlaw';
import type { MarchenkoPasturFit } from './marchenko-pastur';
import type { ResolvedAnalyzeOptions } from './analyze';

/** Everything computed for one layer. */
export interface LayerAnalysis {
  /** The layer's row of the table. */
  row: HtsrRow;
  /** Pooled eigenvalues, ascending. */
  evals: Float64Array;
  /** The chosen power-law fit (absent when the fit failed). */
  fit?: PowerLawFit;
  /** The MP fit (with mpFit). */
  mp?: MarchenkoPasturFit;
  N: number;
  M: number;
}

/** A layer analyze() did not analyse, and why. */
export interface SkippedLayer {
  /** The id the layer would have had (the same numbering as HtsrRow's layer_id). */
  layer_id: number;
  name: string;
  /** Why it was skipped (a filter, its size, an unsupported kind). */
  reason: string;
  /** The checkpoint tensors of the layer (weight first, then bias and the rest). */
  tensors: string[];
}

/** WeightWatcher's get_summary(): unweighted means over layers (failed fits' -1 included, as WeightWatcher does). */
export interface HtsrSummary {
  /** Mean log10 Σλ. */
  log_norm?: number;
  /** Mean alpha. */
  alpha?: number;
  /** Mean alpha · log10 lambda_max. */
  alpha_weighted?: number;
  /** Mean log10 Σλ^alpha. */
  log_alpha_norm?: number;
  /** Mean log10 lambda_max. */
  log_spectral_norm?: number;
  /** Mean Σλ / lambda_max. */
  stable_rank?: number;
  /** Mean bulk_max / lambda_max (with mpFit). */
  mp_softrank?: number;
}

/** 'name [tensors]: reason', the tensors listed only where they are not just the layer's name. */
export function skippedLine(skipped: SkippedLayer): string {
  const tensors =
    skipped.tensors.length === 1 && skipped.tensors[0] === skipped.name ? '' : ` [${skipped.tensors.join(', ')}]`;
  return `${skipped.name}${tensors}: ${skipped.reason}`;
}

export class HtsrResult {
  readonly layers: readonly LayerAnalysis[];
  readonly skipped: readonly SkippedLayer[];
  /** The options the analysis ran with, defaults filled in. */
  readonly options: Readonly<ResolvedAnalyzeOptions>;
  /** One row per analysed layer, in layer order, columns in WeightWatcher's order. */
  readonly table: ResultTable<HtsrRow>;

  constructor(layers: LayerAnalysis[], skipped: SkippedLayer[], options: ResolvedAnalyzeOptions) {
    this.layers = layers;
    this.skipped = skipped;
    this.options = { ...options };
    const rows = layers.map((layer) => orderedRow(layer.row));
    const present = new Set(rows.flatMap((row) => Object.keys(row)));
    this.table = ResultTable.fromRows<HtsrRow>(rows, {
      first: HTSR_COLUMNS.filter((column) => present.has(column)),
      title: 'HTSR layers',
      shown: SHOWN_COLUMNS.filter((column) => present.has(column)),
    });
  }

  /** The rows, in layer order (copies: editing one changes nothing here). */
  rows(): HtsrRow[] {
    return this.layers.map((layer) => orderedRow(layer.row));
  }

  /** Column names present, in WeightWatcher's order. */
  columnNames(): (keyof HtsrRow)[] {
    return this.table.columnNames();
  }

  /** The rows, as `weightlab htsr --json` prints them (one object per layer). */
  toJSON(): HtsrRow[] {
    return this.rows();
  }

  /** Means over analysed layers of WeightWatcher's summary columns (NaN skipped, like pandas). */
  summary(): HtsrSummary {
    const out: HtsrSummary = {};
    for (const column of SUMMARY_COLUMNS) {
      const values = this.layers
        .map((layer) => layer.row[column])
        .filter((v): v is number => typeof v === 'number' && !Number.isNaN(v));
      if (values.length > 0) out[column] = values.reduce((a, b) => a + b, 0) / values.length;
    }
    return out;
  }

  /** One layer's analysis (row, eigenvalues, fits), by layer_id or name. */
  layer(which: number | string): LayerAnalysis {
    const found = this.layers.find((layer) =>
      typeof which === 'number' ? layer.row.layer_id === which : layer.row.name === which,
    );
    if (!found) {
      throw new ArgumentError('no analysed layer with that id or name', {
        field: 'layer',
        found: String(which),
        expected: `one of ${this.layers
          .slice(0, 6)
          .map((l) => l.row.name)
          .join(', ')}${this.layers.length > 6 ? ', ...' : ''}`,
      });
    }
    return found;
  }

  /** The columns shown in the display: the default WeightWatcher essentials plus any optional ones computed. */
  private shownColumns(): (keyof HtsrRow)[] {
    return this.table.options.shown as (keyof HtsrRow)[];
  }

  toString(): string {
    const columns = this.shownColumns();
    const cells = this.layers.map((layer) => columns.map((column) => formatCell(layer.row[column])));
    const header = [...columns];
    const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c].length)));
    const line = (row: string[]) =>
      row
        .map((cell, c) => cell.padEnd(widths[c]))
        .join('  ')
        .trimEnd();
    const summary = this.summary();
    // With nothing analysed there are no means and no table: say so, and why, instead of an empty table.
    const lines =
      this.layers.length === 0
        ? [`HTSR analysis: no layer analysed, ${this.skipped.length} skipped`]
        : [
            `HTSR analysis: ${this.layers.length} layers analysed, ${this.skipped.length} skipped; mean alpha ${formatCell(summary.alpha)}, mean alpha_weighted ${formatCell(summary.alpha_weighted)}`,
            line(header),
            ...cells.map(line),
          ];
    if (this.skipped.length > 0) lines.push('skipped:', ...this.skipped.map((s) => `  ${skippedLine(s)}`));
    return lines.join('\n');
  }

  /** Styled HTML table (alpha coloured by the HTSR bands) plus the text table. */
  [mimeBundle](): MimeBundle {
    const columns = this.shownColumns();
    const header = columns.map((column) => `<th>${escapeHtml(column)}</th>`).join('');
    const body = this.layers
      .map(
        (layer) =>
          `<tr>${columns
            .map((column) => {
              const value = layer.row[column];
              const style =
                column === 'alpha' && typeof value === 'number' ? ` style="background:${alphaColour(value)}"` : '';
              const align = typeof value === 'number' ? ' class="num"' : '';
              return `<td${align}${style}>${escapeHtml(formatCell(value))}</td>`;
            })
            .join('')}</tr>`,
      )
      .join('');
    const summary = this.summary();
    const caption =
      (this.layers.length === 0
        ? 'HTSR: no layer analysed'
        : `HTSR: ${this.layers.length} layers; mean alpha ${formatCell(summary.alpha)}, mean alpha_weighted ${formatCell(summary.alpha_weighted)}`) +
      (this.skipped.length ? `; ${this.skipped.length} skipped` : '');
    const skippedList = this.skipped.length
      ? `<details><summary>${this.skipped.length} skipped layers</summary><ul>${this.skipped.map((s) => `<li>${escapeHtml(skippedLine(s))}</li>`).join('')}</ul></details>`
      : '';
    const html =
      `<style>.weightlab-htsr{border-collapse:collapse;font:12px/1.4 ui-monospace,monospace}.weightlab-htsr th,.weightlab-htsr td{padding:2px 8px;border-bottom:1px solid #ddd}.weightlab-htsr td.num{text-align:right}.weightlab-htsr caption{text-align:left;font-weight:600;padding:4px 0}</style>` +
      `<table class="weightlab-htsr"><caption>${escapeHtml(caption)}</caption><thead><tr>${header}</tr></thead><tbody>${body}</tbody></table>${skippedList}` +
      '<div style="font:11px sans-serif;color:#666">alpha in [2, 6]: well trained (green); &lt; 2: over-trained (red); &gt; 6: under-trained (orange)</div>';
    return { data: { 'text/plain': this.toString(), 'text/html': html } };
  }
}

/** A copy of a row with its columns in WeightWatcher's order. */
function orderedRow(row: HtsrRow): HtsrRow {
  const out: Record<string, unknown> = {};
  for (const column of HTSR_COLUMNS) if (column in row) out[column] = row[column];
  return out as unknown as HtsrRow;
}

/** Background of an alpha cell: the HTSR bands (2..6 good). */
function alphaColour(alpha: number): string {
  if (alpha < 2) return '#f8d0d0';
  if (alpha > 6) return '#fde2c0';
  return '#d4f0d4';
}

function formatCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return String(value);
    if (!Number.isFinite(value)) return String(value);
    const magnitude = Math.abs(value);
    return magnitude !== 0 && (magnitude >= 1e5 || magnitude < 1e-3) ? value.toExponential(3) : value.toFixed(4);
  }
  return String(value);
}
