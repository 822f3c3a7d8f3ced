// Parameters for Jupyter's own executor (Debian's nbconvert/nbclient): a notebook with a cell
// tagged `parameters` runs there with its defaults, and the output of `weightlab run -p` (its
// injected-parameters cell included) runs there again with the injected values, tags and
// papermill metadata kept, so the tag is all a papermill-style tool needs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { cliEntry, kernelspecFolder, nbconvertExecute, notebook, temporaryFolder } from './support';

function printed(file: string): string[] {
  const executed = JSON.parse(fs.readFileSync(file, 'utf8'));
  return executed.cells.flatMap((cell: { outputs?: Array<Record<string, any>> }) =>
    (cell.outputs ?? [])
      .filter((output) => output.output_type === 'stream' && output.name === 'stdout')
      .map((output) => [].concat(output.text).join('')),
  );
}

test('nbconvert runs a notebook with a parameters cell, and the output of weightlab run -p with the injected values', () => {
  const jupyterPath = kernelspecFolder();
  const folder = temporaryFolder('nbclient-parameters');
  const book = notebook([
    { cell_type: 'code', source: 'let seed = 0;\nconst epochs = 5;' },
    { cell_type: 'code', source: 'console.log(`seed ${seed} epochs ${epochs}`)' },
  ]);
  book.cells[0].metadata = { tags: ['parameters'] };
  const input = path.join(folder, 'knobs.ipynb');
  fs.writeFileSync(input, JSON.stringify(book));

  const defaults = nbconvertExecute(folder, input, 'defaults.ipynb', jupyterPath);
  assert.equal(defaults.status, 0, `nbconvert failed:\n${defaults.stdout}\n${defaults.stderr}`);
  assert.deepEqual(printed(path.join(folder, 'defaults.ipynb')), ['seed 0 epochs 5\n']);

  const injected = path.join(folder, 'injected.ipynb');
  const run = spawnSync(
    process.execPath,
    [cliEntry, 'run', input, '-o', injected, '-p', 'seed', '7', '-p', 'epochs', '20'],
    { encoding: 'utf8', timeout: 300_000 },
  );
  assert.equal(run.status, 0, run.stderr);
  const again = nbconvertExecute(folder, injected, 'again.ipynb', jupyterPath);
  assert.equal(again.status, 0, `nbconvert failed:\n${again.stdout}\n${again.stderr}`);
  const executed = JSON.parse(fs.readFileSync(path.join(folder, 'again.ipynb'), 'utf8'));
  assert.deepEqual(printed(path.join(folder, 'again.ipynb')), ['seed 7 epochs 20\n']);
  assert.deepEqual(
    executed.cells.map((cell: { metadata: { tags?: string[] } }) => cell.metadata.tags ?? []),
    [['parameters'], ['injected-parameters'], []],
  );
  assert.deepEqual(executed.metadata.papermill.parameters, { seed: 7, epochs: 20 });
});
