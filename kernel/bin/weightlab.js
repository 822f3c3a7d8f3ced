#!/usr/bin/env node
// Entry point of the `weightlab` command; the code lives in dist/cli (compiled TypeScript).
const fs = require('node:fs');
const path = require('node:path');

const main = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!fs.existsSync(main)) {
  // A fresh clone after `npm install` has no compiled code yet: say what to run instead of a stack trace.
  const root = path.resolve(__dirname, '..', '..');
  process.stderr.write(
    `weightlab: not built yet (${path.relative(process.cwd(), main) || main} is missing).\n` +
      `Run \`npm run build\` (or \`npm start\`, which builds first) in ${root}, then try again.\n`,
  );
  process.exitCode = 1;
} else {
  require(main)
    .main()
    .then((code) => {
      process.exitCode = code;
    })
    .catch((error) => {
      process.stderr.write(`weightlab: ${error && error.stack ? error.stack : error}\n`);
      process.exitCode = 1;
    });
}
