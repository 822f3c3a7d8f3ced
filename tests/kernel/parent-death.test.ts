// A kernel whose parent process dies exits by itself (idle or in the middle of a cell), so
// crashed clients never leave orphaned kernels behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fixtures, isAlive, repositoryRoot, waitUntil } from './support';

async function kernelOfDoomedParent(busy: boolean): Promise<number> {
  const parent = spawn(process.execPath, [path.join(fixtures, 'parent.js'), ...(busy ? ['--busy'] : [])], {
    cwd: repositoryRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const pid = await new Promise<number>((resolve, reject) => {
    let output = '';
    parent.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('\n')) resolve(Number(output.trim()));
    });
    parent.once('exit', (code) => reject(new Error(`the parent exited (${code}) before starting a kernel`)));
  });
  assert.ok(isAlive(pid));
  if (busy) await new Promise((resolve) => setTimeout(resolve, 1000));
  parent.kill('SIGKILL');
  return pid;
}

test('an idle kernel exits when its parent is killed', async () => {
  const pid = await kernelOfDoomedParent(false);
  assert.ok(await waitUntil(() => !isAlive(pid), 10_000), `kernel ${pid} outlived its parent`);
});

test('a kernel stuck in a synchronous cell exits when its parent is killed', async () => {
  const pid = await kernelOfDoomedParent(true);
  assert.ok(await waitUntil(() => !isAlive(pid), 10_000), `kernel ${pid} outlived its parent`);
});
