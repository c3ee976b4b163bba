import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  ApiKey, ForbiddenError, UnauthorizedError, User, hashApiKey, hashPassword, signToken, verifyPassword, verifyToken, writeAudit,
  type JwtSettings, type LoginLimiter, type Role,
} from '@attendance/shared';

/** Who is calling: a logged-in user (JWT) or a device with an API key. */
export type Principal =
  | { kind: 'user'; userId: number; username: string; role: Role; scope?: string; studentId?: number; expiresAt?: number }
  | { kind: 'device'; apiKeyId: number; name: string; cameraId: number | null };

/** How a principal appears in the audit log. */
export function auditActor(p: Principal | null): { id: number | null; name: string } | null {
  if (!p) return null;
  return p.kind === 'user' ? { id: p.userId, name: p.username } : { id: null, name: `device:${p.name}` };
}

export interface AuthSettings extends JwtSettings {
  tokenTtlSeconds: number;
  /** How stale the "user still active, same role" answer behind a token may be. */
  recheckMs: number;
}

/**
 * Logins (throttled by the shared LoginLimiter), tokens and device keys. A token is only as good as its
 * user: every use re-checks (at most `recheckMs` stale) that the user still exists, is active and has
 * the role the token names, so a deactivation or demotion ends access within that bound.
 */
const KEY_USE_WRITE_MS = 60_000;

export class AuthService {
  /** Checked when the user does not exist, so response time does not reveal valid usernames. */
  private readonly dummyHash = hashPassword(crypto.randomUUID());
  private readonly users = new Map<number, { at: number; user: Pick<User, 'active' | 'role'> | null }>();
  private readonly keyUsedAt = new Map<number, number>();

  constructor(private readonly db: DataSource, private readonly s: AuthSettings, private readonly limiter: LoginLimiter, private readonly now: () => number = Date.now) {}

  async login(username: string, password: string, ip: string): Promise<{ access_token: string; token_type: 'bearer'; expires_in: number; role: Role }> {
    // Consumed before the (slow) hash is checked: 200 parallel guesses get the limit's worth, not 200.
    await this.limiter.attempt(username, ip);
    const user = await this.db.getRepository(User).findOneBy({ username: username.trim().toLowerCase() });
    const ok = await verifyPassword(user?.passwordHash ?? await this.dummyHash, password);
    if (!user || !ok || !user.active) {
      await writeAudit(this.db, { action: 'auth.login_failed', entity: 'user', entityId: user?.id, details: { username, via: 'engine' }, ip });
      throw new UnauthorizedError('wrong username or password');
    }
    await this.limiter.succeeded(username, ip);
    await this.db.getRepository(User).update(user.id, { lastLoginAt: new Date() });
    await writeAudit(this.db, { action: 'auth.login', actor: { id: user.id, name: user.username }, entity: 'user', entityId: user.id, details: { via: 'engine' }, ip });
    const token = await signToken(this.s, { sub: String(user.id), username: user.username, role: user.role }, 'engine', this.s.tokenTtlSeconds);
    return { access_token: token, token_type: 'bearer', expires_in: this.s.tokenTtlSeconds, role: user.role };
  }

  /** Bearer token (users) or X-API-Key (devices). */
  async authenticate(authorization: string, apiKey: string): Promise<Principal> {
    if (apiKey) return this.device(apiKey);
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!m) throw new UnauthorizedError();
    return this.fromToken(m[1]);
  }

  async fromToken(token: string): Promise<Principal> {
    const c = await verifyToken(this.s, token, 'engine');
    const principal: Principal = { kind: 'user', userId: Number(c.sub), username: c.username, role: c.role, scope: c.scope, studentId: c.studentId, expiresAt: c.exp * 1000 };
    await this.recheck(principal);
    return principal;
  }

  /**
   * Throws UnauthorizedError when a principal is no longer good: its token expired, its user was
   * deactivated, deleted or given another role, or its device key revoked. Long-lived sockets and
   * streams call it on a timer; the user row is cached for at most `recheckMs`.
   */
  async recheck(p: Principal, fresh = false): Promise<void> {
    if (p.kind === 'device') {
      const row = await this.db.getRepository(ApiKey).findOneBy({ id: p.apiKeyId });
      if (!row?.active) throw new UnauthorizedError('API key revoked');
      return;
    }
    if (p.expiresAt !== undefined && this.now() >= p.expiresAt) throw new UnauthorizedError('token expired');
    const t = this.now();
    let cached = this.users.get(p.userId);
    if (fresh || !cached || t - cached.at > this.s.recheckMs) {
      const user = Number.isSafeInteger(p.userId) ? await this.db.getRepository(User).findOne({ where: { id: p.userId }, select: { id: true, active: true, role: true } }) : null;
      cached = { at: t, user };
      this.users.set(p.userId, cached);
      if (this.users.size > 10_000) this.users.clear();
    }
    if (!cached.user?.active) throw new UnauthorizedError('this account is no longer active');
    if (cached.user.role !== p.role) throw new UnauthorizedError('this account\'s role changed: log in again');
  }

  private async device(key: string): Promise<Principal> {
    const row = await this.db.getRepository(ApiKey).findOneBy({ keyHash: hashApiKey(key), active: true });
    if (!row) throw new UnauthorizedError('invalid API key');
    if (row.scope !== 'device') throw new ForbiddenError('this API key is not for devices');
    // A device posts many frames a minute: record its use at most once a minute, not one write per frame.
    const t = this.now();
    if (t - (this.keyUsedAt.get(row.id) ?? 0) >= KEY_USE_WRITE_MS) {
      this.keyUsedAt.set(row.id, t);
      await this.db.getRepository(ApiKey).update(row.id, { lastUsedAt: new Date(t) });
    }
    return { kind: 'device', apiKeyId: row.id, name: row.name, cameraId: row.cameraId };
  }
}
