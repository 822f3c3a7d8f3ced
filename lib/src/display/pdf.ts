// SVG to PDF for paper appendices: a vector PDF whose labels stay text (selectable, searchable,
// sharp at any zoom), which pdflatex's \includegraphics takes as it is. PDFKit writes the PDF and
// svg-to-pdfkit walks the SVG into PDFKit's drawing calls; both are pure JavaScript, loaded on first use.

import * as fs from 'node:fs';
import { ArgumentError } from '../errors';
import { resolveOptions, type OptionDefaults } from '../options/resolve';

export interface PdfOptions {
  /**
   * Background colour (a CSS colour) painted under the figure; without it, none (the SVG's own
   * background rectangle, which Vega charts carry, still shows).
   * @default undefined
   */
  background?: string;
  /**
   * PDF points per SVG user unit. CSS has 96 px per inch and PDF 72 points, so 0.75 gives the
   * figure the physical size a browser shows it at.
   * @default 0.75
   */
  pointsPerUnit?: number;
  /**
   * A TrueType font file (regular weight) for every label, embedded as a subset; a file beside it
   * named with `-Bold` instead of `-Regular` (or `-Bold` added) serves bold labels.
   * @default undefined (PDF's standard fonts, or a system sans-serif font when a label has a
   * character they lack, such as α or λ; without such a font those characters are dropped)
   */
  fontFile?: string;
}

/** Defaults of svgToPdf. */
export const PDF_DEFAULTS = {
  background: undefined,
  pointsPerUnit: 0.75,
  fontFile: undefined,
} as const satisfies OptionDefaults<PdfOptions>;

/** A length attribute of the root `<svg>` element in user units (px or unitless), or undefined. */
function rootLength(svgMarkup: string, name: 'width' | 'height'): number | undefined {
  const root = /<svg\b[^>]*>/.exec(svgMarkup)?.[0];
  const value = root && new RegExp(`\\s${name}\\s*=\\s*["']\\s*([0-9.]+)(px)?\\s*["']`).exec(root)?.[1];
  return value === undefined || value === '' ? undefined : Number(value);
}

/** The width and height of an SVG in user units: its root's width/height, else its viewBox's. */
export function svgSize(svgMarkup: string): { width: number; height: number } {
  const root = /<svg\b[^>]*>/.exec(svgMarkup)?.[0];
  if (!root)
    throw new ArgumentError('not SVG markup', {
      field: 'svg',
      expected: 'an <svg> element',
      found: svgMarkup.slice(0, 40),
    });
  const viewBox = /\sviewBox\s*=\s*["']([^"']+)["']/
    .exec(root)?.[1]
    ?.trim()
    .split(/[\s,]+/)
    .map(Number);
  const width = rootLength(svgMarkup, 'width') ?? viewBox?.[2];
  const height = rootLength(svgMarkup, 'height') ?? viewBox?.[3];
  if (!(width !== undefined && height !== undefined && width > 0 && height > 0))
    throw new ArgumentError('the SVG has no size', {
      field: 'svg',
      expected: 'width and height (or a viewBox) on the <svg> element',
      found: root.slice(0, 120),
    });
  return { width, height };
}

/**
 * Dash patterns PDFKit accepts. SVG allows zero lengths (Vega writes `1,0` for a solid line in
 * a legend of dashes) but PDFKit throws on them: a pattern whose gaps are all zero becomes a
 * solid line, and other zeros a length of 0.001 (invisible at any print resolution).
 */
export function pdfDashes(svgMarkup: string): string {
  return svgMarkup.replace(
    /(\sstroke-dasharray\s*=\s*")([^"]*)"|(stroke-dasharray\s*:\s*)([^;"]*)/g,
    (whole, ...groups) => {
      const list = String(groups[1] ?? groups[3])
        .trim()
        .split(/[\s,]+/)
        .map(Number);
      if (list.some((value) => !Number.isFinite(value) || value < 0)) return whole;
      const pattern = list.length % 2 === 1 ? [...list, ...list] : list;
      const solid = pattern.every((value, index) => index % 2 === 0 || value === 0) || pattern.every((v) => v === 0);
      if (solid) return groups[0] !== undefined ? '' : `${groups[2]}none`;
      const fixed = pattern.map((value) => (value === 0 ? 0.001 : value)).join(',');
      return groups[0] !== undefined ? `${groups[0]}${fixed}"` : `${groups[2]}${fixed}`;
    },
  );
}

/** Characters outside Latin-1 that PDF's standard fonts still have (WinAnsiEncoding). */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

/** Whether some character of `text` is missing from PDF's standard fonts. */
export function needsUnicodeFont(text: string): boolean {
  for (const character of text) if (character.codePointAt(0)! > 0xff && !WIN_ANSI_EXTRA.has(character)) return true;
  return false;
}

/** Sans-serif TrueType fonts Debian and its derivatives install, with their bold faces. */
const SYSTEM_FONTS = [
  ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'],
  [
    '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
    '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf',
  ],
  ['/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf', '/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf'],
  ['/usr/share/fonts/truetype/freefont/FreeSans.ttf', '/usr/share/fonts/truetype/freefont/FreeSansBold.ttf'],
] as const;

/** The first system sans-serif font present, regular and (when present) bold, or undefined. */
export function systemUnicodeFont(): { regular: string; bold?: string } | undefined {
  for (const [regular, bold] of SYSTEM_FONTS)
    if (fs.existsSync(regular)) return { regular, bold: fs.existsSync(bold) ? bold : undefined };
  return undefined;
}

/** The bold face beside a regular font file, if there is one. */
function boldBeside(regular: string): string | undefined {
  const candidates = [regular.replace(/-Regular(\.[ot]tf)$/i, '-Bold$1'), regular.replace(/(\.[ot]tf)$/i, '-Bold$1')];
  return candidates.find((file) => file !== regular && fs.existsSync(file));
}

interface PdfDocument {
  registerFont(name: string, file: string): void;
  on(event: 'data', listener: (chunk: Uint8Array) => void): void;
  on(event: 'end' | 'error', listener: (value?: unknown) => void): void;
  rect(x: number, y: number, width: number, height: number): PdfDocument;
  fill(color: string): PdfDocument;
  end(): void;
}

/**
 * One page exactly the size of the figure, the SVG drawn on it as vectors and its `<text>` as PDF
 * text in the standard fonts (Helvetica for sans-serif, Times for serif, Courier for monospace).
 */
export async function svgToPdf(svgMarkup: string, options: PdfOptions = {}): Promise<Uint8Array> {
  const o = resolveOptions('svgToPdf', PDF_DEFAULTS, options);
  if (!(typeof o.pointsPerUnit === 'number' && Number.isFinite(o.pointsPerUnit) && o.pointsPerUnit > 0))
    throw new ArgumentError("svgToPdf's pointsPerUnit must be a positive number", {
      field: 'pointsPerUnit',
      expected: 'a finite number > 0',
      found: String(o.pointsPerUnit),
    });
  const { width, height } = svgSize(svgMarkup);
  const size = [width * o.pointsPerUnit, height * o.pointsPerUnit];
  /* eslint-disable @typescript-eslint/no-require-imports */
  const PDFDocument = require('pdfkit') as new (options: Record<string, unknown>) => PdfDocument;
  const drawSvg = require('svg-to-pdfkit') as (
    document: PdfDocument,
    svg: string,
    x: number,
    y: number,
    options: Record<string, unknown>,
  ) => void;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const document = new PDFDocument({ size, margin: 0, info: { Creator: 'weightlab', Producer: 'weightlab (PDFKit)' } });
  const chunks: Uint8Array[] = [];
  const finished = new Promise<void>((resolve, reject) => {
    document.on('data', (chunk) => chunks.push(chunk));
    document.on('end', () => resolve());
    document.on('error', reject);
  });
  if (o.background !== undefined) document.rect(0, 0, size[0], size[1]).fill(o.background);
  if (o.fontFile !== undefined && !fs.existsSync(o.fontFile))
    throw new ArgumentError('no such font file', {
      file: o.fontFile,
      field: 'fontFile',
      expected: 'a TrueType font file',
    });
  const font =
    o.fontFile !== undefined
      ? { regular: o.fontFile, bold: boldBeside(o.fontFile) }
      : needsUnicodeFont(svgMarkup)
        ? systemUnicodeFont()
        : undefined;
  if (font) {
    // svg-to-pdfkit looks a label's font-family up among the document's registered fonts first
    // (with a -Bold suffix for bold labels): register the font under every family the SVG names.
    const families = new Set(['sans-serif', 'serif', 'monospace']);
    for (const match of svgMarkup.matchAll(/font-family\s*[=:]\s*"?([^";>]+)/g)) families.add(match[1].trim());
    for (const family of families) {
      document.registerFont(family, font.regular);
      document.registerFont(`${family}-Bold`, font.bold ?? font.regular);
    }
  }
  drawSvg(document, pdfDashes(svgMarkup), 0, 0, {
    width: size[0],
    height: size[1],
    preserveAspectRatio: 'xMinYMin meet',
    // Its warnings name SVG features it skips (CSS it does not parse); printing them in a
    // notebook cell for every saved figure would bury the output.
    warningCallback: () => undefined,
  });
  document.end();
  await finished;
  return Buffer.concat(chunks);
}
