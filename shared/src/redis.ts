import type { ConnectionOptions } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import type { Logger } from './logger.js';

/** A request never waits longer than this for Redis: while it is down, commands fail instead of queueing forever. */
export const REDIS_COMMAND_TIMEOUT_MS = 2000;

/**
 * BullMQ connection options from a `redis://` or `rediss://` URL, for workers and event listeners:
 * `maxRetriesPerRequest: null` is what their blocking commands require; they reconnect by themselves.
 */
export function redisOptions(url: string): ConnectionOptions {
  return { url, maxRetriesPerRequest: null };
}

/**
 * For clients on a request's path (job producers, sessions, rate limits, health): each command
 * fails after REDIS_COMMAND_TIMEOUT_MS while Redis is unreachable, and the client keeps reconnecting.
 */
export function redisRequestOptions(): RedisOptions {
  return { maxRetriesPerRequest: 1, commandTimeout: REDIS_COMMAND_TIMEOUT_MS };
}

/** Redis clients report the same error on every reconnect attempt: one log line a minute is enough. */
export const REDIS_ERROR_LOG_EVERY_MS = 60_000;

/**
 * Logs a Redis client's (or BullMQ object's) errors, throttled; without a listener ioredis prints
 * "Unhandled error event" with a stack trace on every reconnect attempt while Redis is down.
 */
export function logRedisErrors(emitter: { on(event: 'error', fn: (err: Error) => void): unknown }, log: Logger, what: string): void {
  let last = 0;
  emitter.on('error', (err: Error) => {
    if (Date.now() - last < REDIS_ERROR_LOG_EVERY_MS) return;
    last = Date.now();
    log.warn({ err: err.message }, `${what}: Redis unreachable (repeats are not logged for a minute)`);
  });
}
