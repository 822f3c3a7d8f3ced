// Charts as Vega-Lite v5 specs: JupyterLab and VS Code render `application/vnd.vegalite.v5+json`
// natively (neither knows v6), and the same spec is rendered headless to SVG here, so
// Notebook 6, nbconvert HTML and GitHub still show the chart. vega is loaded on first use only.

import { ArgumentError } from '../errors';
import { resolveOptions, type OptionDefaults } from '../options/resolve';
import { mimeBundleOf } from './builders';
import { mimeBundle, VEGA_LITE_MIME, VEGA_LITE_SCHEMA, type MimeBundle } from './protocol';

export type VegaLiteSpec = Record<string, unknown>;

interface VegaModules {
  vega: {
    View: new (runtime: unknown, options: Record<string, unknown>) => { toSVG(): Promise<string>; finalize(): void };
    parse(spec: unknown): unknown;
  };
  vegaLite: { compile(spec: unknown): { spec: unknown } };
}

let modules: VegaModules | undefined;
function loadVega(): VegaModules {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  modules ??= { vega: require('vega'), vegaLite: require('vega-lite') };
  return modules;
}

/** Renders a Vega-Lite spec to an SVG string without a browser. */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const { vega, vegaLite } = loadVega();
  // vega tags every data object it ingests (a Symbol(vega_id) property): render a JSON copy, so
  // the spec and the payloads that share its rows stay as the front ends receive them.
  const compiled = vegaLite.compile(JSON.parse(JSON.stringify(spec))).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

function describeField(channel: string, definition: unknown): string | undefined {
  if (!definition || typeof definition !== 'object') return undefined;
  const { field, type, aggregate } = definition as Record<string, unknown>;
  if (!field && !aggregate) return undefined;
  return `${channel} = ${aggregate ? `${String(aggregate)}(${field ?? ''})` : String(field)}${type ? ` (${String(type)})` : ''}`;
}

/** One informative line for text/plain: title, mark, encodings, row count. */
export function describeSpec(spec: VegaLiteSpec): string {
  const parts: string[] = [];
  const title = typeof spec.title === 'string' ? spec.title : (spec.title as { text?: string } | undefined)?.text;
  const mark = typeof spec.mark === 'string' ? spec.mark : (spec.mark as { type?: string } | undefined)?.type;
  const layers = Array.isArray(spec.layer) ? spec.layer.length : 0;
  parts.push(`Vega-Lite chart${title ? ` '${title}'` : ''}`);
  if (mark) parts.push(`${mark} mark`);
  if (layers) parts.push(`${layers} layers`);
  const encoding = spec.encoding as Record<string, unknown> | undefined;
  if (encoding) {
    const fields = Object.entries(encoding)
      .map(([channel, definition]) => describeField(channel, definition))
      .filter(Boolean);
    if (fields.length) parts.push(fields.join(', '));
  }
  const values = (spec.data as { values?: unknown[] } | undefined)?.values;
  if (Array.isArray(values)) parts.push(`${values.length} rows`);
  return parts.join('; ');
}

/** A displayable chart: Vega-Lite v5 for JupyterLab/VS Code, SVG fallback, text summary. */
export class VegaLiteChart {
  readonly spec: VegaLiteSpec;
  constructor(spec: VegaLiteSpec) {
    this.spec = { $schema: VEGA_LITE_SCHEMA, ...spec };
  }
  toSVG(): Promise<string> {
    return renderSvg(this.spec);
  }
  toString(): string {
    return describeSpec(this.spec);
  }
  [mimeBundle](): Promise<MimeBundle> {
    return chartBundle(this);
  }
}

/**
 * The bundle of a chart: its Vega-Lite v5 spec, the headless SVG and a text summary, plus
 * `extra` representations (a weightlab payload, which the extension ranks above Vega-Lite).
 * Never text/html: JupyterLab would show that instead of the chart.
 */
export async function chartBundle(
  chart: VegaLiteChart,
  extra: Record<string, unknown> = {},
  text = chart.toString(),
): Promise<MimeBundle> {
  return mimeBundleOf(
    { ...extra, [VEGA_LITE_MIME]: chart.spec, 'image/svg+xml': await chart.toSVG(), 'text/plain': text },
    undefined,
    `the chart '${chart.toString()}'`,
  );
}

/** One named overlay of a layered chart: its legend label, colour and (for lines and rules) dash. */
export interface ChartOverlay {
  name: string;
  color: string;
  /** Stroke dash pattern (default solid). */
  dash?: number[];
}

/**
 * Encodings that give each overlay of a layered chart its own legend entry: every layer sets
 * `overlay.encode(name)` and all layers share one colour scale (and dash scale) whose domain
 * is the overlays' names, so the legend lists each histogram, curve and rule by name.
 */
export function overlayLegend(
  overlays: readonly ChartOverlay[],
  title: string | null = null,
): { encode(name: string): Record<string, unknown> } {
  const domain = overlays.map((o) => o.name);
  // Two columns under the frame while the names are short; one when a long name would push the
  // second column past the frame's right edge.
  const columns = domain.some((name) => name.length > 30) ? 1 : 2;
  const legend = { title, orient: 'bottom', direction: 'horizontal', columns, symbolStrokeWidth: 2, labelLimit: 0 };
  return {
    encode(name: string): Record<string, unknown> {
      if (!domain.includes(name)) throw new TypeError(`overlay '${name}' is not one of ${domain.join(', ')}`);
      return {
        color: { datum: name, type: 'nominal', scale: { domain, range: overlays.map((o) => o.color) }, legend },
        strokeDash: {
          datum: name,
          type: 'nominal',
          scale: { domain, range: overlays.map((o) => o.dash ?? [1, 0]) },
          legend,
        },
      };
    },
  };
}

/** Options of the `.chart()` views of results (inductive bias, generator comparisons). */
export interface ChartOptions {
  /** Title in place of the result's own (without it, the result's own); its subtitle (the result's numbers) stays. */
  title?: string;
}

/** Defaults of the `.chart()` views: the result's own title. */
export const CHART_DEFAULTS: OptionDefaults<ChartOptions> = { title: undefined };

/** `spec` with `options.title` as its title text (subtitle kept), or unchanged without one. */
export function retitled(spec: VegaLiteSpec, options: ChartOptions = {}): VegaLiteSpec {
  options = resolveOptions('chart', CHART_DEFAULTS, options);
  if (options.title === undefined) return spec;
  if (typeof options.title !== 'string')
    throw new ArgumentError('the title must be a string', { field: 'title', found: typeof options.title });
  const current = spec.title;
  return {
    ...spec,
    title:
      current && typeof current === 'object'
        ? { ...(current as Record<string, unknown>), text: options.title }
        : options.title,
  };
}

/** A chart from a Vega-Lite v5 spec (the `$schema` is filled in). */
export function vegaLite(spec: VegaLiteSpec): VegaLiteChart {
  return new VegaLiteChart(spec);
}
