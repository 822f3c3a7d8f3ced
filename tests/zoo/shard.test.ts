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

test('shardItemsBy keeps items of one key together and covers every item once', () => {
  // 7 cells x 3 seeds in grid order (seed innermost), as the zoo builder expands a grid.
  const items = Array.from({ length: 21 }, (_, i) => ({ cell: Math.floor(i / 3), seed: i % 3 }));
  for (let count = 1; count <= 8; count++) {
    const owner = new Map<number, number>();
    let total = 0;
    for (let index = 0; index < count; index++) {
      const part = zoo.shardItemsBy(items, (item) => String(item.cell), { index, count });
      total += part.length;
      for (const item of part) {
        assert.equal(owner.get(item.cell) ?? index, index, `cell ${item.cell} is in one shard only`);
        owner.set(item.cell, index);
      }
    }
    assert.equal(total, items.length);
    assert.equal(owner.size, 7);
  }
});
