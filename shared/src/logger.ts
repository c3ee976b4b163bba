import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * JSON lines in production (for a log collector), a readable coloured stream in development.
 * Secrets and credentials in URLs are redacted wherever they appear under these keys.
 */
export function createLogger(name: string, opts: { level?: string; pretty?: boolean } = {}): Logger {
  const pretty = opts.pretty ?? process.env.NODE_ENV !== 'production';
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
