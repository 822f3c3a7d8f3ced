#!/usr/bin/env node
// `npm start`: build, make sure the Jupyter server pieces exist (apt on Debian, conda from
// environment.yml elsewhere, or say exactly what to run), install the kernelspec for this
// user, then open the lab on notebooks/. With --headless (or CI=true) it instead executes
// notebooks/quickstart.ipynb with the kernel and writes out/quickstart.{ipynb,html}.
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const headless = args.includes('--headless') || process.env.CI === 'true';
const passThrough = args.filter((arg) => arg !== '--headless');
const cli = path.join(root, 'kernel', 'bin', 'weightlab.js');

function step(message) {
  process.stderr.write(`\n== ${message}\n`);
}

function run(command, commandArgs, options = {}) {
  const result = spawnSync(command, commandArgs, { stdio: 'inherit', cwd: root, ...options });
  if (result.status !== 0) {
    process.stderr.write(
      `npm start: '${command} ${commandArgs.join(' ')}' failed (exit ${result.status ?? result.signal})\n`,
    );
    process.exit(result.status || 1);
  }
}

function commandExists(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

function ensureJupyter() {
  const { jupyterStatus, installInstructions, DEBIAN_JUPYTER_PACKAGES } = require(
    path.join(root, 'kernel', 'dist', 'jupyter', 'requirements'),
  );
  let status = jupyterStatus();
  if (status.python && status.missing.length === 0) return status.python;
  const isRoot = process.getuid && process.getuid() === 0;
  const canSudo =
    !isRoot && commandExists('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  if (fs.existsSync('/etc/debian_version') && commandExists('apt-get') && (isRoot || canSudo)) {
    step(`installing Jupyter from Debian: ${DEBIAN_JUPYTER_PACKAGES.join(' ')}`);
    const prefix = isRoot ? [] : ['sudo', '-n'];
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    run(prefix[0] ?? 'apt-get', [...prefix.slice(1), ...(isRoot ? [] : ['apt-get']), 'update', '-qq'], { env });
    run(
      prefix[0] ?? 'apt-get',
      [
        ...prefix.slice(1),
        ...(isRoot ? [] : ['apt-get']),
        'install',
        '-y',
        '-qq',
        '--no-install-recommends',
        ...DEBIAN_JUPYTER_PACKAGES,
      ],
      { env },
    );
  } else if (commandExists('conda')) {
    step('creating the conda environment from environment.yml');
    const envs = spawnSync('conda', ['env', 'list', '--json'], { encoding: 'utf8' });
    const exists = envs.status === 0 && JSON.parse(envs.stdout).envs.some((dir) => path.basename(dir) === 'weightlab');
    run(
      'conda',
      exists
        ? ['env', 'update', '-n', 'weightlab', '-f', 'environment.yml']
        : ['env', 'create', '-f', 'environment.yml'],
    );
    const where = spawnSync('conda', ['run', '-n', 'weightlab', 'python', '-c', 'import sys; print(sys.executable)'], {
      encoding: 'utf8',
    });
    if (where.status === 0) process.env.WEIGHTLAB_PYTHON = where.stdout.trim();
  } else {
    process.stderr.write(`${installInstructions()}\n`);
    process.exit(1);
  }
  // Ask again in a fresh process: the probe result is cached in this one.
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      `const s=require(${JSON.stringify(path.join(root, 'kernel', 'dist', 'jupyter', 'requirements'))}).jupyterStatus(); process.stdout.write(JSON.stringify(s))`,
    ],
    { encoding: 'utf8' },
  );
  status = JSON.parse(probe.stdout || '{"missing":["jupyter"]}');
  if (!status.python || status.missing.length) {
    process.stderr.write(
      `npm start: Jupyter still incomplete (missing: ${status.missing.join(', ')})\n${installInstructions()}\n`,
    );
    process.exit(1);
  }
  return status.python;
}

step('building (tsc -b, wasm kernels, kernel prelude, lab)');
run(process.execPath, [path.join(root, 'scripts', 'build.js')]);

step('checking Jupyter');
const python = ensureJupyter();
process.stderr.write(`Jupyter Python: ${python}\n`);

step('installing the weightlab kernelspec for this user');
run(process.execPath, [cli, 'install', '--user']);

if (headless) {
  step('executing notebooks/quickstart.ipynb headlessly');
  fs.mkdirSync(path.join(root, 'out'), { recursive: true });
  run(process.execPath, [
    cli,
    'run',
    'notebooks/quickstart.ipynb',
    '--out',
    'out/quickstart.ipynb',
    '--html',
    'out/quickstart.html',
  ]);
  process.stderr.write(
    `wrote ${path.join(root, 'out', 'quickstart.ipynb')} and ${path.join(root, 'out', 'quickstart.html')}\n`,
  );
} else {
  step('starting the lab (Ctrl-C to stop)');
  run(process.execPath, [cli, 'lab', ...passThrough]);
}
