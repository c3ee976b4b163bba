#!/usr/bin/env node
// `npm run service:install [-- --user NAME] [--env-file FILE] [--redis-url URL] [--out DIR] [--no-build]`
// Generates systemd units for both servers (and a Redis of their own unless --redis-url is given), grouped
// by face-attendance.target: start at boot, restart on failure, logs to the journal, migrations (with a
// backup first) before the admin server starts. It compiles the engine first (the units run it compiled;
// run it again after every update). As root without --out it installs and enables the units; otherwise
// it writes them to --out (default ./systemd) and prints the commands to install them.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MALLOC_ENV, buildCompiled, programCommand } from './lib/commands.mjs';
import { RUNTIME_FILE } from './lib/runtime.mjs';
import { ROOT } from './setup.mjs';

/** The Redis the units run when the school has none: a fixed loopback port, persisted in DATA_DIR. */
const OWN_REDIS_PORT = 6390;
const SYSTEM_DIR = '/etc/systemd/system';

/** A unit-file command line: every argument quoted, so paths with spaces survive. */
const commandLine = ([cmd, args]) => [cmd, ...args].map((a) => (/[\s"\\]/.test(a) ? JSON.stringify(a) : a)).join(' ');

/**
 * The unit files, by name. Pure: the test checks them, and `systemd-analyze verify` reads them.
 * @param {{ root: string, user: string, group: string, envFile: string, dataDir: string, ownRedis: boolean }} o
 */
export function renderUnits(o) {
  const redis = o.ownRedis ? 'face-attendance-redis.service' : null;
  const common = (description, after) => `[Unit]
Description=Face Attendance: ${description}
Documentation=file://${o.root}/README.md
PartOf=face-attendance.target
Wants=network-online.target
After=network-online.target${after.length ? ' ' + after.join(' ') : ''}
${redis ? `Requires=${redis}\n` : ''}StartLimitIntervalSec=300
StartLimitBurst=10
`;
  const service = `User=${o.user}
Group=${o.group}
WorkingDirectory=${o.root}
EnvironmentFile=${o.envFile}
Environment=NODE_ENV=production LOG_FORMAT=json OPENCV4NODEJS_DISABLE_AUTOBUILD=1 ${Object.entries(MALLOC_ENV).map(([k, v]) => `${k}=${v}`).join(' ')}
# Everything the servers create is private to their user (README, "The data folder").
UMask=0077
Restart=on-failure
RestartSec=5
# SIGTERM, then SIGKILL for anything of the unit still running after 15 s.
TimeoutStopSec=15
StandardOutput=journal
StandardError=journal
NoNewPrivileges=true
PrivateTmp=true
`;
  const units = {
    'face-attendance.target': `[Unit]
Description=Face Attendance (admin server, AI engine${redis ? ', Redis' : ''})
Wants=face-attendance-admin.service face-attendance-engine.service${redis ? ` ${redis}` : ''}

[Install]
WantedBy=multi-user.target
`,
    'face-attendance-admin.service': `${common('admin server (panel)', redis ? [redis] : [])}
[Service]
Type=simple
${service}SyslogIdentifier=face-attendance-admin
# Migrations (a backup is taken first when the database holds data), then the server.
ExecStartPre=${commandLine(programCommand(o.root, 'migrate'))}
ExecStart=${commandLine(programCommand(o.root, 'admin'))}

[Install]
WantedBy=face-attendance.target
`,
    'face-attendance-engine.service': `${common('AI engine (cameras, recognition)', [...(redis ? [redis] : []), 'face-attendance-admin.service'])}
[Service]
Type=simple
${service}SyslogIdentifier=face-attendance-engine
ExecStart=${commandLine(programCommand(o.root, 'engine'))}

[Install]
WantedBy=face-attendance.target
`,
  };
  if (redis) {
    units[redis] = `[Unit]
Description=Face Attendance: Redis (job queues)
PartOf=face-attendance.target
After=network.target

[Service]
Type=simple
User=${o.user}
Group=${o.group}
UMask=0077
ExecStartPre=/usr/bin/install -d -m 0700 ${o.dataDir}/redis
ExecStart=/usr/bin/redis-server --port ${OWN_REDIS_PORT} --bind 127.0.0.1 --protected-mode yes --dir ${o.dataDir}/redis --appendonly yes --daemonize no --loglevel warning
Restart=on-failure
RestartSec=2
StandardOutput=journal
StandardError=journal
SyslogIdentifier=face-attendance-redis

[Install]
WantedBy=face-attendance.target
`;
  }
  return units;
}

/** The environment file the units read: production mode, secrets kept here (0600), not in the data folder. */
export function renderEnvFile({ dataDir, redisUrl, secrets }) {
  return `# Face Attendance settings for the systemd units (README, "Configuration"). Keep this file 0600.
# The template key below decrypts every face template: back this file up apart from the data backups.
NODE_ENV=production
DATA_DIR=${dataDir}
REDIS_URL=${redisUrl}
JWT_SECRET=${secrets.JWT_SECRET}
TEMPLATE_ENCRYPTION_KEY=${secrets.TEMPLATE_ENCRYPTION_KEY}
# BIND_HOST=0.0.0.0
# BACKUP_DIR=/mnt/other-disk/face-attendance-backups
# BACKUP_KEEP=14
# LOG_LEVEL=info
`;
}

/** The development key must carry over (it encrypted the templates already stored); else new secrets. */
function secretsFor(dataDir) {
  const file = path.join(dataDir, 'secrets.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8'));
  return { JWT_SECRET: crypto.randomBytes(48).toString('base64url'), TEMPLATE_ENCRYPTION_KEY: crypto.randomBytes(32).toString('base64') };
}

function main() {
  const { values } = parseArgs({
    options: {
      user: { type: 'string' }, 'env-file': { type: 'string' }, 'redis-url': { type: 'string' }, out: { type: 'string' },
      'data-dir': { type: 'string' }, 'no-build': { type: 'boolean', default: false },
    },
  });
  if (!values['no-build']) {
    console.log('[service] compiling the engine (tsc) …');
    buildCompiled(ROOT);
  }
  const isRoot = process.getuid?.() === 0;
  const install = isRoot && !values.out;
  const out = path.resolve(values.out ?? (install ? SYSTEM_DIR : path.join(ROOT, 'systemd')));
  const user = values.user ?? (isRoot ? 'face-attendance' : os.userInfo().username);
  const dataDir = path.resolve(values['data-dir'] ?? process.env.DATA_DIR ?? path.join(ROOT, 'data'));
  const envFile = path.resolve(values['env-file'] ?? (install ? '/etc/face-attendance/face-attendance.env' : path.join(out, 'face-attendance.env')));
  const redisUrl = values['redis-url'] ?? `redis://127.0.0.1:${OWN_REDIS_PORT}`;
  const units = renderUnits({ root: ROOT, user, group: user, envFile, dataDir, ownRedis: !values['redis-url'] });

  fs.mkdirSync(out, { recursive: true });
  for (const [name, text] of Object.entries(units)) fs.writeFileSync(path.join(out, name), text, { mode: 0o644 });
  if (!fs.existsSync(envFile)) {
    fs.mkdirSync(path.dirname(envFile), { recursive: true, mode: 0o700 });
    fs.writeFileSync(envFile, renderEnvFile({ dataDir, redisUrl, secrets: secretsFor(dataDir) }), { mode: 0o600 });
    console.log(`[service] wrote ${envFile} (0600): review it`);
  }
  // Tools in a second shell (seed:demo, import:faces, backup) find Redis and the engine here.
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(dataDir, RUNTIME_FILE), JSON.stringify({ settings: { REDIS_URL: redisUrl, NODE_ENV: 'production' } }, null, 2) + '\n', { mode: 0o600 });
  console.log(`[service] wrote ${Object.keys(units).join(', ')} to ${out}`);

  const steps = [
    ...(isRoot ? [] : ['# as root:']),
    ...(user !== os.userInfo().username ? [`id ${user} || useradd --system --home-dir ${dataDir} --shell /usr/sbin/nologin ${user}`,
      `chown -R ${user}:${user} ${dataDir} ${path.dirname(envFile)}`] : []),
    ...(install ? [] : [`cp ${Object.keys(units).map((n) => path.join(out, n)).join(' ')} ${SYSTEM_DIR}/`]),
    `sudo -u ${user} npm run migrate   # once: creates the first admin and prints its password here, not in the journal`,
    'systemctl daemon-reload',
    'systemctl enable --now face-attendance.target',
    'journalctl -u face-attendance-admin -u face-attendance-engine -f   # the logs',
  ];
  if (install) {
    for (const args of [['daemon-reload'], ['enable', 'face-attendance.target']]) {
      const r = spawnSync('systemctl', args, { stdio: 'inherit' });
      if (r.status !== 0) console.log(`[service] systemctl ${args.join(' ')} failed (exit ${r.status}): is systemd running here?`);
    }
  }
  console.log(`[service] next:\n  ${steps.join('\n  ')}`);
}

if (process.argv[1] === new URL(import.meta.url).pathname) main();
