// Input checks every statistic shares, so that bad samples fail the same way everywhere: an
// ArgumentError naming the argument (and the index of a bad value), what was expected and what was
// found, instead of a NaN result that a notebook check would silently compare against.

import { ArgumentError } from '../errors';

/** A sample: a plain array or a typed array of numbers. */
export type Sample = ArrayLike<number>;

/** Which side a test looks at: 'greater' means the effect (correlation, slope, a - b) is positive. */
export type Alternative = 'two-sided' | 'greater' | 'less';

/** The sample as float64, after checking it is an array of at least `minimum` finite numbers. */
export function checkSample(values: Sample, field: string, minimum: number, verb: string): Float64Array {
  if (values === null || typeof values !== 'object' || typeof (values as ArrayLike<number>).length !== 'number') {
    throw new ArgumentError(`${verb} takes '${field}' as an array of numbers`, { field, expected: 'an array or typed array of numbers', found: values === null ? 'null' : typeof values });
  }
  if (values.length < minimum) {
    throw new ArgumentError(`${verb} needs at least ${minimum} values in '${field}'`, { field, expected: `n >= ${minimum}`, found: `n = ${values.length}` });
  }
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ArgumentError(`${verb} needs finite numbers in '${field}'`, { field: `${field}[${i}]`, expected: 'a finite number', found: typeof value === 'number' ? String(value) : typeof value });
    }
    out[i] = value;
  }
  return out;
}

/** Checks that paired samples have the same length. */
export function checkSameLength(verb: string, first: { name: string; values: Float64Array }, ...others: { name: string; values: Float64Array }[]): void {
  for (const other of others) {
    if (other.values.length !== first.values.length) {
      throw new ArgumentError(`${verb} pairs '${first.name}' with '${other.name}' value by value, so they need the same length`, { field: other.name, expected: `length ${first.values.length} (as '${first.name}')`, found: `length ${other.values.length}` });
    }
  }
}

/** Checks a confidence level (0 < level < 1). */
export function checkLevel(level: number, verb: string): void {
  if (!(typeof level === 'number' && level > 0 && level < 1)) {
    throw new ArgumentError(`${verb} takes a confidence level between 0 and 1`, { field: 'level', expected: '0 < level < 1 (e.g. 0.95)', found: String(level) });
  }
}

const ALTERNATIVES: readonly Alternative[] = ['two-sided', 'greater', 'less'];

/** Checks the `alternative` option. */
export function checkAlternative(alternative: string, verb: string): void {
  if (!ALTERNATIVES.includes(alternative as Alternative)) {
    throw new ArgumentError(`${verb} has no alternative '${alternative}'`, { field: 'alternative', expected: ALTERNATIVES.join(', '), found: `'${alternative}'` });
  }
}

/** The p-value of a statistic whose null distribution has upper tail `upperTail` (symmetric about 0). */
export function symmetricPValue(statistic: number, upperTail: (value: number) => number, alternative: Alternative): number {
  if (alternative === 'greater') return upperTail(statistic);
  if (alternative === 'less') return upperTail(-statistic);
  return Math.min(1, 2 * upperTail(Math.abs(statistic)));
}

/** Arithmetic mean. */
export function mean(values: Float64Array): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/** Sum of squared deviations from the mean (two-pass, so large offsets do not cancel). */
export function sumOfSquares(values: Float64Array, centre: number = mean(values)): number {
  let sum = 0;
  for (const value of values) sum += (value - centre) ** 2;
  return sum;
}
