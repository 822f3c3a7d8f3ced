// A real one-node SLURM cluster on localhost for tests (Debian's slurm-wlm and munge, which CI
// installs): munged with a temporary key and socket, slurmctld and slurmd from a temporary
// slurm.conf on free ports, all under one temporary folder, stopped by the PIDs they wrote.
// Nothing system-wide is read or changed (/etc/slurm and /etc/munge/munge.key are not used).
// Needs root: slurmd runs jobs as their user, and munged must run as the munge user.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';

// By absolute path: CI runs the tests with PATH=/usr/local/bin:/usr/bin:/bin, without /usr/sbin.
const DAEMONS = ['/usr/sbin/munged', '/usr/sbin/slurmctld', '/usr/sbin/slurmd', '/usr/sbin/runuser'];
const CLIENTS = ['sbatch', 'scontrol', 'scancel', 'squeue', 'sinfo', 'munge'];

/** Why a SLURM cluster cannot be started here (so the test is skipped), or undefined when it can. */
export function slurmUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (slurmd runs jobs as their user; munged runs as munge)';
  const missing = [
    ...DAEMONS.filter((file) => !fs.existsSync(file)),
    ...CLIENTS.filter((name) => spawnSync('sh', ['-c', `command -v ${name}`]).status !== 0),
  ];
  if (missing.length)
    return `slurm-wlm and munge are not installed (missing ${missing.join(', ')}): apt-get install slurm-wlm munge`;
  if (spawnSync('id', ['-u', 'munge']).status !== 0) return 'no munge user (install munge)';
  return undefined;
}

export interface SlurmCluster {
  /** The cluster's temporary folder (world-traversable; tests may put their zoos in it). */
  folder: string;
  /** The environment every SLURM client command needs (SLURM_CONF). */
  env: NodeJS.ProcessEnv;
  /** Stops the daemons by PID and removes the folder. */
  stop(): Promise<void>;
}

/** A temp base whose every ancestor others may traverse: munged refuses a socket path without it. */
function traversableTemporaryBase(): string {
  let folder = path.resolve(os.tmpdir());
  const base = folder;
  for (;;) {
    if ((fs.statSync(folder).mode & 0o001) === 0) return '/tmp'; // e.g. the test runner's 0700 run folder
    const parent = path.dirname(folder);
    if (parent === folder) return base;
    folder = parent;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): void {
  const result = spawnSync(command, args, { env, encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${result.stderr}${result.stdout}`);
}

/** Whether `pid` runs (a zombie, exited but not yet reaped by an init that may never reap it, does not). */
function processIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false; // gone meanwhile
  }
}

async function waitFor(what: string, ready: () => boolean, seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts munged, slurmctld and slurmd; resolves once the node is idle. */
export async function startSlurmCluster(): Promise<SlurmCluster> {
  const folder = fs.mkdtempSync(path.join(traversableTemporaryBase(), 'weightlab-slurm-'));
  fs.chmodSync(folder, 0o755);
  const pidFiles: string[] = [];
  const stop = async () => {
    // Reverse order of start: slurmd, slurmctld, munged.
    for (const file of [...pidFiles].reverse()) {
      let pid: number;
      try {
        pid = Number(fs.readFileSync(file, 'utf8').trim());
      } catch {
        continue; // never started
      }
      if (!(pid > 1) || !processIsRunning(pid)) continue;
      process.kill(pid, 'SIGTERM');
      try {
        await waitFor(`pid ${pid} (${path.basename(file)}) to stop`, () => !processIsRunning(pid), 15);
      } catch {
        process.kill(pid, 'SIGKILL');
      }
    }
    fs.rmSync(folder, { recursive: true, force: true });
  };
  try {
    const munge = path.join(folder, 'munge');
    fs.mkdirSync(munge, { mode: 0o755 });
    const uid = Number(spawnSync('id', ['-u', 'munge'], { encoding: 'utf8' }).stdout.trim());
    const gid = Number(spawnSync('id', ['-g', 'munge'], { encoding: 'utf8' }).stdout.trim());
    fs.chownSync(munge, uid, gid);
    fs.chmodSync(munge, 0o755); // munged: "execute permissions for all required" on the socket's path
    const key = path.join(munge, 'munge.key');
    fs.writeFileSync(key, randomBytes(1024), { mode: 0o600 });
    fs.chownSync(key, uid, gid);
    const socket = path.join(munge, 'munge.socket.2');
    pidFiles.push(path.join(munge, 'munged.pid'));
    run(
      '/usr/sbin/runuser',
      [
        '-u',
        'munge',
        '--',
        '/usr/sbin/munged',
        `--socket=${socket}`,
        `--key-file=${key}`,
        `--pid-file=${pidFiles[0]}`,
        `--log-file=${path.join(munge, 'munged.log')}`,
        `--seed-file=${path.join(munge, 'munged.seed')}`,
      ],
      process.env,
    );

    const [controllerPort, nodePort] = [await freePort(), await freePort()];
    const conf = path.join(folder, 'slurm.conf');
    for (const sub of ['state', 'spool']) fs.mkdirSync(path.join(folder, sub));
    pidFiles.push(path.join(folder, 'slurmctld.pid'), path.join(folder, 'slurmd.pid'));
    fs.writeFileSync(
      conf,
      [
        'ClusterName=weightlab-test',
        'SlurmctldHost=localhost',
        'SlurmUser=root',
        'SlurmdUser=root',
        `SlurmctldPort=${controllerPort}`,
        `SlurmdPort=${nodePort}`,
        'AuthType=auth/munge',
        'CredType=cred/munge',
        `AuthInfo=socket=${socket}`,
        `StateSaveLocation=${path.join(folder, 'state')}`,
        `SlurmdSpoolDir=${path.join(folder, 'spool')}`,
        `SlurmctldPidFile=${pidFiles[1]}`,
        `SlurmdPidFile=${pidFiles[2]}`,
        `SlurmctldLogFile=${path.join(folder, 'slurmctld.log')}`,
        `SlurmdLogFile=${path.join(folder, 'slurmd.log')}`,
        // No cgroups (nothing left in /sys/fs/cgroup) and no accounting database.
        'ProctrackType=proctrack/linuxproc',
        'TaskPlugin=task/none',
        'JobAcctGatherType=jobacct_gather/none',
        'AccountingStorageType=accounting_storage/none',
        'JobCompType=jobcomp/none',
        'SelectType=select/cons_tres',
        'SelectTypeParameters=CR_Core',
        'ReturnToService=2',
        'MpiDefault=none',
        `NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 RealMemory=1024`,
        'PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP',
        '',
      ].join('\n'),
    );
    const env = { ...process.env, SLURM_CONF: conf };
    run('/usr/sbin/slurmctld', ['-f', conf], env);
    // The machine's hostname is not the node's name: -N says which node this slurmd is.
    run('/usr/sbin/slurmd', ['-f', conf, '-N', 'localhost'], env);
    await waitFor(
      'the node to be idle',
      () => /^idle/.test(spawnSync('sinfo', ['-h', '-o', '%t'], { env, encoding: 'utf8' }).stdout ?? ''),
      30,
    );
    return { folder, env, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
