// SVG to PNG for saving figures (paper appendices want PNGs) and for front ends that show
// no SVG. Uses resvg's prebuilt native binary, loaded on first use.

import { ArgumentError } from '../errors';
import { resolveOptions, type OptionDefaults } from '../options/resolve';

export interface PngOptions {
  /** Output width in pixels (height keeps the aspect ratio); without it, the SVG's own size. */
  width?: number;
  /**
   * Pixels per SVG unit, for a sharper figure at the SVG's proportions (2 doubles width and
   * height); not together with `width`.
   * @default undefined (the SVG's own size, or `width`)
   */
  scale?: number;
  /** Background colour (a CSS colour); without it, transparent. */
  background?: string;
}

/** Defaults of svgToPng: none (every option is optional). */
export const PNG_DEFAULTS: OptionDefaults<PngOptions> = { width: undefined, scale: undefined, background: undefined };

export function svgToPng(svgMarkup: string, options: PngOptions = {}): Uint8Array {
  options = resolveOptions('svgToPng', PNG_DEFAULTS, options);
  for (const field of ['width', 'scale'] as const) {
    const value = options[field];
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value > 0))
      throw new ArgumentError(`svgToPng's ${field} must be a positive number`, {
        field,
        expected: 'a finite number > 0',
        found: String(value),
      });
  }
  if (options.width !== undefined && options.scale !== undefined)
    throw new ArgumentError('svgToPng takes width or scale, not both', {
      field: 'scale',
      expected: 'width alone or scale alone',
      found: `width ${options.width} and scale ${options.scale}`,
    });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Resvg } = require('@resvg/resvg-js') as typeof import('@resvg/resvg-js');
  const renderer = new Resvg(svgMarkup, {
    fitTo:
      options.width !== undefined
        ? { mode: 'width', value: Math.round(options.width) }
        : options.scale !== undefined
          ? { mode: 'zoom', value: options.scale }
          : { mode: 'original' },
    background: options.background,
    font: { loadSystemFonts: true },
  });
  return renderer.render().asPng();
}
