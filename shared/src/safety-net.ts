import type { Logger } from './logger.js';

/** Errors after which the process cannot do its job: exit (the supervisor restarts it) rather than limp on. */
const FATAL_CODES = new Set(['EADDRINUSE', 'EACCES', 'ERR_WORKER_OUT_OF_MEMORY', 'ERR_MEMORY_ALLOCATION_FAILED']);
/** This many uncaught exceptions within a minute means the process is broken, not unlucky. */
const MAX_UNCAUGHT_PER_MINUTE = 50;

/**
 * A promise rejected without a handler, or a throw in a callback, must not stop every camera and
 * request: log it with its stack and keep serving. Only a truly fatal condition (a port taken, memory
 * gone, a storm of exceptions) ends the process, with exit code 1.
 */
export function installSafetyNet(log: Logger, exit: (code: number) => void = (code) => process.exit(code)): void {
  let recent: number[] = [];
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, 'unhandled promise rejection (kept serving)');
  });
  process.on('uncaughtException', (err, origin) => {
    const now = Date.now();
    recent = [...recent.filter((t) => now - t < 60_000), now];
    const code = (err as NodeJS.ErrnoException)?.code;
    const fatal = (code !== undefined && FATAL_CODES.has(code)) || recent.length > MAX_UNCAUGHT_PER_MINUTE;
    if (fatal) {
      log.fatal({ err, origin }, 'fatal uncaught exception: exiting');
      exit(1);
      return;
    }
    log.error({ err, origin }, 'uncaught exception (kept serving)');
  });
}
