// A throwaway Redis for development and tests: a free loopback port, no persistence, stopped on exit.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { freePort, waitFor } from './process.mjs';

/**
 * `port` restarts a Redis on a known port (tests of an outage and recovery); default a free one.
 * @returns {Promise<{ url: string, port: number, stop: () => Promise<void> }>}
 */
export async function startRedis({ log = () => {}, port = 0 } = {}) {
  port ||= await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--protected-mode', 'yes', '--loglevel', 'warning'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.once('error', (err) => log(`redis-server failed to start: ${err.message}`));
  await waitFor(() => ping(port), 10_000, 'redis-server did not answer PING');
  log(`redis-server on 127.0.0.1:${port} (pid ${child.pid}, no persistence)`);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** @param {number} port */
function ping(port) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.once('data', (d) => { sock.destroy(); resolve(d.toString().startsWith('+PONG')); });
    sock.once('error', () => resolve(false));
  });
}
