// notebooks/generators.ipynb (issue 7) on its own, so `node scripts/test.js generators` runs it:
// executed headlessly by `weightlab run`; its cells check the claims (re-basin beats no re-basin,
// every generator against the standard baselines on accuracy and novelty, the flows losing to
// zoo + noise on accuracy, one conditioned D2NWG serving two tasks; each a difference of means
// beyond two standard errors) by throwing. The test also reads the printed checks back, so a cell that stopped printing
// them cannot pass silently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { repositoryRoot, runCli, temporaryFolder } from '../support/paths';
import { checkExecuted, type Notebook } from './executed';

test('weightlab run executes generators.ipynb and its checks print', () => {
  const out = temporaryFolder('notebook');
  const result = runCli(
    [
      'run',
      path.join(repositoryRoot, 'notebooks', 'generators.ipynb'),
      '--out',
      path.join(out, 'generators.ipynb'),
      '--html',
      path.join(out, 'page.html'),
      '--timeout',
      '900',
    ],
    { timeoutMs: 1_800_000 },
  );
  assert.equal(result.status, 0, `generators.ipynb\n${result.stderr}`);
  const executed = JSON.parse(fs.readFileSync(path.join(out, 'generators.ipynb'), 'utf8')) as Notebook;
  const text = checkExecuted(executed, 'generators.ipynb')
    .filter((o) => o.output_type === 'stream')
    .map((o) => [o.text ?? ''].flat().join(''))
    .join('');
  assert.match(text, /re-basined [\d.]+ % vs unaligned [\d.]+ %/);
  assert.match(text, /flow matching \(re-basined, full weights\): [\d.]+ % = \d+ % of the held-out mean/);
  assert.match(text, /mini D2NWG .*: [\d.]+ % = \d+ % of the held-out mean/);
  assert.match(text, /condition +on task A +on task B/);
  assert.match(text, /re-basined [\d.]+ % vs unaligned [\d.]+ %: -?[\d.]+ ± [\d.]+ pt/);
  assert.match(text, /flow matching \(re-basined, PCA-\d+\): beats \d+\/5 baselines on accuracy and novelty/);
  assert.match(text, /own condition minus other condition: on task A [\d.]+ ± [\d.]+ pt, on task B [\d.]+ ± [\d.]+ pt/);
  assert.match(fs.readFileSync(path.join(out, 'page.html'), 'utf8'), /<html/i);
});
