// SVG to PNG for saving figures (paper appendices want PNGs) and for front ends that show
// no SVG. Uses resvg's prebuilt native binary, loaded on first use.

import { resolveOptions, type OptionDefaults } from '../options/resolve';

export interface PngOptions {
  /** Output width in pixels (height keeps the aspect ratio); without it, the SVG's own size. */
  width?: number;
  /** Background colour (a CSS colour); without it, transparent. */
  background?: string;
}

/** Defaults of svgToPng: none (both options are optional). */
export const PNG_DEFAULTS: OptionDefaults<PngOptions> = { width: undefined, background: undefined };

export function svgToPng(svgMarkup: string, options: PngOptions = {}): Uint8Array {
  options = resolveOptions('svgToPng', PNG_DEFAULTS, options);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Resvg } = require('@resvg/resvg-js') as typeof import('@resvg/resvg-js');
  const renderer = new Resvg(svgMarkup, {
    fitTo: options.width ? { mode: 'width', value: options.width } : { mode: 'original' },
    background: options.background,
    font: { loadSystemFonts: true },
  });
  return renderer.render().asPng();
}
