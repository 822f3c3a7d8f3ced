// Builders of hostile zoo folders (issue 16), shared by the detailed zoo test
// (tests/zoo/zoo-hostile.test.ts) and the one-line attack corpus (tests/io/attack/corpus.ts), so
// both attack the readers with the same bytes: ray-tune trial folders next to symbolic link
// loops, dangling links, links out of the zoo, a FIFO named result.json, a result line of
// hundreds of MB (streamed to disk, never held in memory) and params.json nested 100k deep.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const MiB = 2 ** 20;

/** Two well-formed result lines (the second with Python's NaN, as ray-tune writes it). */
export const GOOD_LINES = ['{"train_acc": 0.5, "test_acc": 0.25, "training_iteration": 1}', '{"train_acc": 1.0, "test_acc": NaN, "training_iteration": 2}'];

/** A ray-tune trial folder `root/name` with params.json and one result line per entry of `lines`. */
export function writeTrial(root: string, name: string, params: string = JSON.stringify({ seed: name.length }), lines: string[] = GOOD_LINES): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'params.json'), params);
  fs.writeFileSync(path.join(dir, 'result.json'), lines.map((line) => `${line}\n`).join(''));
  return dir;
}

/** The names of the two good trials every hostile ray-tune zoo holds. */
export const GOOD_TRIALS = ['good_a', 'good_b'];

/** Writes the two good trials into `root` (an empty folder) and returns `root`. */
export function zooWithGoodTrials(root: string): string {
  for (const name of GOOD_TRIALS) writeTrial(root, name);
  return root;
}

/** Writes `size` bytes of `fill` in 1 MiB chunks, so the file is never held in memory. */
export function writeInChunks(fd: number, fill: string, size: number): void {
  const chunk = Buffer.alloc(MiB, fill);
  for (let written = 0; written < size; written += MiB) fs.writeSync(fd, chunk, 0, Math.min(MiB, size - written));
}

/** Two links, loop_a -> loop_b -> loop_a, in `root`; returns their paths. */
export function addLinkLoop(root: string): string[] {
  fs.symlinkSync('loop_b', path.join(root, 'loop_a'));
  fs.symlinkSync('loop_a', path.join(root, 'loop_b'));
  return ['loop_a', 'loop_b'].map((name) => path.join(root, name));
}

/** A link `root/dangling` to a name that does not exist; returns its path. */
export function addDanglingLink(root: string): string {
  const link = path.join(root, 'dangling');
  fs.symlinkSync('nowhere', link);
  return link;
}

/** A good trial 'secret' in `elsewhere` (outside the zoo) and a link `root/outside` to it; returns the trial's path. */
export function addLinkOutside(root: string, elsewhere: string): string {
  const outsideTrial = writeTrial(elsewhere, 'secret');
  fs.symlinkSync(outsideTrial, path.join(root, 'outside'));
  return outsideTrial;
}

/** A trial 'fifo_trial' whose result.json is a FIFO; returns the trial folder, or undefined when mkfifo is not available. */
export function addFifoTrial(root: string): string | undefined {
  const dir = writeTrial(root, 'fifo_trial');
  fs.rmSync(path.join(dir, 'result.json'));
  return spawnSync('mkfifo', [path.join(dir, 'result.json')]).status === 0 ? dir : undefined;
}

/**
 * A trial 'long_line' whose result.json holds one good line, then a second line of `bytes`
 * bytes and more, written in chunks. Returns the trial folder, the file and the good first line
 * (whose length is the second line's byte offset).
 */
export function addLongResultLine(root: string, bytes: number): { dir: string; file: string; first: string } {
  const dir = writeTrial(root, 'long_line', undefined, []);
  const file = path.join(dir, 'result.json');
  const fd = fs.openSync(file, 'w');
  const first = `${GOOD_LINES[0]}\n`;
  try {
    fs.writeSync(fd, `${first}{"log": "`);
    writeInChunks(fd, 'a', bytes);
    fs.writeSync(fd, '"}\n');
  } finally {
    fs.closeSync(fd);
  }
  return { dir, file, first };
}

/** A trial 'deep_json' whose params.json nests objects `depth` deep ('{"a":' repeated); returns the trial folder. */
export function addDeepParams(root: string, depth: number): string {
  return writeTrial(root, 'deep_json', '{"a":'.repeat(depth) + '1' + '}'.repeat(depth));
}
