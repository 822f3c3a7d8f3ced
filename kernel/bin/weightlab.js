#!/usr/bin/env node
// Entry point of the `weightlab` command; the code lives in dist/cli (compiled TypeScript).
require('../dist/cli/main')
  .main()
  .then((code) => { process.exitCode = code; })
  .catch((error) => { process.stderr.write(`weightlab: ${error && error.stack ? error.stack : error}\n`); process.exitCode = 1; });
