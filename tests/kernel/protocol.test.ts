// The kernel over the real wire protocol: kernel_info, results and displays, the preloaded
// library, completion, inspection, history, is_complete, errors, comms and user_expressions.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningKernel } from '@weightlab/kernel/dist/client/launcher';
import { outputsOf, startKernel, streamText } from './support';

let kernel: RunningKernel;
before(async () => {
  kernel = await startKernel();
});
after(async () => {
  await kernel?.shutdown();
});

const TIMEOUT = 60_000;

test('kernel_info_reply describes a TypeScript kernel', () => {
  const content = kernel.kernelInfo!.content;
  assert.equal(content.status, 'ok');
  assert.equal(content.protocol_version, '5.3');
  assert.equal(content.implementation, 'weightlab');
  assert.equal(content.language_info.name, 'typescript');
  assert.match(content.language_info.version, /^5\.\d+\.\d+$/);
  assert.equal(content.language_info.file_extension, '.ts');
  assert.equal(content.language_info.mimetype, 'text/typescript');
  // The banner names what a cell gets without an import: the public namespaces (from prelude.json).
  assert.match(
    content.banner,
    /^weightlab \S+: TypeScript 5\.\d+\.\d+ on Node\.js v\d+\.\d+\.\d+, with weightlab's public API preloaded: its flat names, the namespaces ([a-z]+, )+[a-z]+, and all of it as weightlab\.\*$/,
  );
  for (const namespace of ['display', 'spectral', 'zoo', 'manifold', 'backend'])
    assert.match(content.banner, new RegExp(`\\b${namespace}\\b`));
  assert.ok(Array.isArray(content.help_links) && content.help_links.length > 0);
});

test('execute publishes busy, execute_input, streams, execute_result and idle in order', async () => {
  const { reply, messages } = await kernel.client.execute('console.log("hello"); console.error("warn"); 6 * 7', {
    timeoutMs: TIMEOUT,
  });
  assert.equal(reply.content.status, 'ok');
  const types = messages.map((message) =>
    message.header.msg_type === 'status' ? `status:${message.content.execution_state}` : message.header.msg_type,
  );
  assert.equal(types[0], 'status:busy');
  assert.equal(types[1], 'execute_input');
  assert.equal(types[types.length - 1], 'status:idle');
  assert.equal(streamText(messages, 'stdout'), 'hello\n');
  assert.equal(streamText(messages, 'stderr'), 'warn\n');
  const [result] = outputsOf(messages, 'execute_result');
  assert.equal(result.content.data['text/plain'], '42');
  assert.equal(result.content.execution_count, reply.content.execution_count);
  assert.equal(outputsOf(messages, 'execute_input')[0].content.execution_count, reply.content.execution_count);
});

test('a displayable last expression gives the full MIME bundle as execute_result', async () => {
  const code = `class Manifold {
  [Symbol.for('weightlab.mimeBundle')]() {
    return { data: { 'application/vnd.weightlab.manifold.v1+json': { points: 3 }, 'image/svg+xml': '<svg/>', 'text/plain': 'Manifold(3)' }, metadata: { 'image/svg+xml': { isolated: true } } };
  }
}
new Manifold()`;
  const { reply, messages } = await kernel.client.execute(code, { timeoutMs: TIMEOUT });
  assert.equal(reply.content.status, 'ok');
  const [result] = outputsOf(messages, 'execute_result');
  assert.deepEqual(result.content.data, {
    'application/vnd.weightlab.manifold.v1+json': { points: 3 },
    'image/svg+xml': '<svg/>',
    'text/plain': 'Manifold(3)',
  });
  assert.deepEqual(result.content.metadata, { 'image/svg+xml': { isolated: true } });
});

test('undefined results publish nothing; a promise result is awaited', async () => {
  const quiet = await kernel.client.execute('let nothing: undefined = undefined; nothing', { timeoutMs: TIMEOUT });
  assert.equal(outputsOf(quiet.messages, 'execute_result').length, 0);
  const awaited = await kernel.client.execute('Promise.resolve(5)', { timeoutMs: TIMEOUT });
  assert.equal(outputsOf(awaited.messages, 'execute_result')[0].content.data['text/plain'], '5');
});

test("lib's display() works with no import, and a display handle updates in place", async () => {
  const { reply, messages } = await kernel.client.execute(
    `display({ [Symbol.for('weightlab.mimeBundle')]: () => ({ data: { 'text/html': '<i>hi</i>', 'text/plain': 'hi' } }) });
const handle = new display.DisplayHandle('progress-1');
await handle.update('step 1');
await handle.update('step 2');`,
    { timeoutMs: TIMEOUT },
  );
  assert.equal(reply.content.status, 'ok', JSON.stringify(reply.content));
  const displays = outputsOf(messages, 'display_data');
  assert.ok(displays.some((message) => message.content.data['text/html'] === '<i>hi</i>'));
  assert.ok(
    displays.some(
      (message) =>
        message.content.transient.display_id === 'progress-1' && message.content.data['text/plain'] === 'step 1',
    ),
  );
  const [update] = outputsOf(messages, 'update_display_data');
  assert.equal(update.content.transient.display_id, 'progress-1');
  assert.equal(update.content.data['text/plain'], 'step 2');
});

test('preloaded names are type-checked: a wrong argument is a TypeScriptError', async () => {
  const { reply, messages } = await kernel.client.execute(
    'const shown: Promise<void> = display(1);\nconst wrong: number = weightlab.backendInfo().matmul;',
    { timeoutMs: TIMEOUT },
  );
  assert.equal(reply.content.status, 'error');
  assert.equal(reply.content.ename, 'TypeScriptError');
  assert.match(reply.content.evalue, /^2:7 - Type 'string' is not assignable to type 'number'/);
  assert.equal(outputsOf(messages, 'error').length, 1);
});

test('users may shadow a preloaded name and keep the others', async () => {
  const { reply, messages } = await kernel.client.execute('const digits = 5;\n[digits + 1, typeof display]', {
    timeoutMs: TIMEOUT,
  });
  assert.equal(reply.content.status, 'ok', JSON.stringify(reply.content));
  assert.equal(outputsOf(messages, 'execute_result')[0].content.data['text/plain'], "[ 6, 'function' ]");
});

test('bindings carry across cells, and so do types', async () => {
  await kernel.client.execute('interface Point { x: number; y: number }\nconst origin: Point = { x: 0, y: 0 };', {
    timeoutMs: TIMEOUT,
  });
  const { reply, messages } = await kernel.client.execute(
    'const moved: Point = { ...origin, x: 2 };\nmoved.x + moved.y',
    { timeoutMs: TIMEOUT },
  );
  assert.equal(reply.content.status, 'ok', JSON.stringify(reply.content));
  assert.equal(outputsOf(messages, 'execute_result')[0].content.data['text/plain'], '2');
});

test('completion offers preloaded names, namespaces and their members; cursor positions count code points', async () => {
  const preloaded = await kernel.client.request(
    'shell',
    'complete_request',
    { code: 'weightManif', cursor_pos: 11 },
    TIMEOUT,
  );
  assert.equal(preloaded.content.status, 'ok');
  assert.ok(preloaded.content.matches.includes('weightManifold'), JSON.stringify(preloaded.content.matches));
  assert.equal(preloaded.content.cursor_start, 0);
  assert.equal(preloaded.content.cursor_end, 11);
  // '😀' is one code point and two UTF-16 units: positions must stay in code points.
  const code = 'const s = "😀"; Math.ma';
  const astral = await kernel.client.request(
    'shell',
    'complete_request',
    { code, cursor_pos: [...code].length },
    TIMEOUT,
  );
  assert.ok(astral.content.matches.includes('max'));
  assert.equal(astral.content.cursor_end, [...code].length);
  assert.equal(astral.content.cursor_start, [...code].length - 2);
  // The public surface: `weightlab.` lists the namespaces, and each namespace completes its members.
  const complete = async (text: string) =>
    (await kernel.client.request('shell', 'complete_request', { code: text, cursor_pos: [...text].length }, TIMEOUT))
      .content.matches as string[];
  const members = await complete('weightlab.');
  for (const name of [
    'display',
    'io',
    'zoo',
    'spectral',
    'landscape',
    'phases',
    'bias',
    'align',
    'generate',
    'manifold',
    'backend',
    'data',
    'train',
    'analyze',
  ]) {
    assert.ok(members.includes(name), `weightlab.${name} missing from ${JSON.stringify(members)}`);
  }
  assert.ok(
    !members.includes('denseMatrix') && !members.includes('weightlabMimeType'),
    'internals stay out of weightlab.',
  );
  assert.ok((await complete('spectral.')).includes('analyze'));
  const displayMembers = await complete('display.');
  for (const name of ['html', 'markdown', 'vegaLite', 'DisplayHandle', 'clearOutput'])
    assert.ok(displayMembers.includes(name), `display.${name} missing from ${JSON.stringify(displayMembers)}`);
  const manifoldMembers = await complete('manifold.');
  assert.ok(manifoldMembers.includes('weightManifold') && manifoldMembers.includes('randomizedPca'));
  assert.ok(
    !manifoldMembers.includes('embedZoo') && !manifoldMembers.includes('denseMatrix'),
    JSON.stringify(manifoldMembers),
  );
});

test('display(x) and display.html(...) both work in a cell', async () => {
  const { reply, messages } = await kernel.client.execute(
    "await display(display.html('<b>x</b>', 'x'));\ndisplay.html('<i>y</i>', 'y')",
    { timeoutMs: TIMEOUT },
  );
  assert.equal(reply.content.status, 'ok', JSON.stringify(reply.content));
  const [shown] = outputsOf(messages, 'display_data');
  assert.deepEqual(shown.content.data, { 'text/html': '<b>x</b>', 'text/plain': 'x' });
  const [result] = outputsOf(messages, 'execute_result');
  assert.deepEqual(result.content.data, { 'text/html': '<i>y</i>', 'text/plain': 'y' });
});

test('inspect returns TypeScript quick info as text and markdown', async () => {
  const reply = await kernel.client.request(
    'shell',
    'inspect_request',
    { code: 'matrix', cursor_pos: 6, detail_level: 0 },
    TIMEOUT,
  );
  assert.equal(reply.content.status, 'ok');
  assert.equal(reply.content.found, true);
  assert.match(reply.content.data['text/plain'], /matrix\(rows: number, cols: number/);
  assert.match(reply.content.data['text/markdown'], /```typescript/);
  const missing = await kernel.client.request(
    'shell',
    'inspect_request',
    { code: '   ', cursor_pos: 1, detail_level: 0 },
    TIMEOUT,
  );
  assert.equal(missing.content.found, false);
});

test('`name?` pages the quick info, as in IPython', async () => {
  const { reply } = await kernel.client.execute('Math.max?', { timeoutMs: TIMEOUT });
  assert.equal(reply.content.status, 'ok');
  assert.equal(reply.content.payload[0].source, 'page');
  assert.match(reply.content.payload[0].data['text/plain'], /max\(/);
});

test('is_complete tells complete from incomplete code', async () => {
  const complete = await kernel.client.request('shell', 'is_complete_request', { code: 'const a = 1;' }, TIMEOUT);
  assert.equal(complete.content.status, 'complete');
  const open = await kernel.client.request('shell', 'is_complete_request', { code: 'function f() {' }, TIMEOUT);
  assert.equal(open.content.status, 'incomplete');
  assert.equal(typeof open.content.indent, 'string');
});

test('history answers tail, range and search over this session', async () => {
  await kernel.client.execute('const historyMarker = 1;', { timeoutMs: TIMEOUT });
  await kernel.client.execute('historyMarker + 1', { timeoutMs: TIMEOUT });
  const tail = await kernel.client.request(
    'shell',
    'history_request',
    { output: true, raw: true, hist_access_type: 'tail', n: 2 },
    TIMEOUT,
  );
  assert.equal(tail.content.status, 'ok');
  assert.deepEqual(
    tail.content.history.map((row: unknown[]) => row[2]),
    [
      ['const historyMarker = 1;', null],
      ['historyMarker + 1', '2'],
    ],
  );
  const [session, line] = tail.content.history[1];
  const range = await kernel.client.request(
    'shell',
    'history_request',
    { output: false, raw: true, hist_access_type: 'range', session, start: line, stop: line + 1 },
    TIMEOUT,
  );
  assert.deepEqual(range.content.history, [[session, line, 'historyMarker + 1']]);
  const search = await kernel.client.request(
    'shell',
    'history_request',
    { output: false, raw: true, hist_access_type: 'search', pattern: '*historyMarker*', unique: true },
    TIMEOUT,
  );
  assert.equal(search.content.history.length, 2);
});

test('a throwing cell reports ename/evalue/traceback, then the kernel still works', async () => {
  const { reply, messages } = await kernel.client.execute(
    'function explode() { throw new RangeError("boom"); }\nexplode()',
    { timeoutMs: TIMEOUT },
  );
  assert.equal(reply.content.status, 'error');
  assert.equal(reply.content.ename, 'RangeError');
  assert.equal(reply.content.evalue, 'boom');
  assert.equal(reply.content.traceback[0], 'RangeError: boom');
  assert.ok(
    reply.content.traceback.some((line: string) => line.includes('<cell')),
    reply.content.traceback.join('\n'),
  );
  assert.ok(
    !reply.content.traceback.some((line: string) => line.includes('kernel/dist') || line.includes('node:vm')),
    reply.content.traceback.join('\n'),
  );
  const [error] = outputsOf(messages, 'error');
  assert.deepEqual(error.content, { ename: 'RangeError', evalue: 'boom', traceback: reply.content.traceback });
  const after = await kernel.client.execute('"still alive"', { timeoutMs: TIMEOUT });
  assert.equal(after.reply.content.status, 'ok');
});

test('an unhandled rejection lands on stderr of the cell instead of killing the kernel', async () => {
  const { reply } = await kernel.client.execute(
    'Promise.reject(new Error("nobody listens")); await new Promise((resolve) => setTimeout(resolve, 50));',
    { timeoutMs: TIMEOUT },
  );
  assert.equal(reply.content.status, 'ok');
  const after = await kernel.client.execute('1', { timeoutMs: TIMEOUT });
  assert.equal(after.reply.content.status, 'ok');
});

test('silent executions publish nothing and do not count', async () => {
  const before = await kernel.client.execute('1', { timeoutMs: TIMEOUT });
  const silent = await kernel.client.execute('console.log("hidden"); 2', { silent: true, timeoutMs: TIMEOUT });
  assert.equal(silent.reply.content.status, 'ok');
  assert.deepEqual(
    silent.messages.map((message) => message.header.msg_type),
    ['status', 'status'],
  );
  assert.equal(silent.reply.content.execution_count, before.reply.content.execution_count);
});

test('user_expressions are evaluated after the cell', async () => {
  const { reply } = await kernel.client.execute('const base = 20;', {
    userExpressions: { doubled: 'base * 2', broken: 'base.nope()' },
    timeoutMs: TIMEOUT,
  });
  assert.equal(reply.content.user_expressions.doubled.status, 'ok');
  assert.equal(reply.content.user_expressions.doubled.data['text/plain'], '40');
  assert.equal(reply.content.user_expressions.broken.status, 'error');
  assert.equal(reply.content.user_expressions.broken.ename, 'TypeScriptError');
});

test('comm_info is answered with no comms; comm_open to an unknown target is closed', async () => {
  const info = await kernel.client.request('shell', 'comm_info_request', {}, TIMEOUT);
  assert.equal(info.header.msg_type, 'comm_info_reply');
  assert.deepEqual(info.content, { status: 'ok', comms: {} });
  const open = kernel.client.newMessage('comm_open', { comm_id: 'c-1', target_name: 'no.such.target', data: {} });
  const closed = new Promise((resolve) => {
    const stop = kernel.client.onIopub((message) => {
      if (message.header.msg_type === 'comm_close' && message.content.comm_id === 'c-1') {
        stop();
        resolve(message);
      }
    });
  });
  void kernel.client.send('shell', open).catch(() => undefined);
  await closed;
});

test('debug_request is declined cleanly and kernel_info works on control', async () => {
  const debug = await kernel.client.request(
    'control',
    'debug_request',
    { seq: 1, type: 'request', command: 'initialize', arguments: {} },
    TIMEOUT,
  );
  assert.equal(debug.content.success, false);
  const info = await kernel.client.request('control', 'kernel_info_request', {}, TIMEOUT);
  assert.equal(info.content.implementation, 'weightlab');
});
