// The first steps of a new user's path, before any notebook: `npm install` runs no dependency
// install script (.npmrc), so every dependency that has one must work without it; one TypeScript
// compiler builds everything and is the one the kernel type-checks cells with; and the `weightlab`
// command in a checkout that was never built says what to run instead of printing a stack trace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { repositoryRoot, temporaryFolder } from '../support/paths';

interface LockPackage {
  version?: string;
  hasInstallScript?: boolean;
  dev?: boolean;
}

test('.npmrc turns dependency install scripts off, and each dependency that has one works without it', () => {
  const npmrc = fs.readFileSync(path.join(repositoryRoot, '.npmrc'), 'utf8');
  assert.match(npmrc, /^ignore-scripts=true$/m);
  const lock = JSON.parse(fs.readFileSync(path.join(repositoryRoot, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, LockPackage>;
  };
  const scripted = Object.entries(lock.packages)
    .filter(([, entry]) => entry.hasInstallScript)
    .map(([key]) => key.replace(/^.*node_modules\//, ''));
  // What each one's script would have done, and how we check that its package works without it.
  const checks: Record<string, string> = {
    'onnxruntime-node': `const ort = require('onnxruntime-node'); ort.Tensor && ort.InferenceSession || process.exit(3)`,
    zeromq: `const zmq = require('zeromq'); const s = new zmq.Push(); s.close()`,
    esbuild: `const r = require('esbuild').transformSync('let a: number = 1', { loader: 'ts' }); if (!/let a = 1/.test(r.code)) process.exit(3)`,
    // These two only print a message after install.
    '@fortawesome/fontawesome-free': `require.resolve('@fortawesome/fontawesome-free/package.json')`,
    'core-js': `require.resolve('core-js/package.json')`,
  };
  for (const name of scripted) {
    assert.ok(checks[name], `${name} has an install script that nobody checked works without it: add a check here`);
    const result = spawnSync(process.execPath, ['-e', checks[name]], {
      cwd: path.join(repositoryRoot, 'kernel'),
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, `${name} without its install script: ${result.stderr}`);
  }
});

test('one TypeScript compiler: the build, `npx tsc` and the kernel use the same package and version', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { tscPath } = require(path.join(repositoryRoot, 'scripts', 'build.js')) as { tscPath(): string };
  const buildCompiler = fs.realpathSync(path.dirname(path.dirname(tscPath())));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { typescriptVersion } = require(path.join(repositoryRoot, 'kernel', 'dist', 'executor', 'typescript')) as {
    typescriptVersion(): string;
  };
  const manifest = JSON.parse(fs.readFileSync(path.join(buildCompiler, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  assert.equal(manifest.version, typescriptVersion());
  const npxTsc = fs.realpathSync(path.join(repositoryRoot, 'node_modules', '.bin', 'tsc'));
  assert.equal(npxTsc, fs.realpathSync(tscPath()), 'node_modules/.bin/tsc is another compiler than the build uses');
  const version = spawnSync(process.execPath, [tscPath(), '--version'], { encoding: 'utf8' });
  assert.equal(version.stdout.trim(), `Version ${manifest.version}`);
  for (const workspace of ['.', 'lib', 'kernel', 'extension', 'lab']) {
    const pkg = JSON.parse(fs.readFileSync(path.join(repositoryRoot, workspace, 'package.json'), 'utf8')) as Record<
      string,
      Record<string, string> | undefined
    >;
    for (const field of ['dependencies', 'devDependencies']) {
      assert.equal(
        pkg[field]?.typescript,
        undefined,
        `${workspace}/package.json ${field} names a second compiler (typescript)`,
      );
    }
  }
});

test('`weightlab` in a checkout that was never built says to build, exit 1, no stack trace', () => {
  const folder = temporaryFolder('unbuilt');
  try {
    const bin = path.join(folder, 'kernel', 'bin');
    fs.mkdirSync(bin, { recursive: true });
    fs.copyFileSync(path.join(repositoryRoot, 'kernel', 'bin', 'weightlab.js'), path.join(bin, 'weightlab.js'));
    const result = spawnSync(process.execPath, [path.join(bin, 'weightlab.js'), '--help'], {
      cwd: folder,
      encoding: 'utf8',
    });
    assert.equal(result.status, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /not built yet/);
    assert.match(result.stderr, /npm run build/);
    assert.doesNotMatch(result.stderr, /^\s+at /m, 'a stack trace');
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
});

test('the README names exactly the Debian packages CI installs', () => {
  const readme = fs.readFileSync(path.join(repositoryRoot, 'README.md'), 'utf8');
  const command = /```sh\n(sudo apt-get install[^`]*?)```/.exec(readme);
  assert.ok(command, 'README has no apt-get install block');
  const named = command[1]
    .replace(/\\\n/g, ' ')
    .split(/\s+/)
    .filter((word) => /^[a-z0-9][a-z0-9.+-]+$/.test(word) && !['sudo', 'apt-get', 'install'].includes(word));
  const ci = fs
    .readFileSync(path.join(repositoryRoot, '.ci', 'apt-packages.txt'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  assert.deepEqual([...named].sort(), [...ci].sort());
});
