import type { ConnectionOptions } from 'bullmq';

/**
 * BullMQ connection options from a `redis://` or `rediss://` URL. BullMQ opens its own connections
 * from these; `maxRetriesPerRequest: null` is what its blocking workers require.
 */
export function redisOptions(url: string): ConnectionOptions {
  return { url, maxRetriesPerRequest: null };
}
