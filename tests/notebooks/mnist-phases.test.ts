// notebooks/mnist-phases.ipynb (issue 18: the MNIST zoo's phase diagram) on its own, so
// `node scripts/test.js mnist-phases` runs it: executed headlessly by `weightlab run`; its cells
// check the claims (width 2 underfits, the widest net at the smallest batch fits, train loss falls
// with width and rises with batch size, fit cells beat underfit ones) by throwing. The test also
// reads back what the cells show: the phase diagram as our view with its Vega-Lite and SVG
// fallbacks and no HTML beside the chart, and each check's statistic, so a cell that stopped
// showing them cannot pass silently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { repositoryRoot, runCli, temporaryFolder } from '../support/paths';
import { checkExecuted, type Notebook } from './executed';

test('weightlab run executes mnist-phases.ipynb: its phase diagram and checks show', () => {
  const out = temporaryFolder('notebook');
  const result = runCli(
    [
      'run',
      path.join(repositoryRoot, 'notebooks', 'mnist-phases.ipynb'),
      '--out',
      path.join(out, 'mnist-phases.ipynb'),
      '--html',
      path.join(out, 'page.html'),
      '--timeout',
      '900',
    ],
    { timeoutMs: 1_800_000 },
  );
  assert.equal(result.status, 0, `mnist-phases.ipynb\n${result.stderr}`);
  const executed = JSON.parse(fs.readFileSync(path.join(out, 'mnist-phases.ipynb'), 'utf8')) as Notebook;
  const outputs = checkExecuted(executed, 'mnist-phases.ipynb');
  const results = outputs.filter((o) => o.output_type === 'execute_result');

  const diagrams = results.filter((o) => 'application/vnd.weightlab.phase-diagram.v1+json' in (o.data ?? {}));
  assert.equal(diagrams.length, 1, 'one phase diagram');
  const bundle = diagrams[0].data!;
  for (const mimeType of ['application/vnd.vegalite.v5+json', 'image/svg+xml', 'text/plain'])
    assert.ok(mimeType in bundle, `the phase diagram's bundle has ${mimeType}`);
  assert.ok(!('text/html' in bundle), 'no text/html beside the Vega-Lite chart');
  // The text fallback is the grid itself: 4 widths x 4 batch sizes, one phase per cell.
  const grid = String(bundle['text/plain'])
    .split('\n')
    .filter((line) => /^\s*\d+(\s+(I|II|III|IV-A|IV-B|-))+\s*$/.test(line));
  assert.equal(grid.length, 4, `four width rows in\n${String(bundle['text/plain'])}`);

  const text = results.map((o) => String(o.data?.['text/plain'] ?? '')).join('\n');
  assert.match(text, /\d+ models \(4 widths x 4 batch sizes x seeds 0, 1, 2;/);
  assert.match(text, /'batch 1024': 'Spearman rho -[\d.]+, one-sided p = [\d.e-]+ \(n = 12 models\)'/);
  assert.match(text, /'width 128': 'Spearman rho [\d.]+, one-sided p = [\d.e-]+ \(n = 12 models\)'/);
  assert.match(text, /III\/IV-A\/IV-B - I\/II: [\d.]+ pp \[[\d.]+, [\d.]+\], paired t p = /);
  assert.match(fs.readFileSync(path.join(out, 'page.html'), 'utf8'), /<html/i);
});
