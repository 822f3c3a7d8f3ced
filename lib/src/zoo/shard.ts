// Shards: a deterministic partition of a zoo's work (the models of a build, the cells or
// checkpoints of a measurement) so N processes (SLURM array tasks, Kubernetes Indexed Job
// pods, or plain shells) can each take one part without talking to each other. Indices are
// 0-based, like SLURM_ARRAY_TASK_ID under `--array=0-(N-1)` and Kubernetes'
// JOB_COMPLETION_INDEX, so a scheduler's index is passed through unchanged.
//
// Items (or groups of items that must stay together: shardItemsBy) are dealt round-robin in their
// canonical order (the grid order of expandGrid, the zoo's model order): every shard gets a share of every architecture and batch size, so shards
// take similar time, and the assignment depends only on (position, count), never on what is
// already done, so a resumed or repeated shard does the same work.

import { ArgumentError } from '../errors';

/** One part of N: `index` in 0..count-1. */
export interface Shard {
  index: number;
  count: number;
}

/** The whole work as one shard. */
export const WHOLE: Shard = { index: 0, count: 1 };

/** Parses "I/N" (0-based I, as a scheduler's array index); `field` names the option in errors. */
export function parseShard(text: string, field = 'shard'): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match)
    throw new ArgumentError(`${field} must be I/N (0-based shard I of N, e.g. 0/4)`, {
      field,
      expected: 'I/N with 0 <= I < N',
      found: JSON.stringify(text),
    });
  return checkShard({ index: Number(match[1]), count: Number(match[2]) }, field);
}

/** Checks a shard given as data (an options object); returns it. */
export function checkShard(shard: Shard, field = 'shard'): Shard {
  const { index, count } = shard ?? ({} as Shard);
  if (!(Number.isSafeInteger(count) && count >= 1 && Number.isSafeInteger(index) && index >= 0 && index < count))
    throw new ArgumentError(`${field} must have 0 <= index < count`, {
      field,
      expected: 'a shard {index, count} with integer 0 <= index < count',
      found: JSON.stringify(shard),
    });
  return { index, count };
}

/** Whether the item at `position` (0-based, canonical order) belongs to `shard`. */
export function inShard(position: number, shard: Shard): boolean {
  return position % shard.count === shard.index;
}

/** The items of `shard`, in their order. */
export function shardItems<T>(items: readonly T[], shard: Shard): T[] {
  return items.filter((_, position) => inShard(position, shard));
}

/**
 * The items of `shard` when items sharing a key must stay together (the seeds of one grid cell:
 * the zoo builder trains a cell's same-shaped models in one lockstep group, and the phase
 * metrics compare them): the keys, in order of first appearance, are dealt round-robin.
 */
export function shardItemsBy<T>(items: readonly T[], keyOf: (item: T) => string, shard: Shard): T[] {
  const order = new Map<string, number>();
  for (const item of items) {
    const key = keyOf(item);
    if (!order.has(key)) order.set(key, order.size);
  }
  return items.filter((item) => inShard(order.get(keyOf(item))!, shard));
}

/** "I/N", as written on the command line and in file names' shard tags. */
export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}
