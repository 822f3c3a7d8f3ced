// Shards partition a zoo's work: for every count N, the N shards together hold each item exactly
// once (checked against a set union, not the rule itself), a shard's items keep their order,
// and malformed "I/N" text is an ArgumentError naming the option.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ArgumentError, zoo } from 'weightlab';

test('the N shards cover every item exactly once, in order, with sizes within one', () => {
  const items = Array.from({ length: 37 }, (_, i) => `m${i}`);
  for (let count = 1; count <= 9; count++) {
    const seen = new Map<string, number>();
    const sizes: number[] = [];
    for (let index = 0; index < count; index++) {
      const part = zoo.shardItems(items, zoo.parseShard(`${index}/${count}`));
      sizes.push(part.length);
      const positions = part.map((item) => items.indexOf(item));
      assert.deepEqual(
        positions,
        [...positions].sort((a, b) => a - b),
      );
      for (const item of part) seen.set(item, (seen.get(item) ?? 0) + 1);
    }
    assert.equal(seen.size, items.length);
    assert.ok([...seen.values()].every((times) => times === 1));
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1);
  }
});

test('"I/N" parses with 0-based I and round-trips; bad text is an ArgumentError', () => {
  assert.deepEqual(zoo.parseShard(' 3 / 4 '), { index: 3, count: 4 });
  assert.equal(zoo.formatShard(zoo.parseShard('0/1')), '0/1');
  for (const bad of ['4/4', '1/0', '-1/3', 'a/b', '1', '1/2/3', ''])
    assert.throws(
      () => zoo.parseShard(bad, 'shard'),
      (error: unknown) => error instanceof ArgumentError && (error as ArgumentError).details.field === 'shard',
    );
});
