// The display namespace, which is also the function notebooks call most: `display(value)` shows
// any result in the notebook, and `display.html(...)`, `display.svg(...)`, `display.vegaLite(...)`
// build bundles by hand. One name serves both roles, as IPython's `display` does.

import * as builders from './builders';
import {
  display as publish,
  clearOutput as clear,
  toMimeBundle as bundleOf,
  DisplayHandle as Handle,
  type DisplayOptions as PublishDisplayOptions,
} from './display';
import * as protocol from './protocol';
import * as png from './png';
import * as pdf from './pdf';
import * as saving from './save';
import * as charts from './vega-lite';

/** Shows `value` in the notebook: its MIME bundle (charts, tables, our weightlab views) or its text. */
export function display(value: unknown, options: display.DisplayOptions = {}): Promise<void> {
  return publish(value, options);
}

// eslint-disable-next-line @typescript-eslint/no-namespace
export namespace display {
  /** Options of `display()` (`{ displayId, update }`, to update an output in place). */
  export type DisplayOptions = PublishDisplayOptions;
  export type MimeBundle = protocol.MimeBundle;
  export type Displayable = protocol.Displayable;
  export type VegaLiteSpec = charts.VegaLiteSpec;
  export type PngOptions = png.PngOptions;
  /** The symbol an object implements to show itself: `[display.mimeBundle]() { return {...} }`. */
  export const mimeBundle = protocol.mimeBundle;
  /** A bundle from raw MIME data (checked: never HTML next to a chart). */
  export const bundle = builders.bundle;
  export const html = builders.html;
  export const svg = builders.svg;
  export const markdown = builders.markdown;
  export const json = builders.json;
  /** A Vega-Lite chart: shown interactive in JupyterLab, with an SVG fallback for other front ends. */
  export const vegaLite = charts.vegaLite;
  export type PdfOptions = pdf.PdfOptions;
  export type SaveOptions = saving.SaveOptions;
  /** SVG markup rendered to PNG bytes (for a paper figure). */
  export const svgToPng = png.svgToPng;
  /** SVG markup as a one-page vector PDF whose labels stay text. */
  export const svgToPdf = pdf.svgToPdf;
  /** A result saved by the file's extension: .svg .png .pdf .json .vl.json, and for tables .csv .parquet .arrow .tex. */
  export const save = saving.save;
  export const VEGA_LITE_MIME = protocol.VEGA_LITE_MIME;
  /** An output that later calls replace in place: `const h = new display.DisplayHandle(); await h.update(x)`. */
  export const DisplayHandle = Handle;
  export type DisplayHandle = Handle;
  /** Clears the cell's output (after the next output when `wait` is true), as IPython's clear_output. */
  export const clearOutput = clear;
  /** The MIME bundle `display(value)` would show, without showing it. */
  export const toMimeBundle = bundleOf;
}
