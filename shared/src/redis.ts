import type { ConnectionOptions } from 'bullmq';
import type { RedisOptions } from 'ioredis';

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
