// `npm test` (scripts/test.js) runs the tests inside one fresh folder per run: TMPDIR and the
// cache folders (WEIGHTLAB_CACHE_DIR, XDG_CACHE_HOME) point into it, and it is removed when the
// run ends, passed or failed or stopped. The first test checks that this very process runs so;
// the second starts nested runs of the first (WEIGHTLAB_PROBE_REPORT set) and checks what they saw
// and that their folders are gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { repositoryRoot, temporaryFolder } from './paths';

interface ProbeReport {
  run: string;
  cache: string;
  cacheAtStart: string[];
}

const probe = process.env.WEIGHTLAB_PROBE_REPORT;

test('this test process runs in its own npm test run folder: temp and cache folders inside it', async () => {
  const tmp = os.tmpdir();
  const run = path.dirname(tmp);
  assert.match(path.basename(run), /^weightlab-test-/, `TMPDIR ${tmp} is not inside a run folder`);
  assert.equal(path.basename(tmp), 'tmp');
  assert.equal(process.env.XDG_CACHE_HOME, path.join(run, 'cache'));
  assert.equal(process.env.WEIGHTLAB_CACHE_DIR, path.join(run, 'cache', 'weightlab'));
  if (!probe) return;
  const cache = process.env.WEIGHTLAB_CACHE_DIR!;
  const cacheAtStart = fs.existsSync(cache) ? fs.readdirSync(cache) : [];
  fs.mkdirSync(cache, { recursive: true });
  fs.writeFileSync(path.join(cache, 'left-by-a-run'), 'a later run must not see this');
  fs.writeFileSync(probe, JSON.stringify({ run, cache, cacheAtStart } satisfies ProbeReport));
  if (process.env.WEIGHTLAB_PROBE_WAIT) await new Promise((resolve) => setTimeout(resolve, 120_000));
  assert.equal(process.env.WEIGHTLAB_PROBE_FAIL, undefined, 'this nested run was asked to fail');
});

test(
  'npm test gives each run a fresh folder and removes it after a pass, a failure or a TERM',
  { skip: probe !== undefined },
  async () => {
    const work = temporaryFolder('run-folder');
    // Without the outer runner's marker, or node's test runner refuses to start a nested run.
    const { NODE_TEST_CONTEXT: _context, ...outerEnvironment } = process.env;
    const nested = (name: string, env: Record<string, string>) => {
      const report = path.join(work, `${name}.json`);
      const child = spawn(process.execPath, [path.join(repositoryRoot, 'scripts', 'test.js'), 'support/run-folder'], {
        cwd: repositoryRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...outerEnvironment, WEIGHTLAB_PROBE_REPORT: report, ...env },
      });
      let output = '';
      child.stdout.on('data', (chunk) => {
        output += chunk;
      });
      child.stderr.on('data', (chunk) => {
        output += chunk;
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      return {
        child,
        exited,
        report: () => JSON.parse(fs.readFileSync(report, 'utf8')) as ProbeReport,
        reported: () => fs.existsSync(report),
        output: () => output,
      };
    };

    const passed = nested('passed', {});
    assert.equal(await passed.exited, 0, passed.output());
    const failed = nested('failed', { WEIGHTLAB_PROBE_FAIL: '1' });
    assert.notEqual(await failed.exited, 0, failed.output());
    const stopped = nested('stopped', { WEIGHTLAB_PROBE_WAIT: '1' });
    const deadline = Date.now() + 120_000;
    while (!stopped.reported() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.ok(fs.existsSync(stopped.report().run), 'the run folder exists while the run does');
    stopped.child.kill('SIGTERM');
    assert.notEqual(await stopped.exited, 0, stopped.output());

    const reports = [passed.report(), failed.report(), stopped.report()];
    assert.equal(new Set(reports.map((r) => r.run)).size, 3, 'a fresh folder per run');
    for (const report of reports) {
      assert.ok(!fs.existsSync(report.run), `${report.run} was removed`);
      assert.ok(
        !report.cacheAtStart.includes('left-by-a-run'),
        `no cache entry from an earlier run: ${report.cacheAtStart.join(', ')}`,
      );
      assert.notEqual(
        report.cache,
        process.env.WEIGHTLAB_CACHE_DIR,
        'a nested run does not inherit the outer cache folder',
      );
    }
  },
);
