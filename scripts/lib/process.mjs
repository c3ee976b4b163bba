import net from 'node:net';

/** A TCP port free on loopback right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Polls `check` until it returns true, or throws `message` after `timeoutMs`.
 * @param {() => Promise<boolean> | boolean} check
 */
export async function waitFor(check, timeoutMs, message) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${message} within ${timeoutMs} ms`);
}

/** Runs `cleanup` once on exit, Ctrl-C or termination. */
export function onExit(cleanup) {
  let done = false;
  const run = async (code) => {
    if (done) return;
    done = true;
    await cleanup();
    process.exit(code);
  };
  process.once('SIGINT', () => run(130));
  process.once('SIGTERM', () => run(143));
  return run;
}
