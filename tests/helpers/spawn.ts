import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

// Ports already handed out by this process: the kernel may offer a just-closed port again, and two
// servers told the same "free" port (e.g. an engine and an HTTPS panel) would then collide.
const handedOut = new Set<number>();

export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = net.createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const { port: p } = srv.address() as net.AddressInfo;
        srv.close(() => resolve(p));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

export interface Running {
  child: ChildProcess;
  output: () => string;
  /** Resolves when `pattern` appears in stdout/stderr; rejects on exit or timeout. */
  waitFor: (pattern: RegExp, timeoutMs: number) => Promise<RegExpMatchArray>;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
  /** Resolves with the exit code when the process ends by itself. */
  exited: Promise<number | null>;
}

/** Runs a command, collecting its output, for tests that drive the real scripts and servers. */
export function run(cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Running {
  const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => { out += d.toString(); listeners.forEach((l) => l()); };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => { listeners.forEach((l) => l()); resolve(code); }));
  return {
    child,
    exited,
    output: () => out,
    waitFor: (pattern, timeoutMs) => new Promise((resolve, reject) => {
      const check = () => {
        const m = out.match(pattern);
        if (m) { done(); resolve(m); } else if (child.exitCode !== null) { done(); reject(new Error(`exited (${child.exitCode}) before ${pattern}:\n${out}`)); }
      };
      const timer = setTimeout(() => { done(); reject(new Error(`timed out waiting for ${pattern}:\n${out}`)); }, timeoutMs);
      const done = () => { clearTimeout(timer); listeners.delete(check); };
      listeners.add(check);
      check();
    }),
    stop: async (signal = 'SIGINT') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
