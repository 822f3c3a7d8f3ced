// An appendix must reproduce with the reader's seed, not only ours: every notebook declares its
// knobs in a cell tagged `parameters` (papermill's convention) including `seed`, and CI runs it
// again under other seeds with `weightlab run --sweep`. The seeds (and, where the notebook's claim
// allows, a smaller budget) are the notebook's own declaration in `metadata.weightlab.ci`, e.g.
// { "sweep": { "seed": [11, 23] }, "parameters": { "epochs": 5 } }, so a reader sees what CI checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { repositoryRoot, runCli, temporaryFolder } from '../support/paths';

interface CiSeeds {
  sweep?: Record<string, (number | string)[]>;
  parameters?: Record<string, unknown>;
}
interface NotebookFile {
  metadata?: { weightlab?: { ci?: CiSeeds } };
  cells: { cell_type: string; metadata?: { tags?: string[] }; source: string | string[] }[];
}

const notebookDir = path.join(repositoryRoot, 'notebooks');
const names = fs
  .readdirSync(notebookDir)
  .filter((name) => name.endsWith('.ipynb'))
  .sort();

for (const name of names) {
  const notebook = JSON.parse(fs.readFileSync(path.join(notebookDir, name), 'utf8')) as NotebookFile;
  const parameters = notebook.cells.find(
    (cell) => cell.cell_type === 'code' && (cell.metadata?.tags ?? []).includes('parameters'),
  );
  const ci = notebook.metadata?.weightlab?.ci;

  test(`${name} declares its seed in a parameters cell and the seeds CI runs`, () => {
    assert.ok(parameters, `${name} has no code cell tagged 'parameters'`);
    const source = ([] as string[]).concat(parameters.source).join('');
    assert.match(source, /\b(let|const|var)\s+seed\b/, `${name}'s parameters cell declares no seed`);
    assert.ok(
      ci?.sweep?.seed && ci.sweep.seed.length >= 2,
      `${name}: metadata.weightlab.ci.sweep.seed lists fewer than two other seeds`,
    );
  });

  if (!parameters || !ci?.sweep) continue;
  const sweep = ci.sweep;
  test(`${name} holds its checks under the CI seeds ${JSON.stringify(sweep)}`, () => {
    const out = temporaryFolder('seeds');
    const args = ['run', path.join(notebookDir, name), '--out', out, '--timeout', '900'];
    for (const [key, values] of Object.entries(sweep)) args.push('--sweep', `${key}=${values.join(',')}`);
    for (const [key, value] of Object.entries(ci.parameters ?? {}))
      args.push(
        typeof value === 'string' ? '-r' : '-p',
        key,
        typeof value === 'string' ? value : JSON.stringify(value),
      );
    const result = runCli(args, { timeoutMs: 3_600_000 });
    assert.equal(result.status, 0, `${name}\n${result.stdout}\n${result.stderr}`);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'sweep.json'), 'utf8')) as { runs: unknown[] };
    const expectedRuns = Object.values(sweep).reduce((product, values) => product * values.length, 1);
    assert.equal(report.runs.length, expectedRuns);
  });
}
