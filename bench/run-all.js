#!/usr/bin/env node
// `npm run bench`: every benchmark script in turn (each prints its own table of ratios
// against a reference measured in the same run). Pass names to run a subset: `npm run bench -- io htsr`.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const wanted = process.argv.slice(2);
const scripts = fs
  .readdirSync(__dirname)
  .filter((name) => name.endsWith('.js') && name !== 'run-all.js')
  .map((name) => name.replace(/\.js$/, ''))
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  .sort();
let failed = 0;
for (const name of scripts) {
  process.stdout.write(`\n===== bench:${name} =====\n`);
  const result = spawnSync(process.execPath, [path.join(__dirname, `${name}.js`)], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed++;
    process.stdout.write(`bench:${name} exited ${result.status ?? result.signal}\n`);
  }
}
process.exit(failed ? 1 : 0);
