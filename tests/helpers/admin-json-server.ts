import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface JsonCall { method: string; url: string; auth?: string; body: string }

/** A tiny JSON HTTP server standing in for the engine: `reply` maps each request to `[status, body]`. */
export async function startJsonServer(reply: (call: JsonCall) => [number, unknown]): Promise<{ url: string; calls: JsonCall[]; close: () => Promise<void> }> {
  const calls: JsonCall[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const call = { method: req.method ?? 'GET', url: req.url ?? '/', auth: req.headers.authorization, body };
      calls.push(call);
      const [status, json] = reply(call);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
