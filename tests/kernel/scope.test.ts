// The cells' shared scope (kernel/src/executor/scope.ts): imported names become plain bindings on
// their first read, and weightlab, as the prelude imports it, loads only when a cell first uses it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBindings, lazyModule } from '@weightlab/kernel/dist/executor/scope';
import { startKernel } from './support';

const TIMEOUT = 120_000;

/** A module shaped like TypeScript's CommonJS output: `__esModule` and non-configurable export getters. */
function compiledModule(): Record<string, unknown> {
  const exports: Record<string, unknown> = {};
  Object.defineProperty(exports, '__esModule', { value: true });
  const values = { width: 3, area: (side: number) => side * side };
  for (const [name, value] of Object.entries(values))
    Object.defineProperty(exports, name, { enumerable: true, get: () => value });
  return exports;
}

test('lazyModule loads on first use, once, and then behaves as the module', () => {
  let loads = 0;
  const lazy = lazyModule(() => {
    loads++;
    return compiledModule();
  }, true) as Record<string, unknown>;
  assert.equal(lazy.__esModule, true);
  assert.equal(loads, 0);
  assert.equal(lazy.width, 3);
  assert.equal((lazy.area as (side: number) => number)(4), 16);
  assert.equal(loads, 1);
  assert.deepEqual(Object.keys(lazy), ['width', 'area']);
  assert.ok('area' in lazy);
  assert.equal(Object.getOwnPropertyDescriptor(lazy, 'width')?.enumerable, true);
  assert.equal(loads, 1);
  // Enumerating first loads too (what `import *` of a module without __esModule does).
  let plainLoads = 0;
  const plain = lazyModule(() => {
    plainLoads++;
    return { height: 2 };
  }, false);
  assert.deepEqual({ ...plain }, { height: 2 });
  assert.equal(plainLoads, 1);
});

test('an imported binding is read when first used, then is a plain value a later cell can rebind', () => {
  const bindings = createBindings();
  let reads = 0;
  Object.defineProperty(bindings, 'relu', {
    enumerable: true,
    get: () => {
      reads++;
      return 'imported';
    },
  });
  assert.equal(reads, 0);
  assert.equal(bindings.relu, 'imported');
  assert.equal(bindings.relu, 'imported');
  assert.equal(reads, 1);
  Object.defineProperty(bindings, 'relu', { enumerable: true, value: 5 });
  assert.equal(bindings.relu, 5);
  // Rebinding before the first read never reads the import.
  Object.defineProperty(bindings, 'sigmoid', { enumerable: true, get: () => assert.fail('read') });
  Object.defineProperty(bindings, 'sigmoid', { enumerable: true, value: 'mine' });
  assert.equal(bindings.sigmoid, 'mine');
});

test('the first cell does not load weightlab; the first cell that uses it does', async () => {
  const kernel = await startKernel();
  try {
    const loaded = "Object.keys(require.cache).some((file) => file.endsWith('/lib/dist/index.js'))";
    const value = async (code: string) => {
      const { reply, messages } = await kernel.client.execute(code, { timeoutMs: TIMEOUT });
      assert.equal(reply.content.status, 'ok', JSON.stringify(reply.content));
      return messages.find((message) => message.header.msg_type === 'execute_result')?.content.data['text/plain'];
    };
    assert.equal(await value(loaded), 'false');
    assert.equal(await value("zoo.parseShard('1/3').count"), '3');
    assert.equal(await value(loaded), 'true');
    assert.equal(await value('typeof weightlab.spectral'), 'object');
  } finally {
    await kernel.shutdown();
  }
});
