// A notebook outside any project (here a scratch folder under the temp dir, no node_modules above
// it) imports the packages weightlab depends on, type-checked and at run time, and gets the very
// copies weightlab uses: an Arquero table from weightlab works with `op` from 'arquero'.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launchKernel, type RunningKernel } from '@weightlab/kernel/dist/client/launcher';
import { outputsOf, repositoryRoot, temporaryFolder } from './support';

let kernel: RunningKernel;
const scratch = temporaryFolder('scratch-notebook');
before(async () => {
  kernel = await launchKernel({ cwd: scratch, startupTimeoutMs: 120_000 });
});
after(async () => {
  await kernel?.shutdown();
});

const TIMEOUT = 120_000;

async function run(code: string): Promise<{ status: string; result?: string; error?: string }> {
  const { reply, messages } = await kernel.client.execute(code, { timeoutMs: TIMEOUT });
  const result = outputsOf(messages, 'execute_result')[0]?.content.data['text/plain'];
  return {
    status: reply.content.status,
    result,
    error: reply.content.status === 'error' ? `${reply.content.ename}: ${reply.content.evalue}` : undefined,
  };
}

test('the scratch folder has no node_modules of its own to find them in', () => {
  for (let folder = scratch; ; folder = path.dirname(folder)) {
    assert.equal(fs.existsSync(path.join(folder, 'node_modules', 'fflate')), false, `${folder} has fflate`);
    if (path.dirname(folder) === folder) break;
  }
  assert.ok(!scratch.startsWith(repositoryRoot));
});

test("fflate and arquero import in a cell, with types, from weightlab's own copies", async () => {
  const zipped = await run(
    `import { zipSync, unzipSync } from 'fflate';\nconst bytes = zipSync({ 'a.txt': new TextEncoder().encode('weights') });\nnew TextDecoder().decode(unzipSync(bytes)['a.txt'])`,
  );
  assert.equal(zipped.status, 'ok', zipped.error);
  assert.equal(zipped.result, 'weights');
  // A type error proves the checker saw fflate's declarations (not an untyped any).
  const typed = await run(`import { zipSync as zip2, notInFflate } from 'fflate';\nzip2({}, {}, 3);`);
  assert.equal(typed.status, 'error');
  assert.match(typed.error!, /has no exported member 'notInFflate'/);
  assert.match(typed.error!, /Expected 1-2 arguments, but got 3/);
  const table = await run(
    `import { op, table as arqueroTable } from 'arquero';\narqueroTable({ x: [1, 2, 3] }).rollup({ total: op.sum('x') }).get('total', 0)`,
  );
  assert.equal(table.status, 'ok', table.error);
  assert.equal(table.result, '6');
  const libraryCopy = require.resolve('arquero', { paths: [path.join(repositoryRoot, 'lib')] });
  const same = await run(`require('arquero') === require(${JSON.stringify(libraryCopy)})`);
  assert.equal(same.result, 'true');
});

test('a top-level value typed by a package outside the notebook folder keeps its type in later cells', async () => {
  // Without the kernel's filter, declaration emit reports TS2742 ("cannot be named without a reference to …").
  const made = await run(
    `import { table as arqueroTable2 } from 'arquero';\nconst heldTable = arqueroTable2({ x: [1, 2, 3] });`,
  );
  assert.equal(made.status, 'ok', made.error);
  const used = await run('const rowCount: number = heldTable.numRows();\nrowCount');
  assert.equal(used.result, '3');
  const misused = await run('const notText: string = heldTable.numRows();');
  assert.equal(misused.status, 'error');
  assert.match(misused.error!, /Type 'number' is not assignable to type 'string'/);
  // A type TypeScript cannot name from here (TS2742: weightlab's table type lives in
  // …/node_modules/arquero): the cell still runs and its names reach the next cells.
  const zoo = await run(
    `const smallZoo = new Zoo('weightlab', '/nonexistent', [{ id: 'a', path: 'a', params: { width: 4 }, hyperparameters: { width: 4 }, results: [{ epoch: 1, test_acc: 0.5 }], checkpoints: [] }]);\nconst zooTable = smallZoo.table();\nzooTable.numRows()`,
  );
  assert.equal(zoo.status, 'ok', zoo.error);
  assert.equal(zoo.result, '1');
  const later = await run(`zooTable.column('test_acc').at(0)`);
  assert.equal(later.status, 'ok', later.error);
  assert.equal(later.result, '0.5');
});
