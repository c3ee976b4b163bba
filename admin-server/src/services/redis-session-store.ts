import session from 'express-session';
import type { Redis } from 'ioredis';

/**
 * express-session store on ioredis: sessions outlive an admin-server restart and are shared by
 * every instance behind a load balancer. (connect-redis 9 speaks only node-redis's API; the
 * project already runs ioredis for BullMQ, so this is the few lines it takes.)
 */
export class RedisSessionStore extends session.Store {
  constructor(private readonly redis: Redis, private readonly ttlSeconds: number, private readonly prefix = 'admin:sess:') {
    super();
  }

  override get(sid: string, cb: (err: unknown, s?: session.SessionData | null) => void): void {
    this.redis.get(this.prefix + sid).then(
      (raw) => cb(null, raw ? (JSON.parse(raw) as session.SessionData) : null),
      (err: unknown) => cb(err),
    );
  }

  override set(sid: string, s: session.SessionData, cb?: (err?: unknown) => void): void {
    this.redis.set(this.prefix + sid, JSON.stringify(s), 'EX', this.ttlSeconds).then(() => cb?.(), (err: unknown) => cb?.(err));
  }

  override touch(sid: string, _s: session.SessionData, cb?: () => void): void {
    this.redis.expire(this.prefix + sid, this.ttlSeconds).then(() => cb?.(), () => cb?.());
  }

  override destroy(sid: string, cb?: (err?: unknown) => void): void {
    this.redis.del(this.prefix + sid).then(() => cb?.(), (err: unknown) => cb?.(err));
  }
}
