import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  ApiKey, ForbiddenError, UnauthorizedError, User, hashApiKey, hashPassword, signToken, verifyPassword, verifyToken, writeAudit,
  type JwtSettings, type Role,
} from '@attendance/shared';
import { RateLimiter } from './rate-limiter.js';

/** Who is calling: a logged-in user (JWT) or a device with an API key. */
export type Principal =
  | { kind: 'user'; userId: number; username: string; role: Role; scope?: string; studentId?: number }
  | { kind: 'device'; apiKeyId: number; name: string; cameraId: number | null };

const IP_ATTEMPTS_FACTOR = 5;

/** How a principal appears in the audit log. */
export function auditActor(p: Principal | null): { id: number | null; name: string } | null {
  if (!p) return null;
  return p.kind === 'user' ? { id: p.userId, name: p.username } : { id: null, name: `device:${p.name}` };
}

export interface AuthSettings extends JwtSettings { tokenTtlSeconds: number; maxAttempts: number; windowSeconds: number }


export class AuthService {
  private readonly byIp: RateLimiter;
  private readonly byUser: RateLimiter;
  /** Checked when the user does not exist, so response time does not reveal valid usernames. */
  private readonly dummyHash = hashPassword(crypto.randomUUID());

  constructor(private readonly db: DataSource, private readonly s: AuthSettings, now: () => number = Date.now) {
    // One school's staff may share a NATed address: an IP gets several accounts' worth of attempts.
    this.byIp = new RateLimiter(s.maxAttempts * IP_ATTEMPTS_FACTOR, s.windowSeconds * 1000, now);
    this.byUser = new RateLimiter(s.maxAttempts, s.windowSeconds * 1000, now);
  }

  async login(username: string, password: string, ip: string): Promise<{ access_token: string; token_type: 'bearer'; expires_in: number; role: Role }> {
    const userKey = username.toLowerCase();
    this.byIp.check(ip);
    this.byUser.check(userKey);
    const user = await this.db.getRepository(User).findOneBy({ username });
    const ok = await verifyPassword(user?.passwordHash ?? await this.dummyHash, password);
    if (!user || !ok || !user.active) {
      this.byIp.hit(ip);
      this.byUser.hit(userKey);
      await writeAudit(this.db, { action: 'auth.login_failed', entity: 'user', entityId: user?.id, details: { username, via: 'engine' }, ip });
      throw new UnauthorizedError('wrong username or password');
    }
    this.byUser.reset(userKey);
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
    return { kind: 'user', userId: Number(c.sub), username: c.username, role: c.role, scope: c.scope, studentId: c.studentId };
  }

  private async device(key: string): Promise<Principal> {
    const row = await this.db.getRepository(ApiKey).findOneBy({ keyHash: hashApiKey(key), active: true });
    if (!row) throw new UnauthorizedError('invalid API key');
    if (row.scope !== 'device') throw new ForbiddenError('this API key is not for devices');
    await this.db.getRepository(ApiKey).update(row.id, { lastUsedAt: new Date() });
    return { kind: 'device', apiKeyId: row.id, name: row.name, cameraId: row.cameraId };
  }
}
