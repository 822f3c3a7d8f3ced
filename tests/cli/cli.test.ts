// The weightlab command line as a user runs it: help on every command, usage errors,
// install/uninstall into a prefix with absolute paths, and JSON output that parses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, temporaryFolder } from '../support/paths';

test('weightlab --help lists commands, and every command has --help', () => {
  const overview = runCli(['--help']);
  assert.equal(overview.status, 0);
  const names = [...overview.stdout.matchAll(/^ {2}(\S+(?: \S+)?)\s{2,}/gm)].map((m) => m[1].trim());
  for (const expected of ['install', 'uninstall', 'lab', 'run'])
    assert.ok(names.includes(expected), `missing ${expected} in\n${overview.stdout}`);
  for (const name of names) {
    const help = runCli([...name.split(' '), '--help']);
    assert.equal(help.status, 0, `${name} --help`);
    assert.match(help.stdout, /Usage: weightlab /, `${name} --help prints a usage line`);
  }
});

test('unknown commands and options are usage errors (exit 2)', () => {
  const unknown = runCli(['frobnicate']);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
  const badOption = runCli(['install', '--bogus']);
  assert.equal(badOption.status, 2);
  assert.match(badOption.stderr, /unknown option --bogus/);
});

test('install --prefix writes an absolute kernelspec; uninstall removes it', () => {
  const prefix = temporaryFolder('prefix');
  const installed = runCli(['install', '--prefix', prefix, '--json']);
  assert.equal(installed.status, 0, installed.stderr);
  const report = JSON.parse(installed.stdout) as { kernelspec: string; dataDir: string };
  assert.equal(report.dataDir, path.join(prefix, 'share', 'jupyter'));
  const spec = JSON.parse(fs.readFileSync(path.join(report.kernelspec, 'kernel.json'), 'utf8')) as {
    argv: string[];
    display_name: string;
    language: string;
  };
  assert.equal(spec.display_name, 'weightlab (TypeScript)');
  assert.equal(spec.language, 'typescript');
  assert.ok(path.isAbsolute(spec.argv[0]) && fs.existsSync(spec.argv[0]), `argv[0] ${spec.argv[0]}`);
  assert.ok(spec.argv.includes('{connection_file}'));
  for (const arg of spec.argv.slice(1))
    if (arg.endsWith('.js')) assert.ok(path.isAbsolute(arg) && fs.existsSync(arg), arg);
  const removed = runCli(['uninstall', '--prefix', prefix, '--json']);
  assert.equal(removed.status, 0, removed.stderr);
  assert.equal(fs.existsSync(report.kernelspec), false);
});

test('a warning raised while a command runs is one short line on stderr, shown once', () => {
  const folder = temporaryFolder('cli-warning');
  try {
    // Loaded before the command (NODE_OPTIONS --require); raises its warnings once the command has started.
    const preload = path.join(folder, 'raise-warnings.js');
    fs.writeFileSync(
      preload,
      `setImmediate(() => {
  for (let i = 0; i < 2; i++) process.emitWarning('3 of 8 networks diverged', { type: 'InductiveBiasWarning' });
});
`,
    );
    const result = runCli(['--version'], { env: { NODE_OPTIONS: `--require ${preload}` } });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stderr, 'weightlab: InductiveBiasWarning: 3 of 8 networks diverged\n');
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
});
