import type { NextFunction, Request, Response } from 'express';
import { In, type DataSource } from 'typeorm';
import { ClassGroup, ClassSession, User, verifyPassword, writeAudit } from '@attendance/shared';
import type { FailureLimiter } from '../services/rate-limiter.js';
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
  let classGroupIds: number[] = [];
  let cameraIds: number[] = [];
  if (user.role === 'teacher') {
    classGroupIds = (await ds.getRepository(ClassGroup).find({ where: { teacherId: user.id }, select: { id: true } })).map((g) => g.id);
    const sessions = classGroupIds.length
      ? await ds.getRepository(ClassSession).find({ where: { classGroupId: In(classGroupIds) }, select: { cameraId: true } })
      : [];
    cameraIds = [...new Set(sessions.map((s) => s.cameraId).filter((id): id is number => id !== null))];
  }
  return { email: user.username, title: `${user.displayName ?? user.username} (${user.role})`, userId: user.id, role: user.role, classGroupIds, cameraIds };
}

/** Checks a username and password; counts failures per client address and per username. */
export function makeAuthenticate(ds: DataSource, limiter: FailureLimiter) {
  return async (username: string, password: string, ip: string): Promise<AdminUser | null> => {
    const name = String(username ?? '').trim().toLowerCase();
    const user = await ds.getRepository(User).findOneBy({ username: name });
    const ok = await verifyPassword(user?.passwordHash ?? DUMMY_HASH, String(password ?? ''));
    if (!user || !ok || !user.active) {
      await Promise.all([limiter.fail(`ip:${ip}`), limiter.fail(`user:${name}`)]);
      await writeAudit(ds, { action: 'auth.login_failed', entity: 'user', entityId: user?.id, details: { username: name, via: 'admin' }, ip });
      return null;
    }
    await limiter.reset(`ip:${ip}`);
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
