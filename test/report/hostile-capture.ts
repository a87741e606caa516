// Makes a real capture for the report tests: sipp phones on loopback, recorded by tshark. One phone registers with
// digest authentication (401, then 200); another calls with HTML/script payloads in its display names, headers and
// SDP and is answered 486 with payloads in Warning, Reason, Retry-After and Server.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const scenarios = fileURLToPath(new URL('./scenarios/', import.meta.url));

/** The secrets and identities the hostile capture carries, for the redaction tests to search for. */
export const hostileValues = {
  password: 'SuperSecretPw1',
  nonce: 'Zk9uY2VWYWx1ZTQyNzM5MTgyNjQ1',
  caller: '5551234567',
  callee: '5559876543',
  address: '127.0.0.1',
} as const;

export interface HostileCapture {
  readonly dir: string;
  readonly pcap: string;
}

/** A free UDP port on 127.0.0.1 (bind port 0, read it, close). */
function findFreeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

function waitExit(child: ChildProcess, ms: number): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) {
      resolve(child.exitCode);
      return;
    }
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(null);
    }, ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

function sipp(dir: string, args: readonly string[]): ChildProcess {
  return spawn('sipp', [...args, '-m', '1', '-nostdin', '-timeout', '15s', '-timeout_error', '-recv_timeout', '8000'], {
    cwd: dir,
    stdio: 'ignore',
  });
}

async function runPair(dir: string, uas: string, uac: string, uasPort: number, uacPort: number): Promise<void> {
  const server = sipp(dir, ['-sf', join(scenarios, uas), '-i', '127.0.0.1', '-p', String(uasPort)]);
  try {
    await new Promise((r) => setTimeout(r, 400));
    const client = sipp(dir, [`127.0.0.1:${uasPort}`, '-sf', join(scenarios, uac), '-i', '127.0.0.1', '-p', String(uacPort)]);
    const clientCode = await waitExit(client, 20_000);
    const serverCode = await waitExit(server, 5_000);
    if (clientCode !== 0 || serverCode !== 0) throw new Error(`sipp ${uac}/${uas} exited ${String(clientCode)}/${String(serverCode)}`);
  } finally {
    if (server.exitCode === null) server.kill('SIGKILL');
  }
}

/** Runs the phones under tshark and returns the pcapng. Needs sipp and tshark (capture on lo). */
export async function makeHostileCapture(): Promise<HostileCapture> {
  const dir = await mkdtemp(join(tmpdir(), 'siplens-report-'));
  const pcap = join(dir, 'hostile.pcapng');
  const phone = await findFreeUdpPort();
  const server = await findFreeUdpPort();
  const tshark = spawn('tshark', ['-i', 'lo', '-f', `udp port ${phone} or udp port ${server}`, '-w', pcap, '-q'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  try {
    let err = '';
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 15_000);
      tshark.stderr?.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('Capturing on')) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      tshark.once('exit', () => resolve(false));
    });
    if (!ready) throw new Error(`tshark did not start: ${err.slice(0, 300)}`);
    await runPair(dir, 'uas-register.xml', 'uac-register.xml', server, phone);
    await runPair(dir, 'uas-busy.xml', 'uac-invite.xml', server, phone);
    await new Promise((r) => setTimeout(r, 300));
  } finally {
    tshark.kill('SIGINT');
    await waitExit(tshark, 5_000);
  }
  return { dir, pcap };
}
