#!/usr/bin/env node
// Idempotent set-up shared by `npm start` and `npm test`: Debian packages, npm dependencies,
// model files. Plain JS with no dependencies, because it runs before `npm ci`.
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fetchModels, ModelFetchError } from './lib/models.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** What the servers need at run time and to build the native modules. */
const RUNTIME_PACKAGES = ['build-essential', 'python3', 'pkg-config', 'libopencv-dev', 'ffmpeg', 'redis-server'];
/** What the tests need besides: a browser, PostgreSQL, an RTSP server. */
const TEST_PACKAGES = ['chromium', 'postgresql', 'python3-gi', 'gir1.2-gst-rtsp-server-1.0', 'gstreamer1.0-plugins-base',
  'gstreamer1.0-plugins-good', 'gstreamer1.0-plugins-bad', 'gstreamer1.0-plugins-ugly', 'gstreamer1.0-libav'];

/** The environment native installs need (see README, "Native builds"). */
export const INSTALL_ENV = {
  OPENCV4NODEJS_DISABLE_AUTOBUILD: '1', // build against Debian's OpenCV instead of cloning and compiling OpenCV
  ONNXRUNTIME_NODE_INSTALL: 'skip', // CPU binaries ship in the package; the CUDA download would fail offline
  JOBS: String(Math.max(1, os.cpus().length)),
};

const say = (msg) => console.log(`[setup] ${msg}`);

function missingDebianPackages(names) {
  return names.filter((name) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

function ensureDebianPackages(names) {
  if (!fs.existsSync('/usr/bin/dpkg-query')) {
    say(`not a Debian/Ubuntu system: make sure these are installed: ${names.join(' ')}`);
    return;
  }
  const missing = missingDebianPackages(names);
  if (!missing.length) return;
  const isRoot = process.getuid?.() === 0;
  const sudo = !isRoot && spawnSync('sudo', ['-n', 'true']).status === 0;
  const cmd = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  if (!isRoot && !sudo) {
    throw new Error(`missing Debian packages: ${missing.join(' ')}\nInstall them with:\n  sudo sh -c '${cmd}'`);
  }
  say(`installing Debian packages: ${missing.join(' ')}`);
  const prefix = isRoot ? [] : ['sudo', '-n'];
  for (const args of [['apt-get', 'update', '-qq'], ['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing]]) {
    const full = [...prefix, ...args];
    const r = spawnSync(full[0], full.slice(1), { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) throw new Error(`'${full.join(' ')}' failed (exit ${r.status})`);
  }
}

/** Installs npm dependencies when node_modules is missing or older than package-lock.json; a stamp file records what was installed. */
function ensureNodeModules() {
  const lock = path.join(ROOT, 'package-lock.json');
  const stamp = path.join(ROOT, 'node_modules', '.setup-lock-sha256');
  const want = crypto.createHash('sha256').update(fs.readFileSync(lock)).digest('hex');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === want) return;
  // A fresh checkout gets a clean `npm ci`; an existing tree is brought up to the lock file in place,
  // which keeps the native builds already done.
  const fresh = !fs.existsSync(path.join(ROOT, 'node_modules'));
  const args = fresh ? ['ci'] : ['install'];
  say(`installing npm dependencies (npm ${args[0]}; native builds take a few minutes the first time)`);
  const r = spawnSync('npm', [...args, '--no-audit', '--no-fund'], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...INSTALL_ENV } });
  if (r.status !== 0) throw new Error(`npm ${args[0]} failed (exit ${r.status}); see "Troubleshooting" in README.md`);
  fs.writeFileSync(stamp, want + '\n');
}

export async function setup({ forTests = false } = {}) {
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== 20) throw new Error(`Node 20 is required (uWebSockets.js ships binaries for Node 20); this is ${process.version}`);
  ensureDebianPackages(forTests ? [...RUNTIME_PACKAGES, ...TEST_PACKAGES] : RUNTIME_PACKAGES);
  ensureNodeModules();
  const sourceDir = path.resolve(ROOT, process.env.MODELS_SOURCE_DIR ?? '../shared/models');
  const r = await fetchModels({ manifestFile: path.join(ROOT, 'models/models.json'), destDir: path.join(ROOT, 'models'), sourceDir, log: say });
  if (r.copied.length || r.downloaded.length) say(`models: ${r.copied.length} copied, ${r.downloaded.length} downloaded, ${r.present.length} already there`);
}

/** Prints a set-up failure as one clear message and exits non-zero. */
export function failSetup(err) {
  console.error(`\n[setup] FAILED: ${err instanceof ModelFetchError || err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  setup({ forTests: process.argv.includes('--tests') }).catch(failSetup);
}
