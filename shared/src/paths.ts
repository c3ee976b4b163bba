import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root, whichever package or script imports this. */
export const REPO_ROOT = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
