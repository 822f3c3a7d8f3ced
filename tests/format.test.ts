// The code keeps one format: Prettier (.prettierrc.json: print width 120, single quotes) was applied
// once to every source file it covers, and this fails when a change is not formatted
// (`npm run format` fixes it). Generated output, vendored data, Markdown and HTML are excluded in
// .prettierignore.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { repositoryRoot } from './support/paths';

test('every source file is formatted by Prettier (npm run format:check)', () => {
  const prettier = path.join(
    path.dirname(require.resolve('prettier/package.json', { paths: [repositoryRoot] })),
    'bin',
    'prettier.cjs',
  );
  const result = spawnSync(process.execPath, [prettier, '--check', '.'], {
    cwd: repositoryRoot,
    encoding: 'utf8',
    timeout: 300_000,
  });
  assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
});
