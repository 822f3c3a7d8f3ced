// The kernel's V8 startup snapshot (kernel/src/kernel/snapshot-entry.ts, kernel/src/executor/snapshot.ts,
// kernel/bin/start-kernel.sh): a kernel started from it still type-checks, completes preloaded names
// and reports type errors; it is used with blocking type-checking (or WEIGHTLAB_SNAPSHOT=1), not
// by the default deferred kernel; a blob of another Node version, none, or NODE_OPTIONS mean an
// ordinary start, not a failed one; and a cached declaration file that changed on disk is parsed anew.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { launchKernel } from '@weightlab/kernel/dist/client/launcher';
import { kernelLauncher } from '@weightlab/kernel/dist/kernelspec';
import { withSnapshotFiles, type KernelSnapshot } from '@weightlab/kernel/dist/executor/snapshot';
import { loadTypeScript } from '@weightlab/kernel/dist/executor/typescript';
import { repositoryRoot, temporaryFolder } from './support';

const TIMEOUT = 120_000;
const kernelDist = path.join(repositoryRoot, 'kernel', 'dist');
const blob = path.join(kernelDist, 'kernel.blob');

/** A cell whose value says whether the kernel runs from the snapshot (its state is a global of the kernel). */
const FROM_SNAPSHOT = "String(Symbol.for('weightlab.kernelSnapshot') in globalThis)";

async function startedFromSnapshot(
  argv?: string[],
  env?: NodeJS.ProcessEnv,
): Promise<{ fromSnapshot: string; typeError: string }> {
  const kernel = await launchKernel({ argv, env, cwd: temporaryFolder('snapshot-cells'), startupTimeoutMs: TIMEOUT });
  try {
    const { reply, messages } = await kernel.client.execute(FROM_SNAPSHOT, { timeoutMs: TIMEOUT });
    assert.equal(reply.content.status, 'ok', JSON.stringify(reply.content));
    const result = messages.find((message) => message.header.msg_type === 'execute_result');
    const failed = await kernel.client.execute('const count: number = "three";', { timeoutMs: TIMEOUT });
    const completion = await kernel.client.request(
      'shell',
      'complete_request',
      { code: 'readSafet', cursor_pos: 9 },
      TIMEOUT,
    );
    assert.ok(completion.content.matches.includes('readSafetensors'), JSON.stringify(completion.content.matches));
    // A preloaded name is usable and typed: its return value checks against its declared type.
    const used = await kernel.client.execute("const shard: zoo.Shard = zoo.parseShard('1/3'); shard.index", {
      timeoutMs: TIMEOUT,
    });
    assert.equal(used.reply.content.status, 'ok', JSON.stringify(used.reply.content));
    // Errors keep their stack (a deserialized heap can lose Error.stackTraceLimit).
    const thrown = await kernel.client.execute('function explode() { throw new RangeError("boom"); }\nexplode()', {
      timeoutMs: TIMEOUT,
    });
    assert.ok(
      thrown.reply.content.traceback.some((line: string) => line.includes('<cell')),
      JSON.stringify(thrown.reply.content.traceback),
    );
    return {
      fromSnapshot: String(result?.content.data['text/plain']),
      typeError: `${failed.reply.content.ename}: ${failed.reply.content.evalue}`,
    };
  } finally {
    await kernel.shutdown();
  }
}

test('the build wrote a startup snapshot for this Node; blocking type-checking (weightlab run) and WEIGHTLAB_SNAPSHOT=1 start from it, the default (deferred) kernel without', async () => {
  assert.ok(fs.existsSync(blob), `${blob} is missing: kernel/scripts/build-snapshot.js did not build it`);
  assert.equal(fs.readFileSync(`${blob}.version`, 'utf8').trim(), process.version);
  const variants: Array<[string, NodeJS.ProcessEnv, string]> = [
    ['blocking', { WEIGHTLAB_TYPECHECK: 'blocking' }, 'true'],
    ['deferred, WEIGHTLAB_SNAPSHOT=1', { WEIGHTLAB_TYPECHECK: 'deferred', WEIGHTLAB_SNAPSHOT: '1' }, 'true'],
    ['the default', { WEIGHTLAB_TYPECHECK: '', WEIGHTLAB_SNAPSHOT: '' }, 'false'],
  ];
  for (const [name, env, expected] of variants) {
    const started = await startedFromSnapshot(undefined, env);
    assert.equal(started.fromSnapshot, expected, name);
    assert.match(started.typeError, /^TypeScriptError: .*Type 'string' is not assignable to type 'number'/, name);
  }
});

test('a blob of another Node version, none, or V8 flags in NODE_OPTIONS: the kernel starts without it', async () => {
  for (const variant of ['other-version', 'missing', 'node-options']) {
    // A copy of the launcher next to a dist folder whose kernel is the real one.
    const folder = temporaryFolder(`snapshot-${variant}`);
    fs.mkdirSync(path.join(folder, 'bin'));
    fs.mkdirSync(path.join(folder, 'dist'));
    const launcher = path.join(folder, 'bin', 'start-kernel.sh');
    fs.copyFileSync(kernelLauncher(), launcher);
    fs.symlinkSync(path.join(kernelDist, 'kernel'), path.join(folder, 'dist', 'kernel'));
    if (variant !== 'missing') {
      fs.symlinkSync(blob, path.join(folder, 'dist', 'kernel.blob'));
      // Node would refuse this blob (exit 14) for another version: the launcher must not hand it over.
      const version = variant === 'other-version' ? 'v0.0.1' : process.version;
      fs.writeFileSync(path.join(folder, 'dist', 'kernel.blob.version'), `${version}\n`);
    }
    // V8 refuses a blob built with other flags (exit 14), and README suggests this one for memory.
    const env = {
      WEIGHTLAB_TYPECHECK: 'blocking',
      ...(variant === 'node-options' ? { NODE_OPTIONS: '--max-old-space-size=4096' } : {}),
    };
    const started = await startedFromSnapshot(
      ['/bin/sh', launcher, process.execPath, '--connection-file', '{connection_file}'],
      env,
    );
    assert.equal(started.fromSnapshot, 'false', variant);
    assert.match(started.typeError, /^TypeScriptError: .*Type 'string' is not assignable to type 'number'/, variant);
  }
});

test('a cached declaration file is used while unchanged on disk, and parsed anew once it changed', () => {
  const { ts } = loadTypeScript();
  const folder = temporaryFolder('snapshot-files');
  const file = path.join(folder, 'shapes.d.ts');
  fs.writeFileSync(file, 'export declare const width: number;\n');
  const parsed = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022);
  const stat = fs.statSync(file);
  const snapshot = (): KernelSnapshot => ({
    typescript: '',
    ts,
    files: new Map([[file, { file: parsed, size: stat.size, mtimeMs: stat.mtimeMs }]]),
    nodeVersion: process.version,
  });
  const host = ts.createCompilerHost({ target: ts.ScriptTarget.ES2022 });
  const unchanged = withSnapshotFiles(host, snapshot())!;
  assert.equal(unchanged.getSourceFile(file, ts.ScriptTarget.ES2022), parsed);
  // Asked for another language version, the host parses.
  assert.notEqual(unchanged.getSourceFile(file, ts.ScriptTarget.ES5), parsed);
  // Asked for a fresh parse, the host parses.
  assert.notEqual(unchanged.getSourceFile(file, ts.ScriptTarget.ES2022, undefined, true), parsed);

  fs.writeFileSync(file, 'export declare const width: string;\n');
  fs.utimesSync(file, new Date(stat.mtimeMs + 5000), new Date(stat.mtimeMs + 5000));
  const changed = withSnapshotFiles(host, snapshot())!;
  const reparsed = changed.getSourceFile(file, ts.ScriptTarget.ES2022);
  assert.notEqual(reparsed, parsed);
  assert.match(reparsed!.text, /width: string/);
});
