// save(result, file): any displayable result into the file a paper appendix or a colleague needs,
// chosen by the file's extension: a figure as SVG, PNG or vector PDF (all from the SVG its bundle
// carries, so the saved figure is the one the notebook shows), its data as our JSON payload or its
// Vega-Lite spec, a table as CSV, Parquet, Arrow or LaTeX. Files are written atomically: a complete
// file or, after an error, none.

import * as path from 'node:path';
import { ArgumentError } from '../errors';
import { writeFileAtomic } from '../io/atomic-write';
import { resolveOptions, type OptionDefaults } from '../options/resolve';
import { ResultTable } from '../table/result-table';
import type { LaTeXOptions } from '../table/latex';
import { toMimeBundle } from './display';
import { svgToPdf } from './pdf';
import { svgToPng } from './png';
import { VEGA_LITE_PATTERN, WEIGHTLAB_MIME_PATTERN, type MimeBundle } from './protocol';
import { renderSvg, type VegaLiteSpec } from './vega-lite';

export interface SaveOptions {
  /**
   * .png: width in pixels (the height keeps the figure's proportions); not with `scale`.
   * @default undefined (the figure's own width, times `scale`)
   */
  width?: number;
  /**
   * .png: pixels per SVG unit; not with `width`.
   * @default undefined (2 when `width` is not given: sharp in print and on high-density screens)
   */
  scale?: number;
  /**
   * .png and .pdf: a CSS colour painted under the figure (Vega charts already carry a white one).
   * @default undefined (transparent)
   */
  background?: string;
  /**
   * .pdf: a TrueType font file for the labels (see `svgToPdf`).
   * @default undefined (standard fonts, or a system font for characters they lack)
   */
  fontFile?: string;
  /**
   * .tex: options of `ResultTable.toLaTeX` (digits, caption, label).
   * @default {} (3 decimals, the table's title as caption)
   */
  latex?: LaTeXOptions;
}

/** Defaults of save(). */
export const SAVE_DEFAULTS = {
  width: undefined,
  scale: undefined,
  background: undefined,
  fontFile: undefined,
  latex: undefined,
} as const satisfies OptionDefaults<SaveOptions>;

/** PNG pixels per SVG unit when neither width nor scale is given. */
const DEFAULT_PNG_SCALE = 2;

/** Every extension save() knows, the longest first so `.vl.json` wins over `.json`. */
const FIGURE_EXTENSIONS = ['.svg', '.png', '.pdf'] as const;
const TABLE_EXTENSIONS = ['.csv', '.parquet', '.arrow', '.tex'] as const;
const DATA_EXTENSIONS = ['.vl.json', '.json'] as const;
const EXTENSIONS = [...DATA_EXTENSIONS, ...FIGURE_EXTENSIONS, ...TABLE_EXTENSIONS] as const;
type Extension = (typeof EXTENSIONS)[number];

function extensionOf(file: string): Extension | undefined {
  const name = path.basename(file).toLowerCase();
  return EXTENSIONS.find((extension) => name.endsWith(extension) && name.length > extension.length);
}

/** The MIME type in `bundle` whose name matches `pattern`, if any. */
function typeMatching(bundle: MimeBundle, pattern: RegExp): string | undefined {
  return Object.keys(bundle.data).find((type) => pattern.test(type));
}

/**
 * The table of a result: a ResultTable itself, else a result's `table` (HtsrResult, predictions)
 * or `table()` view (inductive bias, generator comparisons, surfaces, model comparisons).
 */
function tableOf(value: unknown): ResultTable | undefined {
  if (value instanceof ResultTable) return value;
  const table = (value as { table?: unknown } | null)?.table;
  if (table instanceof ResultTable) return table;
  if (typeof table === 'function' && table.length === 0) {
    const view: unknown = table.call(value);
    if (view instanceof ResultTable) return view;
  }
  return undefined;
}

/** The extensions `value` can be saved as, given its bundle and table: what the error lists for a wrong one. */
function extensionsFor(bundle: MimeBundle, table: ResultTable | undefined): Extension[] {
  const found: Extension[] = [];
  const chart = typeMatching(bundle, VEGA_LITE_PATTERN);
  if ('image/svg+xml' in bundle.data || chart) found.push(...FIGURE_EXTENSIONS);
  if (chart) found.push('.vl.json');
  if (table || typeMatching(bundle, WEIGHTLAB_MIME_PATTERN) || 'application/json' in bundle.data) found.push('.json');
  if (table) found.push(...TABLE_EXTENSIONS);
  return found;
}

/** The figure's SVG: the bundle's own, else its Vega-Lite spec rendered headless. */
async function figureOf(bundle: MimeBundle): Promise<string> {
  const svg = bundle.data['image/svg+xml'];
  if (svg !== undefined) return Array.isArray(svg) ? svg.join('') : String(svg);
  return renderSvg(bundle.data[typeMatching(bundle, VEGA_LITE_PATTERN)!] as VegaLiteSpec);
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** The file's bytes for a value known to support `extension`. */
async function render(
  bundle: MimeBundle,
  table: ResultTable | undefined,
  extension: Extension,
  o: SaveOptions,
): Promise<Uint8Array> {
  switch (extension) {
    case '.svg':
      return utf8(await figureOf(bundle));
    case '.png':
      return svgToPng(await figureOf(bundle), {
        width: o.width,
        scale: o.width === undefined ? (o.scale ?? DEFAULT_PNG_SCALE) : o.scale,
        background: o.background,
      });
    case '.pdf':
      return svgToPdf(await figureOf(bundle), { background: o.background, fontFile: o.fontFile });
    case '.vl.json':
      return utf8(`${JSON.stringify(bundle.data[typeMatching(bundle, VEGA_LITE_PATTERN)!], null, 2)}\n`);
    case '.json': {
      const type = typeMatching(bundle, WEIGHTLAB_MIME_PATTERN);
      // Our payload first (a result's whole data), else a table's rows, else plain JSON.
      const payload = type ? bundle.data[type] : table ? table.toJSON() : bundle.data['application/json'];
      return utf8(`${JSON.stringify(payload, null, 2)}\n`);
    }
    case '.csv':
      return utf8(table!.toCSV());
    case '.parquet':
      return table!.toParquetBytes();
    case '.arrow':
      return table!.toArrowIPC();
    case '.tex':
      return utf8(table!.toLaTeX(o.latex));
  }
}

/**
 * Saves `value` as `file`, in the format its extension names: `.svg`, `.png`, `.pdf` (a figure:
 * any result with a chart or an SVG), `.vl.json` (the chart's Vega-Lite spec), `.json` (our
 * payload, or a table's rows), `.csv`, `.parquet`, `.arrow`, `.tex` (a ResultTable, or a result
 * with one as its `table` or `table()`, such as an HtsrResult's per-layer table). The folder
 * is created if missing; the file is replaced atomically. Returns the file's absolute path.
 */
export async function save(value: unknown, file: string, options: SaveOptions = {}): Promise<string> {
  const o = resolveOptions('save', SAVE_DEFAULTS, options);
  if (typeof file !== 'string' || file === '')
    throw new ArgumentError('save needs a file name', {
      field: 'file',
      expected: `a path ending in ${EXTENSIONS.join(', ')}`,
      found: String(file),
    });
  const target = path.resolve(file);
  const extension = extensionOf(target);
  if (extension === undefined)
    throw new ArgumentError('save does not know this file extension', {
      file: target,
      field: 'extension',
      expected: `one of ${EXTENSIONS.join(', ')}`,
      found: path.extname(target) || 'no extension',
    });
  const bundle = await toMimeBundle(value);
  const table = tableOf(value);
  const supported = extensionsFor(bundle, table);
  if (!supported.includes(extension)) {
    const name = (value as object | null)?.constructor?.name ?? typeof value;
    throw new ArgumentError(`a ${name} has no ${extension} form`, {
      file: target,
      field: 'extension',
      expected:
        supported.length > 0 ? `one of ${supported.join(', ')}` : 'a displayable result with a chart or a table',
      found: extension,
    });
  }
  const bytes = await render(bundle, table, extension, o);
  writeFileAtomic(target, (write) => write(bytes));
  return target;
}
