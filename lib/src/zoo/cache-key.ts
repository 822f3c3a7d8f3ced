// What makes two cache keys equal: canonical JSON (object keys sorted at every depth, so the
// order a spec was typed in does not matter) and its SHA-256. Its own file because both the zoo
// cache (./cache.ts) and the builder's "same spec?" check on resume (./builder/build.ts) need
// it, and the cache imports the builder. A split's fingerprint lives here too: the cache key and
// the identity of data a user's module produced (./data-source.ts) both hash splits.

import { createHash } from 'node:crypto';
import type { DatasetSplit } from '../data/dataset';

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

/** A dataset's identity for cache keys: its name and the SHA-256 of its bytes. */
export interface DatasetFingerprint {
  name: string;
  sha256: string;
}

/** Name and SHA-256 of a train/test split: names, shapes and every feature, label and target byte. */
export function datasetFingerprint(split: DatasetSplit): DatasetFingerprint {
  const digest = createHash('sha256');
  for (const part of [split.train, split.test]) {
    digest.update(
      canonicalJson({
        name: part.name,
        size: part.size,
        features: part.features,
        classes: part.classes,
        image: part.image,
      }),
    );
    for (const array of [part.x, part.y, part.targets]) {
      digest.update(array ? Buffer.from(array.buffer, array.byteOffset, array.byteLength) : Buffer.alloc(0));
    }
  }
  return { name: split.train.name.replace(/\/train$/, ''), sha256: digest.digest('hex') };
}
