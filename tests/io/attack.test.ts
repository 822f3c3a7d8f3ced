// Issue 16: hostile inputs are contained, bounded and read strictly, on every surface: the file
// readers, the zoo loader (openZoo, `weightlab zoo info`), the kernel over the real wire protocol
// and `weightlab run`. Builds the whole attack corpus (tests/io/attack/corpus.ts) into a fresh
// temp folder, runs every case (big ones in a child process under a 512 MB heap, which reports
// its peak memory; kernel cases against a kernel started for each, whose start-up (to its first cell) is not timed
// and whose peak memory is read after the case), prints one summary line, and fails on any
// wrong acceptance, escape, untyped error, wrong value, code execution, or a case slower than 5 s.

import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { peakResidentMB, startReadyKernel } from '../kernel/support';
import type { Surface } from './attack/case';
import { attackCases, MARKER } from './attack/corpus';
import { runCase, type CaseResult } from './attack/run-case';
import { tempDir } from './helpers';

const LIMIT_MS = 5000;
const HEAP_MB = 512;
const LIMIT_MB = 512;

test(
  'attack corpus: every hostile input (files, zoos, wire messages, notebooks) is refused with a typed error or handled correctly, quickly and in bounded memory',
  { timeout: 900_000 },
  async () => {
    const root = tempDir('weightlab-attack-');
    const runner = path.join(__dirname, 'attack', 'run-case.js');
    const rows: {
      name: string;
      group: string;
      surface: Surface;
      expect: string;
      outcome: CaseResult;
      codeRan: boolean;
    }[] = [];
    for (const attack of attackCases()) {
      const dir = fs.mkdtempSync(path.join(root, 'case-'));
      const target = attack.build(dir);
      let outcome: CaseResult;
      if (attack.heavy) {
        const child = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MB}`, runner, attack.name, target], {
          encoding: 'utf8',
          timeout: 60_000,
        });
        const line = child.stdout.trim().split('\n').pop() ?? '';
        outcome =
          child.status === 0 && line.startsWith('{')
            ? (JSON.parse(line) as CaseResult)
            : {
                result: 'untyped',
                ms: child.error ? 60_000 : 0,
                message: `child exited ${child.status ?? child.signal}: ${child.stderr.slice(-400)}`,
              };
      } else if (attack.needsKernel) {
        const kernel = await startReadyKernel(attack.kernelEnv);
        try {
          outcome = await runCase(attack, target, kernel);
          outcome.peakMB ??= peakResidentMB(kernel.process.pid!);
        } finally {
          await kernel.shutdown();
        }
      } else {
        outcome = await runCase(attack, target);
      }
      rows.push({
        name: attack.name,
        group: attack.group,
        surface: attack.surface ?? 'reader',
        expect: attack.expect,
        outcome,
        codeRan: fs.existsSync(path.join(dir, MARKER)),
      });
      fs.rmSync(dir, { recursive: true, force: true });
    }

    const typed = rows.filter((r) => r.outcome.result === 'typed');
    const wrongAcceptances = rows.filter(
      (r) => r.expect === 'refuse' && r.outcome.result === 'read' && r.group !== 'containment',
    );
    const escapes = rows.filter(
      (r) => r.expect === 'refuse' && r.outcome.result === 'read' && r.group === 'containment',
    );
    const failedReads = rows.filter((r) => r.expect === 'read' && r.outcome.result !== 'read');
    const untyped = rows.filter((r) => r.outcome.result === 'untyped' || r.outcome.result === 'wrong');
    const hangs = rows.filter((r) => r.outcome.ms > LIMIT_MS);
    const codeRan = rows.filter((r) => r.codeRan);
    // Typed errors of the file and zoo surfaces name their file; the kernel's error replies name no file.
    const unnamed = typed.filter((r) => (r.surface === 'reader' || r.surface === 'zoo') && !r.outcome.namesFile);
    const withoutOffset = typed.filter((r) => !r.outcome.namesOffset);
    const slowest = rows.reduce((a, b) => (b.outcome.ms > a.outcome.ms ? b : a));
    const measured = rows.filter((r) => r.outcome.peakMB !== undefined);
    const largest = measured.reduce((a, b) => (b.outcome.peakMB! > a.outcome.peakMB! ? b : a));
    const surfaces = (['reader', 'zoo', 'kernel', 'run'] as const)
      .map((surface) => `${rows.filter((r) => r.surface === surface).length} ${surface}`)
      .join(', ');
    console.log(
      `attack corpus: ${rows.length} inputs tried (${surfaces}), ${typed.length} typed errors (${withoutOffset.length} without a byte offset or field), ${rows.length - typed.length - untyped.length} read or handled correctly, ` +
        `${wrongAcceptances.length} wrong acceptances, ${escapes.length} escapes, ${hangs.length} hangs, ${codeRan.length} code executed, ${untyped.length} untyped errors or wrong values; ` +
        `slowest '${slowest.name}' ${slowest.outcome.ms.toFixed(0)} ms; largest peak memory '${largest.name}' ${largest.outcome.peakMB!.toFixed(0)} MB ` +
        `(${measured.length} cases measured: ${HEAP_MB} MB-heap children, kernels, runs with their kernel)`,
    );

    const list = (items: typeof rows) =>
      items.map((r) => `${r.name}: ${r.outcome.result} ${r.outcome.message ?? ''}`).join('\n');
    assert.equal(codeRan.length, 0, list(codeRan));
    assert.equal(escapes.length, 0, list(escapes));
    assert.equal(wrongAcceptances.length, 0, list(wrongAcceptances));
    assert.equal(failedReads.length, 0, list(failedReads));
    assert.equal(untyped.length, 0, list(untyped));
    assert.equal(hangs.length, 0, list(hangs));
    assert.equal(unnamed.length, 0, `typed errors that do not name the file:\n${list(unnamed)}`);
    // Bounded memory: every big file or zoo case stays far below what its input expands to (1 GiB bombs
    // and storages, 300 MB lines); a kernel, or a run with its kernel, stays within 512 MB.
    for (const row of measured) {
      const limit = row.surface === 'reader' || row.surface === 'zoo' ? 400 : LIMIT_MB;
      assert.ok(row.outcome.peakMB! < limit, `${row.name}: peak ${row.outcome.peakMB} MB`);
    }
  },
);
