import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { REPO_ROOT } from '../paths.js';
import { loadOrCreateDevSecrets } from './secrets.js';

const port = z.coerce.number().int().min(1).max(65535);
const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false; // RangeError is the only signal Intl gives for an unknown zone
  }
}

/**
 * Every setting of both servers, validated once at start-up. Each comment says what it trades off.
 * The README's configuration table is the user-facing copy of this list.
 */
const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  /** Where the SQLite file, generated secrets and other runtime state live. */
  DATA_DIR: z.string().min(1).default(path.join(REPO_ROOT, 'data')),
  /** postgres://user:pass@host:5432/db for PostgreSQL; unset for the SQLite file in DATA_DIR. */
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://').optional(),
  SQLITE_FILE: z.string().min(1).optional(),
  /** Redis for the BullMQ job queues (gallery sync between engine instances). */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://'),
  /** Namespace of the BullMQ keys in Redis: several installations (or test runs) can share one Redis. */
  QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/).default('fa'),
  /** Face templates of a student who left (deactivated or deleted) are erased this many days later. */
  RETENTION_TEMPLATE_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
  /** Attendance marks older than this many months are reduced to monthly totals per student. */
  RETENTION_ATTENDANCE_MONTHS: z.coerce.number().int().min(1).max(240).default(24),
  /** Address the servers bind to. 127.0.0.1 keeps them off the network until you choose otherwise. */
  BIND_HOST: z.string().min(1).default('127.0.0.1'),
  ADMIN_PORT: port.default(8000),
  ENGINE_PORT: port.default(8001),
  /** How the admin server reaches the engine (server to server). */
  ENGINE_URL: z.url().default('http://127.0.0.1:8001'),
  /**
   * How browsers reach the engine (liveness modal, live view). Default `/engine`: through the admin server's
   * own origin (it proxies the engine's browser routes), so one address and one certificate serve everything.
   */
  PUBLIC_ENGINE_URL: z.string().refine((v) => /^\/[^/]/.test(v) || URL.canParse(v), 'must be a URL or a path such as /engine').optional(),
  /** HTTPS for the school network (browsers give pages camera access only over HTTPS): PEM files the school provides. */
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
  /** Without those files: generate a self-signed certificate for this machine's names into DATA_DIR/tls once. */
  TLS_SELF_SIGNED: bool.default(false),
  /** Extra names or addresses the generated certificate covers (comma-separated), e.g. attendance.school.lan. */
  TLS_HOSTNAMES: z.string().default(''),
  /** Port of the HTTPS panel when TLS is on; ADMIN_PORT keeps serving plain HTTP to this machine. */
  HTTPS_PORT: port.default(8443),
  /** Browser origins allowed to call the engine; comma-separated. Never `*` unless you mean it. */
  CORS_ORIGINS: z.string().default('http://127.0.0.1:8000,http://localhost:8000'),
  /** Reverse proxies whose X-Forwarded-For is believed (loopback, uniquelocal, IPs, CIDRs; comma-separated; empty = none): login limits count the real client. */
  TRUST_PROXY: z.string().default('loopback'),
  /** HS256 signing secret shared by both servers; at least 32 characters. */
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters'),
  JWT_ISSUER: z.string().min(1).default('face-attendance'),
  /** Lifetime of a login token. Shorter is safer, longer nags less. */
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(7 * 24 * 3600).default(8 * 3600),
  /** 32 bytes, base64 or hex: the AES-256-GCM key for face templates. Losing it loses every template. */
  TEMPLATE_ENCRYPTION_KEY: z.string().refine((v) => decodeKey(v) !== null, 'must be 32 bytes as base64 or 64 hex characters'),
  /**
   * During a key rotation only: earlier keys as `id:key,id:key` (key as for TEMPLATE_ENCRYPTION_KEY),
   * used to read rows not yet re-encrypted by `npm run rotate-key`. Remove once the rotation is done.
   */
  TEMPLATE_OLD_KEYS: z.string().refine((v) => parseKeyring(v) !== null, 'must be id:key pairs separated by commas, each key 32 bytes').optional(),
  /** Names the key in each template row, so a rotation knows what is left to re-encrypt. */
  TEMPLATE_KEY_ID: z.string().regex(/^[A-Za-z0-9_.-]{1,32}$/).default('k1'),
  /** The time zone that decides which calendar day a mark belongs to. */
  SCHOOL_TIMEZONE: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/London')
    .default(Intl.DateTimeFormat().resolvedOptions().timeZone),
  /**
   * Minutes after a lesson ends before its students without a mark are stored absent (source `auto`) and
   * `student.absent` goes out: shorter tells parents sooner, longer leaves the teacher time to take the
   * register after the bell. `off` turns it off (unmarked students then stay unmarked until the register).
   */
  ABSENT_AFTER_LESSON_MINUTES: z.union([z.literal('off'), z.coerce.number().int().min(0).max(24 * 60)], { error: 'must be minutes after the lesson ends (0 to 1440), or off' }).default(15),
  /** Where the ONNX models are read from (filled by `npm run models`). */
  MODELS_DIR: z.string().min(1).default(path.join(REPO_ROOT, 'models')),
  /** Sets the first admin's password instead of generating one (automated set-ups only). */
  ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  /** Load demo data into an empty database on start. */
  DEMO: bool.default(false),
  /** Where backups go (`npm run backup`, the daily job, before a migration). Put it on another disk: a copy on the same disk does not survive its failure. */
  BACKUP_DIR: z.string().min(1).optional(),
  /** Daily backups kept (older ones are deleted): more survives a problem noticed late, and costs disk. 0 turns the daily backup off. */
  BACKUP_KEEP: z.coerce.number().int().min(0).max(3650).default(14),
  /** When the daily backup runs (cron, school time zone): at night, before the retention job at 02:30. */
  BACKUP_CRON: z.string().min(9).default('0 2 * * *'),
  /** `json` (one object per line, no colour) or `pretty` (for a person at a terminal); unset = pretty on a terminal in development, else json. */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
});

export type Config = Readonly<z.infer<typeof schema> & {
  templateKey: Buffer; oldTemplateKeys: ReadonlyMap<string, Buffer>; sqliteFile: string; publicEngineUrl: string;
}>;

/** `k1:<key>,k0:<key>` → Map, or null when malformed. */
export function parseKeyring(value: string): Map<string, Buffer> | null {
  const out = new Map<string, Buffer>();
  for (const pair of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    const i = pair.indexOf(':');
    const key = i > 0 ? decodeKey(pair.slice(i + 1)) : null;
    if (!key) return null;
    out.set(pair.slice(0, i), key);
  }
  return out;
}

export function decodeKey(value: string): Buffer | null {
  const buf = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  return buf.length === 32 ? buf : null;
}

/**
 * Reads and validates the environment. A bad or missing value throws a ConfigError naming every
 * offending variable; `main` prints it and exits. In development, missing secrets come from a
 * generated file in DATA_DIR; in production their absence is an error.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input: Record<string, string | undefined> = { ...env };
  for (const key of Object.keys(input)) if (input[key] === '') delete input[key];
  const production = (input.NODE_ENV ?? 'development') === 'production';
  if (!production && (!input.JWT_SECRET || !input.TEMPLATE_ENCRYPTION_KEY)) {
    const dataDir = input.DATA_DIR ?? path.join(REPO_ROOT, 'data');
    const generated = loadOrCreateDevSecrets(dataDir);
    input.JWT_SECRET ??= generated.JWT_SECRET;
    input.TEMPLATE_ENCRYPTION_KEY ??= generated.TEMPLATE_ENCRYPTION_KEY;
  }
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`, problems);
  }
  const c = parsed.data;
  return Object.freeze({
    ...c,
    templateKey: decodeKey(c.TEMPLATE_ENCRYPTION_KEY)!,
    oldTemplateKeys: c.TEMPLATE_OLD_KEYS ? parseKeyring(c.TEMPLATE_OLD_KEYS)! : new Map<string, Buffer>(),
    sqliteFile: c.SQLITE_FILE ?? path.join(c.DATA_DIR, 'attendance.sqlite'),
    publicEngineUrl: c.PUBLIC_ENGINE_URL ?? '/engine',
  });
}
