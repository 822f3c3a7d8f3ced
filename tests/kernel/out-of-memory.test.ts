// A cell that fills the V8 heap ends the kernel process (V8 aborts it; no JavaScript runs to
// report it). Our client then gets a KernelDiedError saying so at once, instead of waiting for a
// reply that cannot come. The heap is limited to 192 MiB through NODE_OPTIONS, so it is quick.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { KernelDiedError, type RunningKernel } from '@weightlab/kernel/dist/client/launcher';
import { startKernel, streamText } from './support';

let kernel: RunningKernel;
before(async () => {
  kernel = await startKernel({ NODE_OPTIONS: '--max-old-space-size=192' });
});
after(async () => {
  await kernel?.shutdown();
});

test('out of memory: the execution rejects with KernelDiedError (SIGABRT, out of memory), and the process is gone', async () => {
  const before = await kernel.execute('console.log("still fine")', { timeoutMs: 60_000 });
  assert.equal(streamText(before.messages, 'stdout'), 'still fine\n');
  const started = Date.now();
  await assert.rejects(
    kernel.execute('const hoard: number[][] = [];\nwhile (true) hoard.push(new Array(100_000).fill(1.5));', {
      timeoutMs: 120_000,
    }),
    (error: unknown) => {
      assert.ok(error instanceof KernelDiedError, String(error));
      assert.equal(error.signal, 'SIGABRT');
      assert.equal(error.code, null);
      assert.match(error.reason ?? '', /ran out of memory \(V8 reached its heap limit/);
      assert.match(error.message, /^the kernel died \(killed by SIGABRT\); it ran out of memory/);
      assert.match(error.message, /JavaScript heap out of memory/);
      return true;
    },
  );
  assert.ok(Date.now() - started < 60_000, 'the death was noticed late');
  assert.equal(kernel.alive, false);
  assert.equal(await kernel.client.heartbeat(500), false);
});
