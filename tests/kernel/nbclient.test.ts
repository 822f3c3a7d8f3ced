// Jupyter's own headless executor (Debian's nbconvert/nbclient) runs a notebook on the
// weightlab kernelspec: outputs, rich displays and execution counts come back as expected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fixtures, kernelspecFolder, nbconvertExecute, temporaryFolder } from './support';

test('nbconvert --execute runs a notebook on the weightlab kernel', () => {
  const jupyterPath = kernelspecFolder();
  const folder = temporaryFolder('nbclient');
  const input = path.join(folder, 'small.ipynb');
  fs.copyFileSync(path.join(fixtures, 'small.ipynb'), input);
  const result = nbconvertExecute(folder, input, 'executed.ipynb', jupyterPath);
  assert.equal(result.status, 0, `nbconvert failed:\n${result.stdout}\n${result.stderr}`);
  const executed = JSON.parse(fs.readFileSync(path.join(folder, 'executed.ipynb'), 'utf8'));
  const code = executed.cells.filter((cell: { cell_type: string }) => cell.cell_type === 'code');
  assert.deepEqual(
    code.map((cell: { execution_count: number | null }) => cell.execution_count),
    [1, 2, 3],
  );
  assert.equal(code[0].outputs[0].name, 'stdout');
  assert.equal([].concat(code[0].outputs[0].text).join(''), 'sum 6\ndone\n');
  assert.equal(code[1].outputs[0].output_type, 'display_data');
  assert.match([].concat(code[1].outputs[0].data['image/svg+xml']).join(''), /^<svg/);
  assert.equal(code[1].outputs[1].output_type, 'execute_result');
  assert.equal(code[1].outputs[1].execution_count, 2);
  assert.equal([].concat(code[1].outputs[1].data['text/plain']).join(''), '6');
  assert.equal([].concat(code[2].outputs[0].data['text/plain']).join(''), 'second <b>');
});

test('nbconvert reports a TypeScript error with its name and message', () => {
  const jupyterPath = kernelspecFolder();
  const folder = temporaryFolder('nbclient-error');
  const input = path.join(folder, 'typed.ipynb');
  fs.writeFileSync(
    input,
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        {
          cell_type: 'code',
          id: 'a',
          metadata: {},
          execution_count: null,
          outputs: [],
          source: 'const s: string = 1;',
        },
      ],
    }),
  );
  const result = nbconvertExecute(folder, input, 'executed.ipynb', jupyterPath);
  assert.notEqual(result.status, 0);
  assert.match(result.stderr, /TypeScriptError/);
  assert.match(result.stderr, /1:7 - Type 'number' is not assignable to type 'string'/);
});
