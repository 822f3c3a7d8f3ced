// Options are data with defaults declared once: each verb exports its defaults object (documented
// in its options interface with @default) and calls resolveOptions, which (1) rejects a key the verb
// does not know, listing the ones it does, so a typo like `stpes` fails loudly instead of being
// ignored; (2) never lets an explicit `undefined` erase a default, which a `{...defaults, ...options}`
// merge does. The same check guards the setters of objects that keep their options (get/setParams).

import { ArgumentError } from '../errors';

/**
 * The defaults of a verb: every option key the verb knows, with its default value, or `undefined`
 * for an option that has no default (it stays optional in the result).
 */
export type OptionDefaults<Options extends object> = {
  readonly [K in keyof Required<Options>]: Options[K] | undefined;
};

/** Options with every defaulted key filled in. */
export type ResolvedOptions<Options extends object, Defaults> = Options & {
  [K in keyof Defaults as Defaults[K] extends undefined ? never : K]-?: Exclude<Options[K & keyof Options], undefined>;
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Like `describe`: one-line text of a value for an error message. */
function shortText(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value)
    ? 'an array'
    : `an object of ${Object.getPrototypeOf(value)?.constructor?.name ?? 'no class'}`;
}

/**
 * The options of `verb` with defaults filled in. Throws ArgumentError for options that are not an
 * object, and for a key not in `defaults` (naming the verb and listing the valid keys).
 */
export function resolveOptions<Options extends object, Defaults extends OptionDefaults<Options>>(
  verb: string,
  defaults: Defaults,
  options: Options | undefined,
): ResolvedOptions<Options, Defaults> {
  const resolved: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(defaults)) if (value !== undefined) resolved[key] = value;
  if (options === undefined || options === null) return resolved as ResolvedOptions<Options, Defaults>;
  if (!isPlainObject(options)) {
    throw new ArgumentError(`${verb} takes its options as a plain object`, {
      field: 'options',
      expected: 'an object such as { seed: 0 }',
      found: shortText(options),
    });
  }
  checkOptionKeys(verb, defaults, Object.keys(options));
  for (const [key, value] of Object.entries(options)) if (value !== undefined) resolved[key] = value;
  return resolved as ResolvedOptions<Options, Defaults>;
}

/** Throws ArgumentError when a key is not one of the verb's options. */
export function checkOptionKeys(verb: string, defaults: object, keys: readonly string[]): void {
  const valid = Object.keys(defaults);
  for (const key of keys) {
    if (Object.prototype.hasOwnProperty.call(defaults, key)) continue;
    const near = valid.filter((name) => editDistance(name.toLowerCase(), key.toLowerCase()) <= 2);
    throw new ArgumentError(
      `${verb} has no option '${key}'${near.length > 0 ? ` (did you mean ${near.map((n) => `'${n}'`).join(' or ')}?)` : ''}`,
      {
        field: key,
        expected: `one of ${valid.join(', ')}`,
        found: `'${key}'`,
      },
    );
  }
}

/** Levenshtein distance, for "did you mean" (option names are short). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
