import { RateLimitedError } from '@attendance/shared';

/**
 * Fixed-window attempt counter per key (an IP, a username). Kept in memory: each engine instance
 * limits on its own, which still caps a guessing attack at instances × limit per window.
 */
export class RateLimiter {
  private windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly max: number, private readonly windowMs: number, private readonly now: () => number = Date.now) {}

  /** Throws RateLimitedError when `key` has used up its attempts in the current window. */
  check(key: string): void {
    const w = this.windows.get(key);
    const t = this.now();
    if (w && t - w.start < this.windowMs && w.count >= this.max) {
      throw new RateLimitedError(Math.ceil((w.start + this.windowMs - t) / 1000));
    }
  }

  /** Counts a failed attempt. */
  hit(key: string): void {
    const t = this.now();
    const w = this.windows.get(key);
    if (!w || t - w.start >= this.windowMs) this.windows.set(key, { start: t, count: 1 });
    else w.count++;
    if (this.windows.size > 10_000) this.sweep(t);
  }

  reset(key: string): void { this.windows.delete(key); }

  private sweep(t: number): void {
    for (const [k, w] of this.windows) if (t - w.start >= this.windowMs) this.windows.delete(k);
  }
}
