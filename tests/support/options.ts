// The check every options test makes: an unknown option key is an ArgumentError that names the
// verb and the key, and lists every valid key (the keys of the verb's *_DEFAULTS object).
import assert from 'node:assert/strict';
import { ArgumentError } from 'weightlab/internal';

/** For assert.throws / assert.rejects: true when `error` rejects `key` of `verb` listing all of `defaults`' keys. */
export function rejectsUnknownKey(error: unknown, verb: string, key: string, defaults: object): boolean {
  assert.ok(error instanceof ArgumentError, String(error));
  assert.match(error.message, new RegExp(`${verb} has no option '${key}'`));
  assert.equal(error.details.field, key);
  for (const valid of Object.keys(defaults)) assert.match(String(error.details.expected), new RegExp(`\\b${valid}\\b`));
  return true;
}
