// A long-lived numpy process for benchmarks that compare against numpy in the same run. One run
// of a numpy function at a time, on request, so benchmark rounds can alternate numpy and
// weightlab: load drifting on a shared machine then hits both sides of each ratio alike, where
// numpy timed in a block before or after weightlab saw other minutes of the machine's load.
const fs = require('node:fs');
const { spawn, spawnSync } = require('node:child_process');

/** Debian's interpreter, the one python3-numpy is installed for (the python3 on PATH may be another). */
const PYTHON = '/usr/bin/python3';

/** Whether PYTHON can import numpy. */
function hasNumpy() {
  return fs.existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
}

// The server loop: each stdin line is {"call": name, "args": [...], "warm": bool}; the named
// function of the setup script runs (twice with "warm", the second timed) and the reply line
// carries its wall and CPU time (all threads) in ms and its JSON-able result.
const LOOP = `
import sys, json, time
for line in sys.stdin:
    request = json.loads(line)
    function = globals()[request["call"]]
    if request.get("warm"): function(*request.get("args", []))
    t0 = time.perf_counter(); c0 = time.process_time()
    result = function(*request.get("args", []))
    wall = (time.perf_counter() - t0) * 1000; cpu = (time.process_time() - c0) * 1000
    sys.stdout.write(json.dumps({"wall": wall, "cpu": cpu, "result": result}) + "\\n"); sys.stdout.flush()
`;

/**
 * Starts numpy with `setup` (Python source defining the functions to call; it may read `argv`, the
 * list passed here) and returns { call(name, ...args), warmCall(name, ...args), close() }: a call
 * resolves to { wall, cpu, result }; warmCall runs the function once untimed first.
 */
function startNumpy(setup, argv = []) {
  const child = spawn(PYTHON, ['-c', `argv = ${JSON.stringify(argv)}\n${setup}\n${LOOP}`], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let buffered = '',
    stderr = '';
  const waiting = [];
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    buffered += chunk;
    let newline;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      waiting.shift()?.resolve(JSON.parse(line));
    }
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  child.on('exit', (code) => {
    for (const request of waiting.splice(0))
      request.reject(new Error(`numpy reference exited ${code}: ${stderr.trim()}`));
  });
  const request = (call, args, warm) =>
    new Promise((resolve, reject) => {
      waiting.push({ resolve, reject });
      child.stdin.write(`${JSON.stringify({ call, args, warm })}\n`);
    });
  return {
    call: (name, ...args) => request(name, args, false),
    warmCall: (name, ...args) => request(name, args, true),
    close() {
      child.stdin.end();
      return new Promise((resolve) => (child.exitCode !== null ? resolve() : child.on('exit', () => resolve())));
    },
  };
}

module.exports = { PYTHON, hasNumpy, startNumpy };
