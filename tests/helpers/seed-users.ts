// Adds a `staff` and a `teacher` user (the admin comes from migrate with ADMIN_PASSWORD).
import { User, hashPassword, loadConfig, openDatabase } from '@attendance/shared';

const config = loadConfig();
const { dataSource } = await openDatabase(config);
const passwordHash = await hashPassword(config.ADMIN_PASSWORD!);
for (const role of ['staff', 'teacher'] as const) {
  await dataSource.getRepository(User).insert({ username: role, displayName: role, role, passwordHash, active: true });
}
await dataSource.destroy();
