import type { Redis } from 'ioredis';

/**
 * Counts failures per key in Redis (shared by every admin-server instance, kept across restarts)
 * inside a fixed window. Only failures count, so a user who types the password right is never slowed.
 */
export class FailureLimiter {
  constructor(private readonly redis: Redis, private readonly name: string, readonly maxFailures: number, readonly windowSeconds: number) {}

  private key(subject: string): string {
    return `ratelimit:${this.name}:${subject}`;
  }

  /** Seconds until the subject may try again, or 0 when it may try now. */
  async blockedFor(subject: string): Promise<number> {
    const k = this.key(subject);
    const [count, ttl] = await Promise.all([this.redis.get(k), this.redis.ttl(k)]);
    return Number(count ?? 0) >= this.maxFailures ? Math.max(ttl, 1) : 0;
  }

  async fail(subject: string): Promise<void> {
    const k = this.key(subject);
    const n = await this.redis.incr(k);
    if (n === 1) await this.redis.expire(k, this.windowSeconds);
  }

  async reset(subject: string): Promise<void> {
    await this.redis.del(this.key(subject));
  }
}
