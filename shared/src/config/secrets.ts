import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface GeneratedSecrets {
  JWT_SECRET: string;
  TEMPLATE_ENCRYPTION_KEY: string;
}

export const SECRETS_FILE = 'secrets.json';

/**
 * Development convenience: secrets missing from the environment are generated once into
 * `<dataDir>/secrets.json` (mode 0600, git-ignored) and reused on every later start, so templates
 * encrypted yesterday still decrypt today. Production never calls this.
 */
export function loadOrCreateDevSecrets(dataDir: string): GeneratedSecrets {
  const file = path.join(dataDir, SECRETS_FILE);
  if (fs.existsSync(file)) {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as GeneratedSecrets;
  }
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secrets: GeneratedSecrets = {
    JWT_SECRET: crypto.randomBytes(48).toString('base64url'),
    TEMPLATE_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64'),
  };
  // 'wx' fails if another process created the file meanwhile; then read theirs.
  try {
    fs.writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return JSON.parse(fs.readFileSync(file, 'utf8')) as GeneratedSecrets;
  }
  return secrets;
}
