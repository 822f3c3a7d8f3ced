// Every notebook in notebooks/ is executed headlessly by `weightlab run` (Node alone) and
// must finish without a cell error: each notebook checks its own claims by throwing.
// The quick start is also executed through Debian's nbclient/nbconvert with our kernelspec.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { jupyterPython, repositoryRoot, runCli, temporaryFolder } from '../support/paths';
import { checkExecuted, type Notebook, type Output } from './executed';

const notebookDir = path.join(repositoryRoot, 'notebooks');
// generators.ipynb and mnist-phases.ipynb have their own test files, so each can be run alone.
const ownTests = new Set(['generators.ipynb', 'mnist-phases.ipynb']);
const notebooks = fs
  .readdirSync(notebookDir)
  .filter((name) => name.endsWith('.ipynb') && !ownTests.has(name))
  .sort();

for (const name of notebooks) {
  test(`weightlab run executes ${name}`, () => {
    const out = temporaryFolder('notebook');
    const result = runCli(
      [
        'run',
        path.join(notebookDir, name),
        '--out',
        path.join(out, name),
        '--html',
        path.join(out, 'page.html'),
        '--timeout',
        '900',
      ],
      { timeoutMs: 1_800_000 },
    );
    assert.equal(result.status, 0, `${name}\n${result.stderr}`);
    const executed = JSON.parse(fs.readFileSync(path.join(out, name), 'utf8')) as Notebook;
    checkExecuted(executed, name);
    const html = fs.readFileSync(path.join(out, 'page.html'), 'utf8');
    assert.match(html, /<html/i);
  });
}

function assertQuickstartOutputs(outputs: Output[]): void {
  const mimeTypes = new Set(outputs.flatMap((output) => Object.keys(output.data ?? {})));
  assert.ok(mimeTypes.has('application/vnd.vegalite.v5+json'), 'a Vega-Lite v5 chart');
  assert.ok(mimeTypes.has('image/svg+xml'), 'its SVG fallback');
  assert.ok(mimeTypes.has('text/html'), 'the WeightSet table / progress bar');
  const bars = outputs.filter((output) => String((output.data ?? {})['text/plain'] ?? '').startsWith('steps ['));
  assert.equal(bars.length, 1, 'the progress bar is one output updated in place');
  assert.match(String(bars[0].data!['text/plain']), /100% 40\/40/);
}

test('quickstart outputs from weightlab run: chart, SVG, one progress bar', () => {
  const out = temporaryFolder('quickstart');
  const result = runCli(['run', path.join(notebookDir, 'quickstart.ipynb'), '--out', path.join(out, 'q.ipynb')]);
  assert.equal(result.status, 0, result.stderr);
  assertQuickstartOutputs(checkExecuted(JSON.parse(fs.readFileSync(path.join(out, 'q.ipynb'), 'utf8')), 'quickstart'));
});

test('quickstart runs through Debian nbclient/nbconvert with the installed kernelspec', () => {
  const prefix = temporaryFolder('nbclient');
  const installed = runCli(['install', '--prefix', prefix]);
  assert.equal(installed.status, 0, installed.stderr);
  const env = { ...process.env, JUPYTER_PATH: path.join(prefix, 'share', 'jupyter') };
  const result = spawnSync(
    jupyterPython(),
    [
      '-m',
      'nbconvert',
      '--to',
      'notebook',
      '--execute',
      '--ExecutePreprocessor.timeout=600',
      '--output-dir',
      prefix,
      '--output',
      'quickstart.nbconvert.ipynb',
      path.join(notebookDir, 'quickstart.ipynb'),
    ],
    { env, encoding: 'utf8', timeout: 900_000 },
  );
  assert.equal(result.status, 0, result.stderr);
  const executed = JSON.parse(fs.readFileSync(path.join(prefix, 'quickstart.nbconvert.ipynb'), 'utf8')) as Notebook;
  assertQuickstartOutputs(checkExecuted(executed, 'quickstart (nbclient)'));
});
