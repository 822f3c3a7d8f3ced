// Malformed input on the shell socket (bad signature, missing delimiter, garbage, non-JSON
// frames) is dropped or answered with an error reply; the kernel keeps working.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningKernel } from '@weightlab/kernel/dist/client/launcher';
import { encode } from '@weightlab/kernel/dist/wire/message';
import { SIGNATURE_HISTORY, Signer } from '@weightlab/kernel/dist/wire/signer';
import { assertStillWorks, executeThenReplay, startKernel } from './support';

let kernel: RunningKernel;
before(async () => {
  kernel = await startKernel();
});
after(async () => {
  await kernel?.shutdown();
});

const TIMEOUT = 60_000;

const stillWorks = (): Promise<void> => assertStillWorks(kernel, TIMEOUT);

test('a message with a bad signature is dropped, not run', async () => {
  const message = kernel.client.executeMessage('(globalThis as any).forged = true;');
  const frames = encode(message, new Signer(kernel.info.key, kernel.info.signature_scheme));
  frames[1] = Buffer.from('0'.repeat(64));
  await kernel.client.sendFrames('shell', frames);
  await stillWorks();
  const { messages } = await kernel.client.execute('typeof (globalThis as any).forged', { timeoutMs: TIMEOUT });
  assert.equal(
    messages.find((output) => output.header.msg_type === 'execute_result')?.content.data['text/plain'],
    'undefined',
  );
});

test('frames without a delimiter, garbage, and too few frames are dropped', async () => {
  await kernel.client.sendFrames('shell', [Buffer.from('garbage')]);
  await kernel.client.sendFrames('shell', [Buffer.from('<IDS|MSG>'), Buffer.from('sig')]);
  await kernel.client.sendFrames('shell', [
    Buffer.from([0xff, 0x00, 0xfe]),
    Buffer.from('<IDS|MSG>'),
    Buffer.from(''),
    Buffer.from('{'),
    Buffer.from('{}'),
    Buffer.from('{}'),
    Buffer.from('{}'),
  ]);
  await stillWorks();
});

test('a signed message with a readable header but non-JSON content gets an error reply', async () => {
  const signer = new Signer(kernel.info.key, kernel.info.signature_scheme);
  const message = kernel.client.newMessage('execute_request', {});
  const parts = [JSON.stringify(message.header), '{}', '{}', 'this is not JSON'].map((part) => Buffer.from(part));
  const answer = kernel.client.expectReply(message.header.msg_id, TIMEOUT);
  await kernel.client.sendFrames('shell', [Buffer.from('<IDS|MSG>'), Buffer.from(signer.sign(parts)), ...parts]);
  const reply = await answer;
  assert.equal(reply.header.msg_type, 'execute_reply');
  assert.equal(reply.content.status, 'error');
  assert.equal(reply.content.ename, 'MalformedMessage');
  await stillWorks();
});

test('a header without msg_type is dropped', async () => {
  const signer = new Signer(kernel.info.key, kernel.info.signature_scheme);
  const parts = [JSON.stringify({ msg_id: 'x', session: 's' }), '{}', '{}', '{}'].map((part) => Buffer.from(part));
  await kernel.client.sendFrames('shell', [Buffer.from('<IDS|MSG>'), Buffer.from(signer.sign(parts)), ...parts]);
  await stillWorks();
});

test('a replayed signed message is refused: the cell runs once (ipykernel rejects duplicate signatures too)', async () => {
  await executeThenReplay(
    kernel,
    '(globalThis as any).replayCount = ((globalThis as any).replayCount ?? 0) + 1;',
    TIMEOUT,
  );
  await stillWorks();
  const { messages } = await kernel.client.execute('(globalThis as any).replayCount', { timeoutMs: TIMEOUT });
  assert.equal(messages.find((output) => output.header.msg_type === 'execute_result')?.content.data['text/plain'], '1');
});

test('the signature history is bounded and forgets the oldest first', () => {
  const signer = new Signer('key', 'hmac-sha256', { rejectReplays: true });
  const frames = (index: number): Buffer[] => [
    Buffer.from(JSON.stringify({ msg_id: String(index) })),
    Buffer.from('{}'),
    Buffer.from('{}'),
    Buffer.from('{}'),
  ];
  const first = signer.sign(frames(0));
  assert.equal(signer.check(first, frames(0)), 'valid');
  assert.equal(signer.check(first, frames(0)), 'replayed');
  assert.equal(signer.check('0'.repeat(64), frames(0)), 'invalid');
  for (let index = 1; index <= SIGNATURE_HISTORY; index += 1) signer.check(signer.sign(frames(index)), frames(index));
  // 65,537 accepted: the oldest tenth was forgotten, the newest are still refused.
  assert.equal(signer.check(first, frames(0)), 'valid');
  const last = signer.sign(frames(SIGNATURE_HISTORY));
  assert.equal(signer.check(last, frames(SIGNATURE_HISTORY)), 'replayed');
});
