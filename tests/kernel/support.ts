// Shared helpers of the kernel tests: a real kernel launched through our client, and the
// kernelspec installed into a temporary Jupyter data folder for the Python-side tests.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { launchKernel, type RunningKernel } from '@weightlab/kernel/dist/client/launcher';
import { installKernelSpec } from '@weightlab/kernel/dist/kernelspec';
import { encode, type Message } from '@weightlab/kernel/dist/wire/message';
import { Signer } from '@weightlab/kernel/dist/wire/signer';
import { temporaryFolder } from '../support/paths';

export const repositoryRoot = path.resolve(__dirname, '..', '..', '..');
export const cliEntry = path.join(repositoryRoot, 'kernel', 'bin', 'weightlab.js');
export const fixtures = path.join(repositoryRoot, 'tests', 'kernel', 'fixtures');
/** Debian's Python with Jupyter (the `python3` first on PATH may be a shim without it). */
export const python = process.env.WEIGHTLAB_PYTHON ?? '/usr/bin/python3';

// The one temp-folder helper of all tests (removed when the process exits).
export { temporaryFolder };

/** A kernel started in a scratch folder (`env` added to its environment); start-up waits are long because CI machines are slow. */
export function startKernel(env?: NodeJS.ProcessEnv): Promise<RunningKernel> {
  return launchKernel({ cwd: temporaryFolder('cells'), startupTimeoutMs: 120_000, env });
}

/**
 * A kernel that has run one throw-away cell: launchKernel returns once kernel_info is answered,
 * while TypeScript may still be loading, so the first cell can take seconds. Tests that time
 * what a cell or message costs start from here, so the start-up is not counted.
 */
export async function startReadyKernel(env?: NodeJS.ProcessEnv): Promise<RunningKernel> {
  const kernel = await startKernel(env);
  try {
    const { reply } = await kernel.execute('0', { timeoutMs: 120_000 });
    if (reply.content.status !== 'ok')
      throw new Error(`the kernel's first cell failed: ${JSON.stringify(reply.content)}`);
    return kernel;
  } catch (error) {
    await kernel.shutdown();
    throw error;
  }
}

/** A Jupyter data folder holding only our kernelspec; point JUPYTER_PATH at it. */
export function kernelspecFolder(): string {
  const folder = temporaryFolder('jupyter');
  installKernelSpec(folder);
  return folder;
}

export function outputsOf(messages: Message[], type: string): Message[] {
  return messages.filter((message) => message.header.msg_type === type);
}

export function streamText(messages: Message[], name: 'stdout' | 'stderr'): string {
  return outputsOf(messages, 'stream')
    .filter((message) => message.content.name === name)
    .map((message) => message.content.text)
    .join('');
}

export async function waitUntil(check: () => boolean, timeoutMs: number, stepMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
  return check();
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs a tests/python unittest file with Debian's Python (WEIGHTLAB_NODE names this Node for its
 * kernelspec); returns the exit status, the combined output and how many tests ran.
 */
export function runPythonTests(file: string): { status: number | null; output: string; ran: number } {
  const result = spawnSync(python, ['-m', 'unittest', '-v', file], {
    cwd: repositoryRoot,
    encoding: 'utf8',
    timeout: 600_000,
    env: { ...process.env, WEIGHTLAB_NODE: process.execPath },
  });
  const output = `${result.stdout}\n${result.stderr}`;
  const ran = /Ran (\d+) tests?/.exec(output);
  return { status: result.status, output, ran: ran ? Number(ran[1]) : 0 };
}

/** An nbformat 4 notebook of the given cells (code cells with no outputs yet), as `weightlab run` reads it. */
export function notebook(cells: Array<{ cell_type: string; source: string }>) {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: cells.map((cell, index) => ({
      id: `c${index}`,
      metadata: {},
      ...(cell.cell_type === 'code' ? { outputs: [], execution_count: null } : {}),
      ...cell,
    })),
  };
}

/**
 * The peak resident memory of a running process in MB (VmHWM in /proc/PID/status, Linux), or
 * undefined where that is not readable (another system, or the process is gone).
 */
export function peakResidentMB(pid: number): number | undefined {
  try {
    const line = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return line ? Number(line[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The code cells of a notebook file, with their outputs and execution counts. */
export function readCode(file: string): Array<{ outputs: Array<Record<string, any>>; execution_count: number | null }> {
  return JSON.parse(fs.readFileSync(file, 'utf8')).cells.filter(
    (cell: { cell_type: string }) => cell.cell_type === 'code',
  );
}

/** What a run whose kernel died left, for callers that report it (the attack corpus). */
export interface KernelDeathRun {
  /** The notebook the run wrote (removed with its folder once the check is done). */
  out: string;
  /** The KernelDied output recorded in cell 2. */
  evalue: string;
  /** The time of the cells as the run reports it (the kernel's start-up is not in it). */
  cellMilliseconds: number;
  /** The peak resident memory of the run and its kernel in MB (/usr/bin/time), where measured. */
  peakMB?: number;
}

/**
 * Runs a three-cell notebook whose second cell kills the kernel, and checks what every such run
 * must leave: exit 1, cell 1's output, KernelDied in cell 2 matching `died`, cell 3 not run, no temp files.
 */
export function runThatKillsTheKernel(
  name: string,
  killer: string,
  died: RegExp,
  env: NodeJS.ProcessEnv = {},
): KernelDeathRun {
  const folder = temporaryFolder(name);
  try {
    const input = path.join(folder, `${name}.ipynb`);
    fs.writeFileSync(
      input,
      JSON.stringify(
        notebook([
          { cell_type: 'code', source: 'console.log("first done")' },
          { cell_type: 'code', source: killer },
          { cell_type: 'code', source: 'console.log("never")' },
        ]),
      ),
    );
    const out = path.join(folder, 'out.ipynb');
    // GNU time reports the largest resident set of the run and of the kernel it waited for.
    const peakFile = path.join(folder, 'peak.txt');
    const command = [process.execPath, cliEntry, 'run', input, '--out', out, '--json'];
    const timed = fs.existsSync('/usr/bin/time') ? ['/usr/bin/time', '-f', '%M', '-o', peakFile, ...command] : command;
    const result = spawnSync(timed[0], timed.slice(1), {
      encoding: 'utf8',
      timeout: 300_000,
      env: { ...process.env, ...env },
    });
    assert.equal(result.status, 1, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.failed.status, 'died');
    assert.equal(report.failed.cell, 2);
    const code = readCode(out);
    assert.deepEqual(code[0].outputs, [{ output_type: 'stream', name: 'stdout', text: 'first done\n' }]);
    assert.equal(code[1].outputs.at(-1)?.output_type, 'error');
    assert.equal(code[1].outputs.at(-1)?.ename, 'KernelDied');
    assert.match(code[1].outputs.at(-1)?.evalue, died);
    assert.deepEqual(code[2].outputs, []);
    assert.deepEqual(
      fs.readdirSync(folder).filter((entry) => entry.endsWith('.tmp')),
      [],
    );
    const peak = fs.existsSync(peakFile) ? (fs.readFileSync(peakFile, 'utf8').trim().split('\n').pop() ?? '') : '';
    return {
      out,
      evalue: code[1].outputs.at(-1)?.evalue,
      cellMilliseconds: (report.cells as Array<{ milliseconds: number }>).reduce(
        (sum, cell) => sum + cell.milliseconds,
        0,
      ),
      peakMB: /^\d+$/.test(peak) ? Number(peak) / 1024 : undefined,
    };
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

/** Asserts that the kernel still answers a cell (`21 * 2` gives 42), after whatever a test sent it. */
export async function assertStillWorks(kernel: RunningKernel, timeoutMs = 60_000): Promise<void> {
  const { reply, messages } = await kernel.execute('21 * 2', { timeoutMs });
  assert.equal(reply.content.status, 'ok', JSON.stringify(reply.content));
  assert.equal(outputsOf(messages, 'execute_result')[0]?.content.data['text/plain'], '42');
}

/** Sends a signed execute_request for `code`, waits for its ok reply, then sends the very same frames again on shell and on control (a replay). */
export async function executeThenReplay(kernel: RunningKernel, code: string, timeoutMs = 60_000): Promise<void> {
  const message = kernel.client.executeMessage(code);
  const frames = encode(message, new Signer(kernel.info.key, kernel.info.signature_scheme));
  const answer = kernel.client.expectReply(message.header.msg_id, timeoutMs);
  await kernel.client.sendFrames('shell', frames);
  assert.equal((await answer).content.status, 'ok');
  await kernel.client.sendFrames('shell', frames);
  await kernel.client.sendFrames('control', frames);
}

/** `weightlab run ARGS` as a child process, sent `signal` once its stderr shows `marker`: its exit code and stderr. */
export async function runUntilThenSignal(
  args: string[],
  marker: string,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [cliEntry, 'run', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    const seen = stderr.includes(marker);
    stderr += chunk.toString('utf8');
    if (!seen && stderr.includes(marker)) child.kill(signal);
  });
  return { code: await exited, stderr };
}

/**
 * Runs Jupyter's own headless executor (Debian's nbconvert/nbclient) on `input` with the weightlab
 * kernelspec from `jupyterPath`, writing `output` next to it in `folder`.
 */
export function nbconvertExecute(folder: string, input: string, output: string, jupyterPath: string) {
  return spawnSync(
    python,
    [
      '-m',
      'nbconvert',
      '--to',
      'notebook',
      '--execute',
      '--ExecutePreprocessor.kernel_name=weightlab',
      '--ExecutePreprocessor.timeout=300',
      '--ExecutePreprocessor.startup_timeout=300',
      '--output',
      output,
      input,
    ],
    { cwd: folder, encoding: 'utf8', timeout: 600_000, env: { ...process.env, JUPYTER_PATH: jupyterPath } },
  );
}
