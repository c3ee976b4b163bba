// How each process of the system is run: one place for `npm start` and the generated systemd units.
// Node itself with tsx as a loader: one process per server, so a signal reaches the server directly.
import path from 'node:path';

/** The entry point of each program, relative to the repository root. */
export const PROGRAMS = {
  migrate: 'scripts/migrate.ts',
  engine: 'ai-engine/src/main.ts',
  admin: 'admin-server/src/main.ts',
};

/** @param {string} root @param {keyof typeof PROGRAMS} program @returns {[string, string[]]} */
export function programCommand(root, program) {
  return [process.execPath, ['--import', 'tsx', path.join(root, PROGRAMS[program])]];
}
