// The result of analyze(): one row per analysed layer (an Arquero table with camelCase columns,
// JSON with WeightWatcher's snake_case names), the per-layer eigenvalues and fits the plots need,
// the skipped layers with the reason, WeightWatcher's get_summary(), and a styled HTML/text display.

import { mimeBundle, type MimeBundle } from '../display/protocol';
import { escapeHtml } from '../display/builders';
import { ArgumentError } from '../errors';
import { COLUMNS, SUMMARY_COLUMNS, snakeRow } from './columns';
import type { PowerLawFit } from './powerlaw';
import type { MarchenkoPasturFit } from './marchenko-pastur';
import type { AnalyzeOptions } from './analyze';

/** Everything computed for one layer. */
export interface LayerAnalysis {
  /** The table row (camelCase columns). */
  row: Record<string, unknown>;
  /** Pooled eigenvalues, ascending. */
  evals: Float64Array;
  /** The chosen power-law fit (absent when the fit failed). */
  fit?: PowerLawFit;
  /** The MP fit (with mpFit). */
  mp?: MarchenkoPasturFit;
  N: number;
  M: number;
}

export interface SkippedLayer {
  layerId: number;
  name: string;
  reason: string;
  /** The checkpoint tensors of the layer (weight first, then bias and the rest). */
  tensors: string[];
}

/** WeightWatcher's get_summary(): unweighted means over layers (failed fits' -1 included, as WeightWatcher does). */
export interface HtsrSummary {
  logNorm?: number;
  alpha?: number;
  alphaWeighted?: number;
  logAlphaNorm?: number;
  logSpectralNorm?: number;
  stableRank?: number;
  mpSoftrank?: number;
}

/** Arquero's table, typed to the little used here (the package is loaded on first use). */
export interface ColumnTable {
  numRows(): number;
  columnNames(): string[];
  objects(): Record<string, unknown>[];
  [key: string]: unknown;
}

/** 'name [tensors]: reason', the tensors listed only where they are not just the layer's name. */
export function skippedLine(skipped: SkippedLayer): string {
  const tensors = skipped.tensors.length === 1 && skipped.tensors[0] === skipped.name ? '' : ` [${skipped.tensors.join(', ')}]`;
  return `${skipped.name}${tensors}: ${skipped.reason}`;
}

export class HtsrResult {
  readonly layers: readonly LayerAnalysis[];
  readonly skipped: readonly SkippedLayer[];
  readonly options: Readonly<AnalyzeOptions>;
  private cachedTable?: ColumnTable;

  constructor(layers: LayerAnalysis[], skipped: SkippedLayer[], options: AnalyzeOptions) {
    this.layers = layers;
    this.skipped = skipped;
    this.options = { ...options };
  }

  /** Rows with camelCase columns, in layer order. */
  rows(): Record<string, unknown>[] {
    return this.layers.map((layer) => ({ ...layer.row }));
  }

  /** The per-layer Arquero table (camelCase columns). */
  get table(): ColumnTable {
    if (!this.cachedTable) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const aq = require('arquero') as { table(columns: Record<string, unknown[]>): ColumnTable };
      const names = this.columnNames();
      this.cachedTable = aq.table(Object.fromEntries(names.map((name) => [name, this.layers.map((layer) => layer.row[name] ?? null)])));
    }
    return this.cachedTable;
  }

  /** Column names present, in WeightWatcher's order. */
  columnNames(): string[] {
    const present = new Set(this.layers.flatMap((layer) => Object.keys(layer.row)));
    return COLUMNS.map(([camel]) => camel).filter((camel) => present.has(camel));
  }

  /** Rows with WeightWatcher's snake_case names (what `weightlab htsr --json` prints). */
  toJSON(): Record<string, unknown>[] {
    return this.layers.map((layer) => snakeRow(layer.row));
  }

  /** Means over analysed layers of WeightWatcher's summary columns (NaN skipped, like pandas). */
  summary(): HtsrSummary {
    const out: Record<string, number> = {};
    for (const column of SUMMARY_COLUMNS) {
      const values = this.layers.map((layer) => layer.row[column]).filter((v): v is number => typeof v === 'number' && !Number.isNaN(v));
      if (values.length > 0) out[column] = values.reduce((a, b) => a + b, 0) / values.length;
    }
    return out as HtsrSummary;
  }

  /** One layer's analysis, by layer id or name. */
  layer(which: number | string): LayerAnalysis {
    const found = this.layers.find((layer) => (typeof which === 'number' ? layer.row.layerId === which : layer.row.name === which));
    if (!found) {
      throw new ArgumentError('no analysed layer with that id or name', {
        field: 'layer', found: String(which), expected: `one of ${this.layers.slice(0, 6).map((l) => String(l.row.name)).join(', ')}${this.layers.length > 6 ? ', ...' : ''}`,
      });
    }
    return found;
  }

  /** The columns shown in the display: the default WeightWatcher essentials plus any optional ones computed. */
  private shownColumns(): string[] {
    const essentials = ['layerId', 'name', 'layerType', 'N', 'M', 'alpha', 'alphaWeighted', 'D', 'xmin', 'numPlSpikes', 'lambdaMax', 'logNorm', 'stableRank', 'warning'];
    const optional = ['lambda', 'numFingers', 'numSpikes', 'mpSoftrank', 'randDistance', 'detXNum', 'detXVal', 'ergGap'];
    const present = new Set(this.columnNames());
    return [...essentials, ...optional].filter((column) => present.has(column));
  }

  toString(): string {
    const columns = this.shownColumns();
    const cells = this.layers.map((layer) => columns.map((column) => formatCell(layer.row[column])));
    const header = columns.map((column) => COLUMNS.find(([camel]) => camel === column)?.[1] ?? column);
    const widths = header.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c].length)));
    const line = (row: string[]) => row.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd();
    const summary = this.summary();
    // With nothing analysed there are no means and no table: say so, and why, instead of an empty table.
    const lines = this.layers.length === 0
      ? [`HTSR analysis: no layer analysed, ${this.skipped.length} skipped`]
      : [
        `HTSR analysis: ${this.layers.length} layers analysed, ${this.skipped.length} skipped; mean alpha ${formatCell(summary.alpha)}, mean alpha_weighted ${formatCell(summary.alphaWeighted)}`,
        line(header),
        ...cells.map(line),
      ];
    if (this.skipped.length > 0) lines.push('skipped:', ...this.skipped.map((s) => `  ${skippedLine(s)}`));
    return lines.join('\n');
  }

  /** Styled HTML table (alpha coloured by the HTSR bands) plus the text table. */
  [mimeBundle](): MimeBundle {
    const columns = this.shownColumns();
    const header = columns.map((column) => `<th>${escapeHtml(COLUMNS.find(([camel]) => camel === column)?.[1] ?? column)}</th>`).join('');
    const body = this.layers.map((layer) => `<tr>${columns.map((column) => {
      const value = layer.row[column];
      const style = column === 'alpha' && typeof value === 'number' ? ` style="background:${alphaColour(value)}"` : '';
      const align = typeof value === 'number' ? ' class="num"' : '';
      return `<td${align}${style}>${escapeHtml(formatCell(value))}</td>`;
    }).join('')}</tr>`).join('');
    const summary = this.summary();
    const caption = (this.layers.length === 0 ? 'HTSR: no layer analysed'
      : `HTSR: ${this.layers.length} layers; mean alpha ${formatCell(summary.alpha)}, mean alpha_weighted ${formatCell(summary.alphaWeighted)}`)
      + (this.skipped.length ? `; ${this.skipped.length} skipped` : '');
    const skippedList = this.skipped.length
      ? `<details><summary>${this.skipped.length} skipped layers</summary><ul>${this.skipped.map((s) => `<li>${escapeHtml(skippedLine(s))}</li>`).join('')}</ul></details>`
      : '';
    const html = `<style>.weightlab-htsr{border-collapse:collapse;font:12px/1.4 ui-monospace,monospace}.weightlab-htsr th,.weightlab-htsr td{padding:2px 8px;border-bottom:1px solid #ddd}.weightlab-htsr td.num{text-align:right}.weightlab-htsr caption{text-align:left;font-weight:600;padding:4px 0}</style>`
      + `<table class="weightlab-htsr"><caption>${escapeHtml(caption)}</caption><thead><tr>${header}</tr></thead><tbody>${body}</tbody></table>${skippedList}`
      + '<div style="font:11px sans-serif;color:#666">alpha in [2, 6]: well trained (green); &lt; 2: over-trained (red); &gt; 6: under-trained (orange)</div>';
    return { data: { 'text/plain': this.toString(), 'text/html': html } };
  }
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
