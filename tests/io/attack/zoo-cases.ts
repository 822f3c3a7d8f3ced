// The zoo-loader cases of the attack corpus (issue 16): ray-tune zoos holding two good trials
// next to one hostile entry (a symbolic link loop, a dangling link, a link out of the zoo, a
// 300 MB result line, params.json nested 100k deep, a FIFO named result.json), opened with
// openZoo in a child under a 512 MB heap, and `weightlab zoo info` on them. A zoo must open with
// the good trials and list the bad entry in zoo.skipped with a typed error naming its file
// (counted as a typed error: the one thrown by the case); a zoo with nothing readable must fail
// with a typed error. The folders come from the builders the detailed zoo test uses.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as weightlab from 'weightlab/internal';
import { openZoo } from 'weightlab/internal';
import { runCli } from '../../support/paths';
import { ReportedError, type AttackCase } from './case';
import { addDanglingLink, addDeepParams, addFifoTrial, addLinkLoop, addLinkOutside, addLongResultLine, GOOD_LINES, GOOD_TRIALS, writeTrial, zooWithGoodTrials } from './hostile-zoos';

/** The train_acc column of a good trial, from the lines written (NaN is not JSON, and train_acc is never NaN there). */
const GOOD_TRAIN_ACC = GOOD_LINES.map((line) => (JSON.parse(line.replace('NaN', 'null')) as { train_acc: number }).train_acc);

/** A zoo folder `dir/zoo` with the good trials, to which `hostile` adds the bad entries; returns the zoo folder. */
function hostileZoo(dir: string, hostile: (root: string) => void): string {
  const root = zooWithGoodTrials(path.join(dir, 'zoo'));
  hostile(root);
  return root;
}

/**
 * Opens the zoo: the good trials must load with their values. When the loader skipped entries,
 * they must be exactly `bad` (names inside the zoo), and the first one's typed error is thrown;
 * when it skipped nothing, the case returns as a read (a wrong acceptance, or an escape for a
 * containment case).
 */
function openSkipping(root: string, bad: string[]): void {
  const zoo = openZoo(root);
  for (const name of GOOD_TRIALS) {
    const model = zoo.models.find((candidate) => candidate.id === name);
    assert.ok(model, `good trial ${name} did not load (loaded: ${zoo.models.map((candidate) => candidate.id).join(', ')})`);
    assert.deepEqual(model.results.map((row) => row.train_acc), GOOD_TRAIN_ACC, `results of ${name}`);
  }
  if (zoo.skipped.length === 0) return;
  assert.deepEqual(zoo.skipped.map((skip) => skip.path).sort(), bad.map((name) => path.join(root, name)).sort());
  throw zoo.skipped[0].error;
}

/** `weightlab zoo info ARGS`: its exit status and output. */
const zooInfo = (args: string[]) => runCli(['zoo', 'info', ...args], { timeoutMs: 30_000 });

/** The error class (a WeightlabError subclass, or an AssertionError) and message a failing CLI printed on stderr ('weightlab zoo info: CLASS: message'). */
function printedError(stderr: string): { ename: string; message: string } {
  const printed = /^weightlab zoo info: (\w+): (.*)$/m.exec(stderr);
  assert.ok(printed, `no typed error on stderr: ${stderr.slice(-400)}`);
  const errorClass = (weightlab as unknown as Record<string, unknown>)[printed[1]];
  assert.ok(typeof errorClass === 'function' && errorClass.prototype instanceof weightlab.WeightlabError, `${printed[1]} is not a WeightlabError subclass: ${stderr.slice(-400)}`);
  return { ename: printed[1], message: printed[2] };
}

export function zooCases(): AttackCase[] {
  const cases: AttackCase[] = [];
  const add = (c: Omit<AttackCase, 'surface'>) => cases.push({ ...c, surface: 'zoo' });

  add({ name: 'zoo: symbolic link loop next to good trials', group: 'strict', expect: 'refuse', heavy: true,
    build: (dir) => hostileZoo(dir, addLinkLoop), read: (root) => openSkipping(root, ['loop_a', 'loop_b']) });
  add({ name: 'zoo: dangling symbolic link next to good trials', group: 'strict', expect: 'refuse', heavy: true,
    build: (dir) => hostileZoo(dir, addDanglingLink), read: (root) => openSkipping(root, ['dangling']) });
  add({ name: 'zoo: trial linked from outside the zoo folder', group: 'containment', expect: 'refuse', heavy: true,
    build: (dir) => hostileZoo(dir, (root) => addLinkOutside(root, path.join(dir, 'elsewhere'))), read: (root) => openSkipping(root, ['outside']) });
  add({ name: 'zoo: 300 MB result.json line (written in chunks)', group: 'bounded', expect: 'refuse', heavy: true,
    build: (dir) => hostileZoo(dir, (root) => addLongResultLine(root, 300 * 1e6)), read: (root) => openSkipping(root, ['long_line']) });
  add({ name: 'zoo: params.json nested 100k deep', group: 'bounded', expect: 'refuse', heavy: true,
    build: (dir) => hostileZoo(dir, (root) => addDeepParams(root, 100_000)), read: (root) => openSkipping(root, ['deep_json']) });
  add({ name: 'zoo: FIFO named result.json', group: 'bounded', expect: 'refuse', heavy: true,
    build: (dir) => hostileZoo(dir, (root) => assert.ok(addFifoTrial(root), 'mkfifo is not available')), read: (root) => openSkipping(root, ['fifo_trial']) });
  add({ name: 'zoo: nothing readable (a dangling link and a trial nested 1000 deep)', group: 'strict', expect: 'refuse', heavy: true, build: (dir) => {
    const root = path.join(dir, 'zoo');
    fs.mkdirSync(root);
    addDanglingLink(root);
    writeTrial(root, 'deep', '['.repeat(1000) + ']'.repeat(1000));
    return root;
  }, read: (root) => { openZoo(root); } });

  // The CLI over the same folders: the reasons reach the user, and the exit status says whether anything was readable.
  add({ name: 'weightlab zoo info: link loop listed as skipped, --strict fails naming it', group: 'strict', expect: 'refuse', build: (dir) => hostileZoo(dir, addLinkLoop), read: (root) => {
    const info = zooInfo([root, '--json']);
    assert.equal(info.status, 0, info.stderr);
    const summary = JSON.parse(info.stdout) as { models: number; skipped: { path: string; reason: string }[] };
    assert.equal(summary.models, GOOD_TRIALS.length);
    assert.deepEqual(summary.skipped.map((skip) => skip.path), ['loop_a', 'loop_b'].map((name) => path.join(root, name)));
    const strict = zooInfo([root, '--strict']);
    assert.equal(strict.status, 1, strict.stderr);
    const { ename, message } = printedError(strict.stderr);
    throw new ReportedError(ename, message, { file: message.includes(path.join(root, 'loop_a')) ? path.join(root, 'loop_a') : undefined });
  } });
  add({ name: 'weightlab zoo info: nothing readable exits 1 with the typed error', group: 'strict', expect: 'refuse', build: (dir) => {
    const root = path.join(dir, 'zoo');
    fs.mkdirSync(root);
    addDanglingLink(root);
    return root;
  }, read: (root) => {
    const info = zooInfo([root]);
    assert.equal(info.status, 1, info.stderr);
    const { ename, message } = printedError(info.stderr);
    throw new ReportedError(ename, message, { file: message.includes(root) ? root : undefined });
  } });
  return cases;
}
