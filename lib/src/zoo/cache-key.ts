// What makes two cache keys equal: canonical JSON (object keys sorted at every depth, so the
// order a spec was typed in does not matter) and its SHA-256. Its own file because both the zoo
// cache (./cache.ts) and the builder's "same spec?" check on resume (./builder/build.ts) need
// it, and the cache imports the builder.

import { createHash } from 'node:crypto';

/**
 * JSON with the keys of every object sorted, arrays kept in order, and undefined members left
 * out (as JSON.stringify does), so equal values give equal text whatever their key order.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    if (member !== undefined) sorted[key] = sortKeys(member);
  }
  return sorted;
}

/** Hex SHA-256 of the canonical JSON of `value`. */
export function canonicalHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
