// DOM construction from data only. The renderers are registered `safe: true`, so they run
// in untrusted notebooks: every string from a payload goes through textContent or a
// setAttribute of a known, non-script attribute, never through innerHTML.

const SVG_NS = 'http://www.w3.org/2000/svg';

type Child = Node | string | null | undefined | false;

function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** An HTML element with class names, attributes and children (strings become text nodes). */
export function html<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: { className?: string; attributes?: Record<string, string>; dataset?: Record<string, string> } = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (options.className) element.className = options.className;
  for (const [name, value] of Object.entries(options.attributes ?? {})) element.setAttribute(name, value);
  for (const [name, value] of Object.entries(options.dataset ?? {})) element.dataset[name] = value;
  append(element, children);
  return element;
}

/** An SVG element with attributes (numbers are written as they are) and children. */
export function svg(tag: string, attributes: Record<string, string | number> = {}, ...children: Child[]): SVGElement {
  const element = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  append(element, children);
  return element;
}

/** A labelled <select> over `options` (a value, or a value with the text shown for it); calls `onChange` with the chosen value. */
export function select(
  label: string,
  options: (string | { value: string; text: string })[],
  value: string,
  onChange: (value: string) => void,
  role: string,
): HTMLLabelElement {
  const control = html('select', { dataset: { role } });
  for (const option of options) {
    const { value: optionValue, text } = typeof option === 'string' ? { value: option, text: option } : option;
    control.appendChild(html('option', { attributes: { value: optionValue } }, text));
  }
  control.value = value;
  control.addEventListener('change', () => onChange(control.value));
  return html('label', { className: 'wl-control' }, `${label} `, control);
}

/** A small text error box (a bad payload must not take the notebook down). */
export function errorBox(message: string): HTMLElement {
  return html('pre', { className: 'wl-error' }, message);
}

/** Formats a table value compactly for tooltips and lists. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return String(value);
    const magnitude = Math.abs(value);
    return magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e5) ? value.toExponential(3) : value.toPrecision(4);
  }
  return String(value);
}

/** The value of a JupyterLab CSS variable on `element`, or `fallback` outside JupyterLab. */
export function cssVariable(element: Element, name: string, fallback: string): string {
  const value = getComputedStyle(element).getPropertyValue(name).trim();
  return value || fallback;
}

let measuring: CanvasRenderingContext2D | null | undefined;

/** Width in pixels of `text` in the CSS `font` (e.g. '12px sans-serif'), measured on an offscreen canvas. */
export function textWidth(text: string, font: string): number {
  measuring ??= document.createElement('canvas').getContext('2d');
  if (!measuring) return text.length * parseFloat(font) * 0.6;
  measuring.font = font;
  return measuring.measureText(text).width;
}
