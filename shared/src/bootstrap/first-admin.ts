import type { DataSource } from 'typeorm';
import { generatePassword, hashPassword } from '../auth/password.js';
import { User } from '../entities/user.entity.js';

/**
 * On a database with no users, creates `admin` with ADMIN_PASSWORD or a generated password.
 * Returns the password only when it was generated here, so the caller prints it exactly once.
 * There is no default password anywhere.
 */
export async function ensureFirstAdmin(ds: DataSource, adminPassword?: string): Promise<{ created: boolean; generatedPassword?: string }> {
  const users = ds.getRepository(User);
  if ((await users.count()) > 0) return { created: false };
  const password = adminPassword ?? generatePassword();
  await users.insert({ username: 'admin', displayName: 'Administrator', role: 'admin', active: true, passwordHash: await hashPassword(password) });
  return { created: true, generatedPassword: adminPassword ? undefined : password };
}
