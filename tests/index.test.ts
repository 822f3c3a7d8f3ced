// The public surface is a decision: lib/api.md lists it, and this fails when the built surface and
// the report differ (a name added, removed or changed in kind without `npm run api`). It also holds
// the surface to the shape: index.ts re-exports nothing wholesale, and the kernel preloads a
// bounded number of flat names.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import test from 'node:test';
import { repositoryRoot, temporaryFolder } from './support/paths';

test('lib/api.md matches the built public surface', () => {
  const result = spawnSync(
    process.execPath,
    [path.join(repositoryRoot, 'lib', 'scripts', 'api-report.js'), '--check'],
    { encoding: 'utf8' },
  );
  assert.equal(result.status, 0, result.stderr);
});

test('the report check fails when a public name is missing from the report', () => {
  // Check against a copy of the report with one name removed, so the check is shown to bite.
  const report = fs.readFileSync(path.join(repositoryRoot, 'lib', 'api.md'), 'utf8');
  const line = report.split('\n').find((l) => l.startsWith('- `analyze`'));
  assert.ok(line, 'analyze is in the report');
  const copy = path.join(temporaryFolder('api-report'), 'api.md');
  fs.writeFileSync(copy, report.replace(`${line}\n`, ''));
  const probe = spawnSync(
    process.execPath,
    [path.join(repositoryRoot, 'lib', 'scripts', 'api-report.js'), '--check', '--report', copy],
    { encoding: 'utf8' },
  );
  assert.equal(probe.status, 1);
  assert.match(probe.stderr, /added {3}`analyze` function/);
});

test('index.ts chooses its names: no export *', () => {
  const index = fs.readFileSync(path.join(repositoryRoot, 'lib', 'src', 'index.ts'), 'utf8');
  assert.doesNotMatch(index, /export \*/);
});

test('the kernel preloads at most 150 flat names, and the namespaces', () => {
  const prelude = JSON.parse(fs.readFileSync(path.join(repositoryRoot, 'kernel', 'dist', 'prelude.json'), 'utf8')) as {
    names: { name: string }[];
  };
  const names = prelude.names.map((entry) => entry.name);
  assert.ok(names.length <= 150, `${names.length} preloaded names`);
  for (const namespace of [
    'io',
    'zoo',
    'spectral',
    'landscape',
    'phases',
    'bias',
    'align',
    'generate',
    'manifold',
    'backend',
    'predict',
    'display',
  ]) {
    assert.ok(names.includes(namespace), `namespace ${namespace} is preloaded`);
  }
  // Machinery the old surface leaked into every cell stays out.
  for (const internal of ['forward', 'allocate', 'runJob', 'kernelHostKey', 'yieldToEventLoop', 'denseMatrix']) {
    assert.ok(!names.includes(internal), `${internal} is not preloaded`);
  }
});
