#!/usr/bin/env node
// Benchmark of the safetensors reader against raw reads of the same file, in the same run
// (issue 3: full read >= 80 % of raw throughput; a single tensor read touches only its bytes).
// It writes a >= 1 GiB file with our writer into a temp folder, then times, alternating
// and taking medians over warm page-cache runs:
//   raw-fresh   plain fs.readSync of the file in 64 MiB chunks into fresh buffers (what any
//               reader that returns independent tensors must do)
//   raw-reused  the same into one reused 64 MiB buffer (an upper bound no tensor reader reaches:
//               its data is overwritten)
//   dd          `dd bs=16M of=/dev/null` in a child process (includes process start)
//   weightlab   readSafetensors + every tensor loaded (one positional read per tensor)
//   middle      one tensor from the middle: time and the bytes it read
// Usage: node bench/io.js [--gib 1] [--runs 5] [--keep]

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { FileSource, Tensor, WeightSet, readSafetensors, writeSafetensors } = require('../lib/dist/index.js');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const gib = option('gib', 1);
const runs = option('runs', 5);
const keep = args.includes('--keep');

const TENSORS = 16;
const elements = Math.floor((gib * 2 ** 30) / 4 / TENSORS);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weightlab-bench-io-'));
const file = path.join(dir, 'bench.safetensors');

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}
function time(fn) {
  const start = process.hrtime.bigint();
  const result = fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, result };
}

function writeFile() {
  // Lazy entries: each tensor is generated when the writer asks for it, so memory stays at one tensor.
  const entries = Array.from({ length: TENSORS }, (_, t) => [
    `layer${String(t).padStart(2, '0')}.weight`,
    {
      dtype: 'float32',
      shape: [elements],
      load() {
        const data = new Float32Array(elements);
        for (let i = 0; i < elements; i++) data[i] = t + i * 1e-7;
        return new Tensor('float32', data, [elements]);
      },
    },
  ]);
  writeSafetensors(file, new WeightSet(entries, { cache: false }), { bench: 'io' });
}

function rawFresh() {
  const size = fs.statSync(file).size;
  const fd = fs.openSync(file, 'r');
  let total = 0;
  try {
    for (let at = 0; at < size; at += 64 << 20) {
      const chunk = new Uint8Array(Math.min(64 << 20, size - at));
      total += fs.readSync(fd, chunk, 0, chunk.length, at);
    }
  } finally {
    fs.closeSync(fd);
  }
  return total;
}

const reused = new Uint8Array(64 << 20);
function rawReused() {
  const size = fs.statSync(file).size;
  const fd = fs.openSync(file, 'r');
  let total = 0;
  try {
    for (let at = 0; at < size; at += reused.length)
      total += fs.readSync(fd, reused, 0, Math.min(reused.length, size - at), at);
  } finally {
    fs.closeSync(fd);
  }
  return total;
}

function dd() {
  const start = process.hrtime.bigint();
  const out = spawnSync('dd', [`if=${file}`, 'of=/dev/null', 'bs=16M'], { encoding: 'utf8' });
  if (out.status !== 0) return undefined;
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function weightlabFull() {
  const weights = readSafetensors(file);
  let total = 0;
  for (const name of weights.names) {
    total += weights.get(name).byteLength;
    weights.release(name);
  }
  return total;
}

function weightlabMiddle() {
  const inner = new FileSource(file);
  let bytesRead = 0;
  const counting = {
    name: inner.name,
    size: inner.size,
    read: (offset, length, what) => {
      bytesRead += length;
      return inner.read(offset, length, what);
    },
  };
  const weights = readSafetensors(counting);
  const headerBytes = bytesRead;
  const middle = weights.names[Math.floor(weights.size / 2)];
  const tensor = weights.get(middle);
  return {
    middle,
    headerBytes,
    tensorBytes: bytesRead - headerBytes,
    expected: tensor.byteLength,
    first: tensor.get(0),
  };
}

console.log(`weightlab bench:io  node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`);
const written = time(writeFile);
const size = fs.statSync(file).size;
console.log(
  `wrote ${(size / 2 ** 30).toFixed(3)} GiB (${TENSORS} float32 tensors) in ${written.ms.toFixed(0)} ms: ${(size / 2 ** 20 / (written.ms / 1000)).toFixed(0)} MiB/s`,
);
rawFresh(); // warm the page cache

const samples = { rawFresh: [], rawReused: [], dd: [], weightlab: [] };
for (let run = 0; run < runs; run++) {
  samples.rawFresh.push(time(rawFresh).ms);
  samples.weightlab.push(time(weightlabFull).ms);
  samples.rawReused.push(time(rawReused).ms);
  const ddMs = dd();
  if (ddMs !== undefined) samples.dd.push(ddMs);
}
const mibps = (ms) => (size / 2 ** 20 / (ms / 1000)).toFixed(0);
const rows = Object.entries(samples)
  .filter(([, list]) => list.length > 0)
  .map(([name, list]) => [name, median(list), Math.min(...list)]);
console.log('\nwarm page cache, median of', runs, 'runs:');
for (const [name, ms, best] of rows)
  console.log(
    `  ${name.padEnd(10)} ${ms.toFixed(0).padStart(6)} ms  ${mibps(ms).padStart(6)} MiB/s  (best ${best.toFixed(0)} ms)`,
  );
const ours = median(samples.weightlab);
const fresh = median(samples.rawFresh);
const reusedMs = median(samples.rawReused);
console.log(`\nfull read, weightlab / raw-fresh throughput:  ${((fresh / ours) * 100).toFixed(0)} %  (target >= 80 %)`);
console.log(`full read, weightlab / raw-reused throughput: ${((reusedMs / ours) * 100).toFixed(0)} %`);
if (samples.dd.length)
  console.log(
    `full read, weightlab / dd throughput:         ${((median(samples.dd) / ours) * 100).toFixed(0)} %  (dd includes its process start)`,
  );

const middle = time(weightlabMiddle);
const { headerBytes, tensorBytes, expected } = middle.result;
console.log(
  `\nmiddle tensor '${middle.result.middle}': ${middle.ms.toFixed(1)} ms, read ${headerBytes} header bytes + ${tensorBytes} tensor bytes (tensor is ${expected} bytes, file ${size})`,
);
console.log(`single-tensor read touches only its bytes: ${tensorBytes === expected ? 'yes' : 'NO'}`);

if (!keep) fs.rmSync(dir, { recursive: true, force: true });
else console.log(`kept ${file}`);
if (tensorBytes !== expected) process.exitCode = 1;
