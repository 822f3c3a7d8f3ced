// A result table as a LaTeX table for a paper's appendix, in the booktabs style journals ask for
// (\toprule, \midrule, \bottomrule; no vertical rules): numbers right-aligned with a fixed number of
// decimals, text left-aligned, every LaTeX special character escaped so a column named
// `test_acc` or a model id with `%` compiles as written.

import { ArgumentError } from '../errors';
import { resolveOptions, type OptionDefaults } from '../options/resolve';

export interface LaTeXOptions {
  /**
   * Decimals of non-integer numbers (integers below 10^15 are written whole). A non-integer that
   * would show as zero at this precision, or is 10^6 or more, is written as m × 10^e with `digits`
   * decimals in m.
   * @default 3
   */
  digits?: number;
  /**
   * Caption; with a caption or a label the tabular is wrapped in a floating `table` environment.
   * @default undefined (the table's title when it has one, else none)
   */
  caption?: string;
  /**
   * `\label{...}` key for `\ref` (written as given: labels are not typeset).
   * @default undefined (no label)
   */
  label?: string;
}

/** Defaults of toLaTeX. */
export const LATEX_DEFAULTS = {
  digits: 3,
  caption: undefined,
  label: undefined,
} as const satisfies OptionDefaults<LaTeXOptions>;

const SPECIAL: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '{': '\\{',
  '}': '\\}',
  _: '\\_',
  '%': '\\%',
  '&': '\\&',
  '#': '\\#',
  $: '\\$',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
};

/** Text with LaTeX's special characters escaped (one pass, so an inserted backslash is not escaped again). */
export function escapeLaTeX(text: string): string {
  return text.replace(/[\\{}_%&#$~^]/g, (character) => SPECIAL[character]);
}

/** A number as LaTeX text: math minus for negatives, fixed decimals, × 10^e for the very small and large. */
function formatNumber(value: number, digits: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '$\\infty$' : '$-\\infty$';
  const minus = value < 0 ? '-' : '';
  const magnitude = Math.abs(value);
  if (
    magnitude !== 0 &&
    !(Number.isInteger(value) && magnitude < 1e15) &&
    (magnitude < 0.5 * 10 ** -digits || magnitude >= 1e6)
  ) {
    const [mantissa, exponent] = magnitude.toExponential(digits).split('e');
    return `$${minus}${mantissa} \\times 10^{${Number(exponent)}}$`;
  }
  const text = Number.isInteger(value) ? String(magnitude) : magnitude.toFixed(digits);
  // A text-mode hyphen is shorter than a minus sign: typeset it in math mode.
  return minus ? `$-$${text}` : text;
}

function formatCell(value: unknown, digits: number): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return formatNumber(value, digits);
  if (typeof value === 'bigint') return value < 0n ? `$-$${-value}` : String(value);
  if (value instanceof Date) return escapeLaTeX(value.toISOString());
  if (typeof value === 'object') return escapeLaTeX(JSON.stringify(value));
  return escapeLaTeX(String(value));
}

/**
 * A booktabs `tabular` of `columns` (names escaped, in order) and `rows`; a column is right-aligned
 * when every value in it that is present is a number.
 */
export function latexTable(
  columns: readonly string[],
  rows: readonly Record<string, unknown>[],
  options: LaTeXOptions & { title?: string } = {},
): string {
  const { title, ...rest } = options;
  const o = resolveOptions('toLaTeX', LATEX_DEFAULTS, rest);
  if (!(Number.isInteger(o.digits) && o.digits >= 0 && o.digits <= 20))
    throw new ArgumentError("toLaTeX's digits must be an integer from 0 to 20", {
      field: 'digits',
      expected: 'an integer in [0, 20]',
      found: String(o.digits),
    });
  if (o.label !== undefined && !/^[A-Za-z0-9:._\-+/]+$/.test(o.label))
    throw new ArgumentError("toLaTeX's label must be a \\label key", {
      field: 'label',
      expected: 'letters, digits and : . _ - + / (such as tab:htsr-layers)',
      found: JSON.stringify(o.label),
    });
  const alignment = columns
    .map((name) =>
      rows.every((row) => {
        const value = row[name];
        return value === null || value === undefined || typeof value === 'number' || typeof value === 'bigint';
      })
        ? 'r'
        : 'l',
    )
    .join('');
  const line = (cells: string[]) => `${cells.join(' & ')} \\\\`;
  const tabular = [
    `\\begin{tabular}{${alignment}}`,
    '\\toprule',
    line(columns.map(escapeLaTeX)),
    '\\midrule',
    ...rows.map((row) => line(columns.map((name) => formatCell(row[name], o.digits)))),
    '\\bottomrule',
    '\\end{tabular}',
  ];
  const caption = o.caption ?? title;
  if (caption === undefined && o.label === undefined) return `${tabular.join('\n')}\n`;
  return `${[
    '\\begin{table}[htbp]',
    '\\centering',
    ...(caption === undefined ? [] : [`\\caption{${escapeLaTeX(caption)}}`]),
    ...(o.label === undefined ? [] : [`\\label{${o.label}}`]),
    ...tabular,
    '\\end{table}',
  ].join('\n')}\n`;
}
