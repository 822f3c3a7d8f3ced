// SVG to PDF for paper appendices: a vector PDF whose labels stay text (selectable, searchable,
// sharp at any zoom), which pdflatex's \includegraphics takes as it is. PDFKit writes the PDF and
// svg-to-pdfkit walks the SVG into PDFKit's drawing calls; both are pure JavaScript, loaded on first use.

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
}

/** Defaults of svgToPdf. */
export const PDF_DEFAULTS = {
  background: undefined,
  pointsPerUnit: 0.75,
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

interface PdfDocument {
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
  drawSvg(document, svgMarkup, 0, 0, {
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
