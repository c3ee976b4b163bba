import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimitedError } from '../errors.js';

export interface LoginLimits {
  /** Attempts per username from one address per window: stops guessing, and locks out only that account there. */
  perUserAndIp: number;
  windowSeconds: number;
}

/** The slower, address-independent limit per username is this many times the per-address one, per this many windows. */
const USER_FACTOR = 4;
const USER_WINDOWS = 4;
/** An address may try this many times the per-user limit (many usernames: a spray), per window. */
const IP_FACTOR = 20;
/** A username that logged in from an address is known there for this long: an attack elsewhere cannot lock it out. */
const KNOWN_SECONDS = 30 * 24 * 3600;

/**
 * Login throttling shared by every login path of both servers, in Redis (so every engine and admin
 * instance counts together), with an in-memory fallback if Redis is down. Each attempt is consumed
 * atomically BEFORE the password is checked, so parallel guesses cannot slip past the limit.
 *
 *  - username + address: `perUserAndIp` per window (the guessing limit);
 *  - username, any address: USER_FACTOR× that per USER_WINDOWS windows (a distributed guess, slower);
 *  - address, any username: IP_FACTOR× per window (a password spray).
 * A username that has logged in from an address before skips the last two there: one person behind a
 * school's NAT cannot lock out everyone else, nor can a stranger lock a colleague out of their usual place.
 * A success clears only that user's own counters.
 */
export class LoginLimiter {
  private readonly userIp: RateLimiterAbstract;
  private readonly user: RateLimiterAbstract;
  private readonly ip: RateLimiterAbstract;

  constructor(private readonly redis: Redis, private readonly prefix: string, limits: LoginLimits) {
    const make = (name: string, points: number, duration: number) => new RateLimiterRedis({
      storeClient: redis, keyPrefix: `${prefix}login:${name}`, points, duration, rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ keyPrefix: `${prefix}login:${name}`, points, duration }),
    });
    this.userIp = make('user-ip', limits.perUserAndIp, limits.windowSeconds);
    this.user = make('user', limits.perUserAndIp * USER_FACTOR, limits.windowSeconds * USER_WINDOWS);
    this.ip = make('ip', limits.perUserAndIp * IP_FACTOR, limits.windowSeconds);
  }

  /** Consumes one attempt for `username` from `ip`; throws RateLimitedError (with the wait) when over any limit. */
  async attempt(username: string, ip: string): Promise<void> {
    const name = normalise(username);
    const known = (await this.redis.exists(this.knownKey(name, ip)).catch(() => 0)) === 1;
    const limiters: Array<[RateLimiterAbstract, string]> = [[this.userIp, `${name}|${ip}`]];
    if (!known) limiters.push([this.user, name], [this.ip, ip]);
    const results = await Promise.allSettled(limiters.map(([l, key]) => l.consume(key)));
    const waits = results.flatMap((r) => (r.status === 'rejected' && r.reason instanceof RateLimiterRes ? [r.reason.msBeforeNext] : []));
    const broken = results.find((r) => r.status === 'rejected' && !(r.reason instanceof RateLimiterRes));
    if (broken) throw (broken as PromiseRejectedResult).reason;
    if (waits.length) throw new RateLimitedError(Math.max(1, Math.ceil(Math.max(...waits) / 1000)));
  }

  /** The password was right: forget this user's failures here, refund the attempt, remember the address. */
  async succeeded(username: string, ip: string): Promise<void> {
    const name = normalise(username);
    await Promise.all([
      this.userIp.delete(`${name}|${ip}`),
      this.user.reward(name, 1),
      this.ip.reward(ip, 1),
      this.redis.set(this.knownKey(name, ip), '1', 'EX', KNOWN_SECONDS),
    ]);
  }

  private knownKey(name: string, ip: string): string {
    return `${this.prefix}login:known:${name}|${ip}`;
  }
}

const normalise = (username: string) => String(username ?? '').trim().toLowerCase().slice(0, 128);
