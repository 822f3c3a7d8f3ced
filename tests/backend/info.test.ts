// backendInfo() and lazy loading: the report names every engine without loading any, and a
// plain `require('weightlab')` (measured in a fresh process) loads none of jax-js,
// onnxruntime-node or a wasm kernel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import {
  backendInfo,
  BackendInfo,
  mimeBundle,
  resolveDevice,
  ArgumentError,
  registerEngineFamily,
  engineChoice,
} from 'weightlab/internal';

const repositoryRoot = path.resolve(__dirname, '..', '..', '..');

function runNode(source: string, env: Record<string, string> = {}): string {
  const result = spawnSync(process.execPath, ['-e', source], {
    cwd: repositoryRoot,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.trim();
}

test('backendInfo names the engine of every family and is displayable', () => {
  const info = backendInfo();
  assert.ok(info instanceof BackendInfo);
  assert.match(info.autodiff, /^jax-js 0\.1\.25 \(wasm\)$/);
  assert.match(info.matmul, /^onnxruntime-node 1\.30\.0 \(cpu, 2 threads\)$/);
  assert.ok(['weightlab wasm (AssemblyScript, SIMD)', 'plain JS'].includes(info.eigensolver), info.eigensolver);
  assert.equal(info.device, 'cpu');
  assert.deepEqual(Object.keys(info.toJSON()), ['autodiff', 'matmul', 'eigensolver', 'device']);
  const bundle = info[mimeBundle]();
  assert.match(String(bundle.data['text/plain']), /autodiff\s+jax-js 0\.1\.25/);
  assert.match(String(bundle.data['text/html']), /<table[^>]*>.*<td>matmul<\/td><td>onnxruntime-node 1\.30\.0/s);
});

test('registered families are reported (and may replace a built-in line)', () => {
  registerEngineFamily('spectra', () => ({ family: 'spectra', engine: 'test engine', loaded: false }));
  assert.equal(backendInfo().toJSON().spectra, 'test engine');
});

test('importing weightlab loads no engine (fresh process), and reports how long it took', (t) => {
  const out = runNode(`
    const started = process.hrtime.bigint();
    const weightlab = require('weightlab');
    const milliseconds = Number(process.hrtime.bigint() - started) / 1e6;
    const info = String(weightlab.backendInfo());
    const engines = Object.keys(require.cache).filter((file) => /onnxruntime|@jax-js|tensorflow|[\\\\/]wasm[\\\\/]/.test(file));
    console.log(JSON.stringify({ milliseconds, engines, info }));`);
  const { milliseconds, engines, info } = JSON.parse(out) as { milliseconds: number; engines: string[]; info: string };
  assert.deepEqual(engines, []);
  assert.match(info, /on first use/);
  t.diagnostic(`require('weightlab') took ${milliseconds.toFixed(1)} ms`);
});

test('WEIGHTLAB_ENGINE=js reports plain JS for products and the jax-js cpu device', () => {
  const out = JSON.parse(
    runNode(`console.log(JSON.stringify(require('weightlab').backendInfo()))`, { WEIGHTLAB_ENGINE: 'js' }),
  ) as Record<string, string>;
  assert.equal(out.matmul, 'plain JS');
  assert.equal(out.eigensolver, 'plain JS');
  assert.equal(out.autodiff, 'jax-js 0.1.25 (cpu, plain JS)');
  const wasm = JSON.parse(
    runNode(`console.log(JSON.stringify(require('weightlab').backendInfo()))`, { WEIGHTLAB_ENGINE: 'wasm' }),
  ) as Record<string, string>;
  assert.equal(wasm.matmul, 'weightlab wasm (AssemblyScript, SIMD)');
});

test('unknown WEIGHTLAB_ENGINE is an ArgumentError naming the variable', () => {
  const previous = process.env.WEIGHTLAB_ENGINE;
  process.env.WEIGHTLAB_ENGINE = 'gpu';
  try {
    assert.throws(
      () => engineChoice(),
      (e: unknown) => e instanceof ArgumentError && e.details.field === 'WEIGHTLAB_ENGINE',
    );
  } finally {
    if (previous === undefined) delete process.env.WEIGHTLAB_ENGINE;
    else process.env.WEIGHTLAB_ENGINE = previous;
  }
});

test('WEIGHTLAB_DEVICE=webgpu without an adapter stays on the cpu and says why', async () => {
  const previous = process.env.WEIGHTLAB_DEVICE;
  process.env.WEIGHTLAB_DEVICE = 'webgpu';
  try {
    const status = await resolveDevice();
    assert.equal(status.device, 'cpu');
    assert.equal(status.requested, 'webgpu');
    assert.ok(status.reason && status.reason.length > 0);
    assert.match(backendInfo().device, /^cpu \(webgpu requested: /);
  } finally {
    if (previous === undefined) delete process.env.WEIGHTLAB_DEVICE;
    else process.env.WEIGHTLAB_DEVICE = previous;
  }
});
