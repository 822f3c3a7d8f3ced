// Issue 15, finding 8, over the real wire protocol and through `weightlab run`: a string result is
// its own text (never util.inspect's quoted `'…' +` pieces), markdown arrives as text/markdown, and
// a process warning is one short display line in its cell (once per cell; a deprecation once per
// session) instead of Node's stderr text with its --trace-warnings hint.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { marked } from 'marked';
import type { RunningKernel } from '@weightlab/kernel/dist/client/launcher';
import type { Message } from '@weightlab/kernel/dist/wire/message';
import { cliEntry, outputsOf, startKernel, temporaryFolder } from './support';

const TIMEOUT = 60_000;

// The cell's string and the test's expectation are built by the same expression, evaluated
// once in the kernel's V8 context and once here.
const LONG_STRING_CODE = `Array.from({ length: 12 }, (_, i) => \`layer \${i}: it's 'quoted' and \${'w'.repeat(7 * i)}\`).join('\\n')`;
const LONG_STRING = Array.from({ length: 12 }, (_, i) => `layer ${i}: it's 'quoted' and ${'w'.repeat(7 * i)}`).join(
  '\n',
);

const MARKDOWN_TABLE = '| model | ggap |\n| --- | --- |\n| seed-0 | 0.031 |\n| seed-1 | 0.027 |';
const MARKDOWN_CODE = `display.markdown(${JSON.stringify(MARKDOWN_TABLE)})`;

// Characters markdown would read as a table cell, a quote, emphasis and code.
const WARNING_MESSAGE = '3 of 8 networks diverged: |w| > 1e3 for *all* of `layer_1` [seed 7]';
// Raised as the library's inductive-bias sampler raises it (process.emitWarning with its type),
// twice, and counted, so the cell shows that both were raised though one is shown.
const WARNING_CODE = `const log: string[] = [];
for (const message of [${JSON.stringify(WARNING_MESSAGE)}, ${JSON.stringify(WARNING_MESSAGE)}]) {
  log.push(message);
  process.emitWarning(message, { type: 'InductiveBiasWarning' });
}
console.log('sampled');
log.length`;

/** What a cell shows, in order: the IOPub outputs a front end keeps (no status, no execute_input). */
function shownOutputs(messages: Message[]): Message[] {
  return messages.filter((message) =>
    ['stream', 'display_data', 'execute_result', 'error'].includes(message.header.msg_type),
  );
}

/** The visible text of HTML (tags dropped, the entities marked produces decoded). */
function visibleText(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

function assertNoTraceHint(messages: Message[]): void {
  const everything = JSON.stringify(messages.map((message) => message.content));
  assert.doesNotMatch(everything, /trace-warnings/);
  assert.doesNotMatch(everything, /\(node:\d+\)/);
}

let kernel: RunningKernel;
before(async () => {
  kernel = await startKernel();
});
after(async () => {
  await kernel?.shutdown();
});

test('a long string result is text/plain equal to the string itself', async () => {
  const { reply, messages } = await kernel.client.execute(LONG_STRING_CODE, { timeoutMs: TIMEOUT });
  assert.equal(reply.content.status, 'ok', JSON.stringify(reply.content));
  const [result] = outputsOf(messages, 'execute_result');
  assert.deepEqual(result.content.data, { 'text/plain': LONG_STRING });
  const empty = await kernel.client.execute('"".trim()', { timeoutMs: TIMEOUT });
  assert.deepEqual(
    outputsOf(empty.messages, 'execute_result')[0].content.data,
    { 'text/plain': "''" },
    'the empty string still shows that it is one',
  );
});

test('display.markdown() arrives as text/markdown with the raw markdown as text/plain', async () => {
  const { reply, messages } = await kernel.client.execute(MARKDOWN_CODE, { timeoutMs: TIMEOUT });
  assert.equal(reply.content.status, 'ok', JSON.stringify(reply.content));
  const [result] = outputsOf(messages, 'execute_result');
  assert.deepEqual(result.content.data, { 'text/markdown': MARKDOWN_TABLE, 'text/plain': MARKDOWN_TABLE });
});

test('a warning is one short display line, shown once per cell, with no Node trace hint', async () => {
  const { reply, messages } = await kernel.client.execute(WARNING_CODE, { timeoutMs: TIMEOUT });
  assert.equal(reply.content.status, 'ok', JSON.stringify(reply.content));
  assertNoTraceHint(messages);
  const shown = shownOutputs(messages);
  assert.deepEqual(
    shown.map((message) => message.header.msg_type),
    ['stream', 'display_data', 'execute_result'],
  );
  assert.deepEqual(shown[0].content, { name: 'stdout', text: 'sampled\n' });
  const data = shown[1].content.data;
  assert.deepEqual(Object.keys(data).sort(), ['text/markdown', 'text/plain']);
  assert.equal(data['text/plain'], `InductiveBiasWarning: ${WARNING_MESSAGE}`);
  // An independent markdown renderer reads the escaped message back as the literal message.
  const rendered = marked.parse(data['text/markdown'], { async: false }) as string;
  assert.match(rendered, /^<blockquote>\s*<p><strong>Warning<\/strong>/);
  assert.equal(visibleText(rendered).trim(), `Warning (InductiveBiasWarning): ${WARNING_MESSAGE}`);
  assert.equal(shown[2].content.data['text/plain'], '2', 'both warnings were raised');

  // The next cell that raises it shows it again: the dedupe is per cell.
  const again = await kernel.client.execute(
    `process.emitWarning(${JSON.stringify(WARNING_MESSAGE)}, { type: 'InductiveBiasWarning' })`,
    { timeoutMs: TIMEOUT },
  );
  assert.deepEqual(
    outputsOf(again.messages, 'display_data').map((message) => message.content.data['text/plain']),
    [`InductiveBiasWarning: ${WARNING_MESSAGE}`],
  );
});

test('deprecations show once per session, short; silent cells show no warning', async () => {
  const code = "process.emitWarning('the weights() accessor is deprecated', 'DeprecationWarning', 'WL_TEST_1')";
  // A silent execution shows nothing, and does not use up the one showing.
  const unseen = await kernel.client.execute(code, { timeoutMs: TIMEOUT, silent: true });
  assert.deepEqual(shownOutputs(unseen.messages), []);
  const first = await kernel.client.execute(code, { timeoutMs: TIMEOUT });
  assertNoTraceHint(first.messages);
  assert.deepEqual(
    shownOutputs(first.messages).map((message) => message.content.data?.['text/plain']),
    ['DeprecationWarning [WL_TEST_1]: the weights() accessor is deprecated'],
  );
  const second = await kernel.client.execute(code, { timeoutMs: TIMEOUT });
  assert.deepEqual(shownOutputs(second.messages), []);

  // Node's own deprecation of Buffer(), raised for cell code.
  const buffer = await kernel.client.execute('new Buffer(4).length', { timeoutMs: TIMEOUT });
  assertNoTraceHint(buffer.messages);
  const [warning] = outputsOf(buffer.messages, 'display_data');
  assert.match(warning.content.data['text/plain'], /^DeprecationWarning \[DEP0005\]: Buffer\(\) is deprecated/);
  assert.equal(outputsOf(buffer.messages, 'stream').length, 0);

  const silent = await kernel.client.execute("process.emitWarning('unseen', { type: 'InductiveBiasWarning' })", {
    timeoutMs: TIMEOUT,
    silent: true,
  });
  assert.deepEqual(shownOutputs(silent.messages), []);
});

test('weightlab run writes the outputs the kernel sends, and its HTML shows them cleanly', async () => {
  const cells = [
    LONG_STRING_CODE,
    MARKDOWN_CODE,
    WARNING_CODE.replace('const log', 'const runLog').replace(/\blog\./g, 'runLog.'),
  ];
  const live: Array<Array<{ output_type: string; data?: unknown }>> = [];
  for (const code of cells) {
    const { messages } = await kernel.client.execute(code, { timeoutMs: TIMEOUT });
    live.push(
      shownOutputs(messages).map((message) =>
        message.header.msg_type === 'stream'
          ? { output_type: 'stream', text: message.content.text }
          : { output_type: message.header.msg_type, data: message.content.data },
      ),
    );
  }

  const folder = temporaryFolder('run-text');
  try {
    const input = path.join(folder, 'text.ipynb');
    const html = path.join(folder, 'text.html');
    fs.writeFileSync(
      input,
      JSON.stringify({
        nbformat: 4,
        nbformat_minor: 5,
        metadata: {},
        cells: cells.map((source, index) => ({
          id: `c${index}`,
          cell_type: 'code',
          metadata: {},
          outputs: [],
          execution_count: null,
          source,
        })),
      }),
    );
    const result = spawnSync(process.execPath, [cliEntry, 'run', input, '--html', html], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    assert.equal(result.status, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /trace-warnings|InductiveBiasWarning/);
    const executed = JSON.parse(fs.readFileSync(input, 'utf8'));
    const written = executed.cells.map(
      (cell: { outputs: Array<{ output_type: string; data?: unknown; text?: string }> }) =>
        cell.outputs.map((output) =>
          output.output_type === 'stream'
            ? { output_type: 'stream', text: output.text }
            : { output_type: output.output_type, data: output.data },
        ),
    );
    assert.deepEqual(written, live);
    assert.doesNotMatch(JSON.stringify(executed), /trace-warnings/);

    const page = fs.readFileSync(html, 'utf8');
    assert.doesNotMatch(page, /trace-warnings/);
    // The string as text (HTML-escaped, not quoted), the table rendered, the warning a quoted note.
    const escaped = LONG_STRING.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/'/g, '&#39;');
    assert.ok(page.includes(`<pre class="output text">${escaped}</pre>`), 'the long string as one block of text');
    assert.match(page, /<div class="output markdown"><table>\s*<thead>\s*<tr>\s*<th>model<\/th>/);
    const quote = /<div class="output markdown"><blockquote>([\s\S]*?)<\/blockquote>/.exec(page);
    assert.ok(quote, 'the warning renders as a quote');
    assert.equal(visibleText(quote[1]).trim(), `Warning (InductiveBiasWarning): ${WARNING_MESSAGE}`);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
});
