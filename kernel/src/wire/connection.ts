// Jupyter connection files: the JSON a client writes to tell a kernel which ports, transport and
// HMAC key to use. Read by the kernel, written by our client when it launches a kernel.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';

export interface ConnectionInfo {
  transport: 'tcp' | 'ipc';
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
  kernel_name?: string;
}

export type Channel = 'shell' | 'iopub' | 'stdin' | 'control' | 'hb';

export class ConnectionFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'ConnectionFileError';
  }
}

const PORT_FIELDS = ['shell_port', 'iopub_port', 'stdin_port', 'control_port', 'hb_port'] as const;

/** Parses and checks a connection file; every problem names the file and the field. */
export function readConnectionFile(file: string): ConnectionInfo {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConnectionFileError(file, `cannot read connection file: ${(error as Error).message}`);
  }
  return parseConnectionInfo(raw, file);
}

export function parseConnectionInfo(raw: unknown, file = '<connection info>'): ConnectionInfo {
  if (!raw || typeof raw !== 'object') throw new ConnectionFileError(file, 'expected a JSON object');
  const record = raw as Record<string, unknown>;
  const transport = record.transport ?? 'tcp';
  if (transport !== 'tcp' && transport !== 'ipc')
    throw new ConnectionFileError(file, `unsupported transport '${String(transport)}'`);
  const ip = record.ip ?? '127.0.0.1';
  if (typeof ip !== 'string') throw new ConnectionFileError(file, "'ip' must be a string");
  for (const field of PORT_FIELDS) {
    const port = record[field];
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
      throw new ConnectionFileError(file, `'${field}' must be a port number, got ${JSON.stringify(port)}`);
    }
  }
  const key = record.key ?? '';
  if (typeof key !== 'string') throw new ConnectionFileError(file, "'key' must be a string");
  const scheme = record.signature_scheme ?? 'hmac-sha256';
  if (typeof scheme !== 'string') throw new ConnectionFileError(file, "'signature_scheme' must be a string");
  return {
    transport,
    ip,
    shell_port: record.shell_port as number,
    iopub_port: record.iopub_port as number,
    stdin_port: record.stdin_port as number,
    control_port: record.control_port as number,
    hb_port: record.hb_port as number,
    key,
    signature_scheme: scheme,
    kernel_name: typeof record.kernel_name === 'string' ? record.kernel_name : undefined,
  };
}

/** The ZeroMQ endpoint of one channel (tcp://ip:port, or ipc://ip-port as jupyter_client names them). */
export function endpoint(info: ConnectionInfo, channel: Channel): string {
  const port = info[channel === 'hb' ? 'hb_port' : (`${channel}_port` as `${Exclude<Channel, 'hb'>}_port`)];
  return info.transport === 'tcp' ? `tcp://${info.ip}:${port}` : `ipc://${info.ip}-${port}`;
}

async function freePort(ip: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, ip, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Fresh connection info with free TCP ports and a random key (the way jupyter_client does it). */
export async function newConnectionInfo(ip = '127.0.0.1'): Promise<ConnectionInfo> {
  const ports = new Set<number>();
  while (ports.size < PORT_FIELDS.length) ports.add(await freePort(ip));
  const [shell, iopub, stdin, control, hb] = [...ports];
  return {
    transport: 'tcp',
    ip,
    shell_port: shell,
    iopub_port: iopub,
    stdin_port: stdin,
    control_port: control,
    hb_port: hb,
    key: randomBytes(32).toString('hex'),
    signature_scheme: 'hmac-sha256',
    kernel_name: 'weightlab',
  };
}
