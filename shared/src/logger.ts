import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * `pretty` (readable, coloured) only for a person at a terminal in development; everywhere else (a file,
 * a pipe, the journal, production) one JSON object per line with no colour codes. LOG_FORMAT overrides.
 */
export function logFormat(env: NodeJS.ProcessEnv = process.env, isTty = Boolean(process.stdout.isTTY)): 'json' | 'pretty' {
  if (env.LOG_FORMAT === 'json' || env.LOG_FORMAT === 'pretty') return env.LOG_FORMAT;
  return isTty && env.NODE_ENV !== 'production' ? 'pretty' : 'json';
}

/**
 * A logger writing to stdout (systemd's journal, or `npm start`'s LOG_FILE with rotation, take it from
 * there). Secrets and credentials in URLs are redacted wherever they appear under these keys.
 */
export function createLogger(name: string, opts: { level?: string; pretty?: boolean } = {}): Logger {
  const pretty = opts.pretty ?? logFormat() === 'pretty';
  return pino({
    name,
    level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
    redact: { paths: ['password', '*.password', 'token', '*.token', 'authorization', '*.authorization', 'secret'], censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  });
}

/** `rtsp://user:pass@host/…` → `rtsp://***@host/…`, for logs and status messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^/@]*@/, '//***@');
}
