// `npm run bench [-- --json] [--only NAME,…] [--seconds S] [--threads N]`: runs every section in
// scripts/bench/*.bench.ts (each exports `name` and `run(opts) → rows`) one after another, and prints
// one table per section, or everything as JSON. Sections keep their own runs short (about `seconds`
// per measured stage) so the whole harness stays well under two minutes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startRedis } from './lib/redis.mjs';

export interface BenchOptions {
  /** Rough time budget per measured stage, in seconds. */
  seconds: number;
  /** Thread count the section should use where it has a choice (default: its own). */
  threads?: number;
  /** Progress lines go to stderr through this, so JSON on stdout stays clean. */
  log: (line: string) => void;
}
export type BenchCell = string | number | null;
export type BenchRow = Record<string, BenchCell>;
export interface BenchSection { name: string; run(opts: BenchOptions): Promise<BenchRow[]> }

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Median, 95th percentile and count of timings in ms; runs `fn` for about `seconds` after a warm-up. */
export async function timeIt(fn: () => unknown, seconds: number, opts: { warmup?: number; minRuns?: number; maxRuns?: number } = {}): Promise<{ median: number; p95: number; runs: number }> {
  const { warmup = 3, minRuns = 5, maxRuns = 2000 } = opts;
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (times.length < maxRuns && (times.length < minRuns || performance.now() < end)) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const at = (q: number): number => times[Math.min(times.length - 1, Math.floor(q * times.length))];
  return { median: at(0.5), p95: at(0.95), runs: times.length };
}

export function formatTable(rows: BenchRow[]): string {
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: BenchCell | undefined): string => (v === null || v === undefined ? '' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : v);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]): string => vals.map((v, i) => (i === 0 ? v.padEnd(width[i]) : v.padStart(width[i]))).join('  ');
  return [line(cols), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => cell(r[c]))))].join('\n');
}

/** Runs the sections one after another; one section failing (e.g. an engine too slow to start on a loaded machine) does not lose the others. */
async function runSections(files: string[], only: string[] | undefined, opts: BenchOptions, json: boolean, results: Record<string, BenchRow[]>): Promise<void> {
  for (const file of files) {
    const section = (await import(pathToFileURL(path.join(HERE, 'bench', file)).href)) as BenchSection;
    if (only && !only.includes(section.name)) continue;
    opts.log(`[bench] ${section.name} …`);
    results[section.name] = await section.run(opts).catch((err: unknown) => {
      opts.log(`[bench] ${section.name} FAILED: ${err instanceof Error ? err.stack : String(err)}`);
      return [{ failed: err instanceof Error ? err.message.split('\n')[0] : String(err) }];
    });
    if (!json) console.log(`\n## ${section.name}\n${formatTable(results[section.name])}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { json: { type: 'boolean', default: false }, only: { type: 'string' }, seconds: { type: 'string', default: '1' }, threads: { type: 'string' } } });
  const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean);
  const opts: BenchOptions = { seconds: Number(values.seconds), threads: values.threads ? Number(values.threads) : undefined, log: (l) => process.stderr.write(`${l}\n`) };
  if (!(opts.seconds > 0)) throw new Error('--seconds must be > 0');
  const files = fs.readdirSync(path.join(HERE, 'bench')).filter((f) => f.endsWith('.bench.ts')).sort();
  const results: Record<string, BenchRow[]> = {};
  const started = performance.now();
  // One Redis for every section that starts an engine (unless REDIS_URL names one), stopped at the end.
  const redis = process.env.REDIS_URL ? null : await startRedis();
  if (redis) process.env.REDIS_URL = redis.url;
  try {
    await runSections(files, only, opts, values.json, results);
  } finally {
    await redis?.stop();
  }
  if (only && !Object.keys(results).length) throw new Error(`no bench section named ${only.join(', ')}`);
  const env = { node: process.version, cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? '', seconds: (performance.now() - started) / 1000, loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10) };
  if (values.json) console.log(JSON.stringify({ env, sections: results }, null, 2));
  else console.log(`\n${env.cpus} × ${env.cpu}, Node ${env.node}, ${env.seconds.toFixed(1)} s, load average at the end ${env.loadAverage.join(' / ')} (1 / 5 / 15 min)`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
