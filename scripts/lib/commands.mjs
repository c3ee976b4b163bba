// How each process of the system is run: one place for `npm start` and the generated systemd units.
// Node itself (compiled JavaScript for the engine, tsx as a loader for the rest): one process per server,
// so a signal reaches the server directly.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The entry point of each program, relative to the repository root. */
export const PROGRAMS = {
  migrate: 'scripts/migrate.ts',
  engine: 'ai-engine/src/main.ts',
  admin: 'admin-server/src/main.ts',
};

/**
 * glibc malloc settings for the servers (`npm start`, the systemd units, the Docker image, the benches):
 * two arenas instead of up to 8 per core for the inference threads (5–8% less RSS). A fixed mmap threshold
 * (MALLOC_MMAP_THRESHOLD_=131072) was tried: it cut the RSS of an engine with a camera from 507 to 290 MB, but
 * every frame-sized buffer then cost fresh pages, and POST /recognize fell from 20 to 2 requests/s.
 */
export const MALLOC_ENV = { MALLOC_ARENA_MAX: '2' };

/**
 * Programs run as compiled JavaScript (`npm run build` writes them): no TypeScript loader in the process,
 * which saves its memory and start-up. The condition makes `@attendance/shared` resolve to its dist/ too.
 */
const COMPILED = { engine: 'ai-engine/dist/main.js' };

/**
 * V8's young generation at 1 MB per semi-space instead of growing to 16: the engine allocates frame-sized
 * buffers whose small JS handles die young, and a small young generation collects them (and frees their
 * memory) at once. Measured on the quiet machine (memory bench, compiled engine): idle 311 -> 283-292 MB
 * RSS, 1,000 students and a camera 399 -> 357 MB; POST /recognize throughput no lower.
 */
export const ENGINE_NODE_FLAGS = ['--max-semi-space-size=1'];

/** @param {string} root @param {keyof typeof PROGRAMS} program @returns {[string, string[]]} */
export function programCommand(root, program) {
  if (program === 'engine') return [process.execPath, [...ENGINE_NODE_FLAGS, '--conditions=attendance-compiled', path.join(root, COMPILED.engine)]];
  return [process.execPath, ['--import', 'tsx', path.join(root, PROGRAMS[program])]];
}

/**
 * Compiles what COMPILED runs (shared, then the engine). Type errors do not stop it, as they never stopped
 * tsx (tsc still writes the JavaScript): they come back as warnings for the caller to print (`npm test` and
 * `npm run typecheck` are where they fail). Throws only when no JavaScript could be written.
 * @returns {string[]} warnings
 */
export function buildCompiled(root) {
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
  const warnings = [];
  for (const project of ['shared/tsconfig.build.json', 'ai-engine/tsconfig.build.json']) {
    const r = spawnSync(process.execPath, [tsc, '-p', path.join(root, project)], { cwd: root, encoding: 'utf8' });
    if (r.status === 0) continue;
    if (r.status !== 2 || !fs.existsSync(path.join(root, COMPILED.engine))) throw new Error(`build failed (${project}):\n${r.stdout}${r.stderr}`);
    warnings.push(`type errors in ${project} (the JavaScript was written anyway):\n${r.stdout}${r.stderr}`);
  }
  return warnings;
}
