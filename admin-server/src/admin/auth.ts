import type { NextFunction, Request, Response } from 'express';
import type { DataSource } from 'typeorm';
import { User, teacherScope, verifyPassword, writeAudit, type LoginLimiter } from '@attendance/shared';
import type { AdminUser } from './policy.js';

declare module 'express-session' {
  interface SessionData {
    adminUser?: AdminUser;
  }
}

/** A hash to compare against when the username does not exist, so both failures take the same time. */
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$1VJMzI8C1Mij5zSfO81xgw$GezqSeuKwrvK32+L5PkYBvgiwdgq7gbtVDHa/rhQ81U';

/** Builds the session's view of a user: role, and for teachers the groups and cameras they may see. */
export async function loadAdminUser(ds: DataSource, user: User): Promise<AdminUser> {
  const { classGroupIds, cameraIds } = user.role === 'teacher' ? await teacherScope(ds, user.id) : { classGroupIds: [], cameraIds: [] };
  return { email: user.username, title: `${user.displayName ?? user.username} (${user.role})`, userId: user.id, role: user.role, classGroupIds, cameraIds };
}

/**
 * Checks a username and password. The attempt is counted (LoginLimiter: per user and address, per user,
 * per address) before the hash is checked, so parallel guesses cannot outrun the limit; a refusal is a
 * RateLimitedError. A success clears only this user's own counters.
 */
export function makeAuthenticate(ds: DataSource, limiter: LoginLimiter) {
  return async (username: string, password: string, ip: string): Promise<AdminUser | null> => {
    const name = String(username ?? '').trim().toLowerCase();
    await limiter.attempt(name, ip);
    const user = await ds.getRepository(User).findOneBy({ username: name });
    const ok = await verifyPassword(user?.passwordHash ?? DUMMY_HASH, String(password ?? ''));
    if (!user || !ok || !user.active) {
      await writeAudit(ds, { action: 'auth.login_failed', entity: 'user', entityId: user?.id, details: { username: name, via: 'admin' }, ip });
      return null;
    }
    await limiter.succeeded(name, ip);
    await ds.getRepository(User).update(user.id, { lastLoginAt: new Date() });
    await writeAudit(ds, { action: 'auth.login', actor: { id: user.id, name: user.username }, entity: 'user', entityId: user.id, details: { via: 'admin' }, ip });
    return loadAdminUser(ds, user);
  };
}

/**
 * Re-reads the session's user on every request, so a deactivation or a role change takes effect
 * at once instead of when the session expires.
 */
export function refreshSessionUser(ds: DataSource) {
  return async (req: Request, _res: Response, next: NextFunction): Promise<void> => {
    const current = req.session?.adminUser;
    // Static bundles carry no data: no need to ask the database for each of them.
    if (!current || req.path.includes('/frontend/assets/')) return next();
    try {
      const user = await ds.getRepository(User).findOneBy({ id: current.userId });
      if (!user || !user.active) {
        delete req.session.adminUser;
      } else {
        req.session.adminUser = await loadAdminUser(ds, user);
      }
      next();
    } catch (err) {
      next(err);
    }
  };
}
