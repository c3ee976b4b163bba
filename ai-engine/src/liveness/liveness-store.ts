import crypto from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError, ConflictError, type TemplateCipher } from '@attendance/shared';
import type { LivenessSnapshot } from './liveness-session.js';

/** One open registration as the engines share it. */
export interface StoredSession { studentId: number; registered: boolean; state: LivenessSnapshot }

/** A session held for one request (a frame, a registration): only the holder may write it back. */
export interface HeldSession extends StoredSession { id: string; token: string }

export class SessionStoreUnavailableError extends AppError {
  constructor(cause: unknown) { super('liveness sessions are unavailable: Redis does not answer', 'session_store_unavailable', 503, undefined, { cause }); }
}

/** Hold a session: take its lock if the session exists and nobody holds it; answer with the state. */
const TAKE = `if redis.call('EXISTS', KEYS[1]) == 0 then return {0} end
if not redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {1} end
return {2, redis.call('GET', KEYS[1])}`;
/** Write back only while still the holder and the session still open (a cancel or supersede deletes it). */
const SAVE = `if redis.call('GET', KEYS[2]) ~= ARGV[1] or redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL') return 1`;
const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/**
 * Open liveness sessions in Redis, so any engine serves any request of a registration (and a session survives
 * the engine that started it). One key per session, expiring a little after the session does; its embeddings
 * encrypted with the template key (AES-256-GCM, bound to student and session), like templates at rest.
 * A request that changes a session holds its lock (`take`) for the analysis: a second frame of the same
 * session meanwhile, on any engine, is refused rather than queued, as it always was on one engine.
 */
export class LivenessStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly cipher: TemplateCipher,
    /** Longest a request may hold a session (an engine that dies holding it frees it after this). */
    private readonly lockMs = 15_000,
    /** How long a session's key outlives its deadline (a late status or registration still finds it). */
    private readonly graceMs = 60_000,
  ) {}

  private key(id: string): string { return `${this.prefix}:liveness:${id}`; }
  private lockKey(id: string): string { return `${this.prefix}:liveness-lock:${id}`; }

  async create(id: string, s: StoredSession): Promise<void> {
    const ttl = Math.max(1000, s.state.expiresAt - Date.now() + this.graceMs);
    await this.call(() => this.redis.set(this.key(id), this.encode(id, s), 'PX', ttl));
  }

  /** The session as it is now, without holding it (null: not open). */
  async peek(id: string): Promise<StoredSession | null> {
    const raw = await this.call(() => this.redis.get(this.key(id)));
    return raw === null ? null : this.decode(id, raw);
  }

  /** Holds an open session for one request (null: not open). Busy elsewhere: 409 with `busyMessage`. */
  async take(id: string, busyMessage: string): Promise<HeldSession | null> {
    const token = crypto.randomUUID();
    const [code, raw] = await this.call(() => this.redis.eval(TAKE, 2, this.key(id), this.lockKey(id), token, this.lockMs) as Promise<[number, string?]>);
    if (code === 0) return null;
    if (code === 1) throw new ConflictError(busyMessage);
    return { ...this.decode(id, raw!), id, token };
  }

  /** Writes a held session back; false when it ended meanwhile or the hold ran out. */
  async save(s: HeldSession): Promise<boolean> {
    return (await this.call(() => this.redis.eval(SAVE, 2, this.key(s.id), this.lockKey(s.id), s.token, this.encode(s.id, s)))) === 1;
  }

  async release(s: HeldSession): Promise<void> {
    await this.call(() => this.redis.eval(UNLOCK, 1, this.lockKey(s.id), s.token));
  }

  /** The session is over (with its embeddings). */
  async remove(id: string): Promise<void> {
    await this.call(() => this.redis.del(this.key(id)));
  }

  private encode(id: string, s: StoredSession): string {
    const seal = (v: Float32Array, slot: string) => this.cipher.encrypt(v, s.studentId, `liveness:${id}:${slot}`).toString('base64');
    const { done, last, ...rest } = s.state;
    return JSON.stringify({
      studentId: s.studentId, registered: s.registered, keyId: this.cipher.keyId,
      state: { ...rest, done: done.map((d, i) => ({ ...d, embedding: seal(d.embedding, `done:${i}`) })), last: last && { ...last, embedding: seal(last.embedding, 'last') } },
    });
  }

  private decode(id: string, raw: string): StoredSession {
    const j = JSON.parse(raw) as { studentId: number; registered: boolean; keyId: string; state: Omit<LivenessSnapshot, 'done' | 'last'> & {
      done: Array<Omit<LivenessSnapshot['done'][number], 'embedding'> & { embedding: string }>;
      last: (Omit<NonNullable<LivenessSnapshot['last']>, 'embedding'> & { embedding: string }) | null;
    } };
    const open = (b64: string, slot: string) => this.cipher.decrypt(Buffer.from(b64, 'base64'), j.studentId, `liveness:${id}:${slot}`, j.keyId);
    const { done, last, ...rest } = j.state;
    return {
      studentId: j.studentId, registered: j.registered,
      state: { ...rest, done: done.map((d, i) => ({ ...d, embedding: open(d.embedding, `done:${i}`) })), last: last && { ...last, embedding: open(last.embedding, 'last') } },
    };
  }

  private async call<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (err) {
      throw err instanceof AppError ? err : new SessionStoreUnavailableError(err);
    }
  }
}
