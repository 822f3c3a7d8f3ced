// Interrupts: a synchronous infinite loop and a pending await, stopped by SIGINT and by
// interrupt_request on the control channel; heartbeat and control stay answered meanwhile.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningKernel } from '@weightlab/kernel/dist/client/launcher';
import { startKernel, waitUntil } from './support';

let kernel: RunningKernel;
before(async () => {
  kernel = await startKernel();
});
after(async () => {
  await kernel?.shutdown();
});

const TIMEOUT = 60_000;

/** Starts `code`, waits until it is running, interrupts with `how`, returns the reply. */
async function interrupted(code: string, how: () => Promise<unknown> | void) {
  const running = kernel.client.start('shell', kernel.client.executeMessage(code));
  try {
    assert.ok(
      await waitUntil(() => running.messages.some((message) => message.header.msg_type === 'execute_input'), TIMEOUT),
      'the cell never started',
    );
    // Give the cell time to get past type-checking into its loop.
    await new Promise((resolve) => setTimeout(resolve, 500));
    await how();
    return (
      await Promise.race([
        running.done,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`no reply after the interrupt; kernel stderr:\n${kernel.stderr}`)), 20_000),
        ),
      ])
    ).reply;
  } finally {
    running.dispose();
  }
}

test('SIGINT stops a synchronous infinite loop', async () => {
  const reply = await interrupted('let spins = 0;\nwhile (true) { spins++; }', () => kernel.signalInterrupt());
  assert.equal(reply.content.status, 'error');
  assert.equal(reply.content.ename, 'KeyboardInterrupt');
  const after = await kernel.client.execute('"alive"', { timeoutMs: TIMEOUT });
  assert.equal(after.reply.content.status, 'ok');
});

test('heartbeat and control keep answering while a cell blocks the main thread', async () => {
  const running = kernel.client.start('shell', kernel.client.executeMessage('while (true) {}'));
  try {
    assert.ok(
      await waitUntil(() => running.messages.some((message) => message.header.msg_type === 'execute_input'), TIMEOUT),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(await kernel.client.heartbeat(2000), true);
    const info = await kernel.client.request('control', 'kernel_info_request', {}, 5000);
    assert.equal(info.content.status, 'ok');
    const interrupt = await kernel.client.request('control', 'interrupt_request', {}, 5000);
    assert.equal(interrupt.content.status, 'ok');
    const { reply } = await running.done;
    assert.equal(reply.content.ename, 'KeyboardInterrupt');
  } finally {
    running.dispose();
  }
});

test('interrupt_request on control stops a synchronous loop inside a function', async () => {
  const reply = await interrupted('function spin(): never { for (;;) {} }\nspin()', () =>
    kernel.client.request('control', 'interrupt_request', {}, 5000),
  );
  assert.equal(reply.content.ename, 'KeyboardInterrupt');
});

test('interrupt_request stops a pending await and aborts the cell signal', async () => {
  const reply = await interrupted(
    `const host = (globalThis as any)[Symbol.for('weightlab.kernelHost')];
host.signal.addEventListener('abort', () => { (globalThis as any).abortedBySignal = true; });
await new Promise(() => {});`,
    () => kernel.client.request('control', 'interrupt_request', {}, 5000),
  );
  assert.equal(reply.content.ename, 'KeyboardInterrupt');
  const check = await kernel.client.execute('(globalThis as any).abortedBySignal', { timeoutMs: TIMEOUT });
  assert.equal(
    check.messages.find((message) => message.header.msg_type === 'execute_result')?.content.data['text/plain'],
    'true',
  );
});

test('SIGINT stops a pending await too, and the kernel runs the next cell', async () => {
  const reply = await interrupted('await new Promise((resolve) => setTimeout(resolve, 600_000));', () =>
    kernel.signalInterrupt(),
  );
  assert.equal(reply.content.ename, 'KeyboardInterrupt');
  const after = await kernel.client.execute('[1, 2].length', { timeoutMs: TIMEOUT });
  assert.equal(after.reply.content.status, 'ok');
});
