// `npm run rollover -- --year 2025-2026 [--map FILE.csv] [--leaving "Year 11 A,Year 11 B"] [--dry-run]`:
// the year rollover. Prints what happens to every class; without --dry-run applies it in one transaction.
// FILE.csv: `from,to` rows (next year's class name; an empty `to` = the class leaves the school). Classes not
// in it are promoted by their number ("Year 7 A" → "Year 8 A").
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { AppError, ToolError, failTool, loadToolConfig, openDatabase } from '@attendance/shared';
import { parseCsv } from '../admin-server/src/services/csv.js';
import { YearRolloverService, type RolloverReport } from '../admin-server/src/services/year-rollover.service.js';

const USAGE = 'usage: npm run rollover -- --year 2025-2026 [--map FILE.csv] [--leaving "Year 11 A,Year 11 B"] [--dry-run]';

function readMapping(file: string): Record<string, string | null> {
  if (!fs.existsSync(file)) throw new ToolError(`no mapping file ${file}`);
  const [header, ...rows] = parseCsv(fs.readFileSync(file, 'utf8')).filter((r) => r.some((c) => c.trim()));
  if (header?.[0]?.trim().toLowerCase() !== 'from' || header[1]?.trim().toLowerCase() !== 'to') throw new ToolError(`${file}: the first line must be "from,to"`);
  return Object.fromEntries(rows.map((r) => [r[0].trim(), (r[1] ?? '').trim() || null]));
}

function print(r: RolloverReport): void {
  for (const p of r.problems) console.log(`[rollover] problem: ${p}`);
  for (const c of r.classes) console.log(`[rollover] ${c.from} (${c.students} students) → ${c.to ?? 'leaves the school'}; kept as "${c.archivedAs}"`);
  console.log(`[rollover] ${r.year}: ${r.studentsMoved} students move up, ${r.leavers} leave; ${r.applied ? 'applied' : 'dry run, nothing written'}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { year: { type: 'string' }, map: { type: 'string' }, leaving: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } } });
  if (!values.year) throw new ToolError(USAGE);
  const { config } = loadToolConfig();
  const { dataSource } = await openDatabase(config, { migrate: false });
  try {
    print(await new YearRolloverService(dataSource).run({
      year: values.year, mapping: values.map ? readMapping(values.map) : undefined,
      leaving: values.leaving?.split(',').map((s) => s.trim()).filter(Boolean), dryRun: values['dry-run'],
      actor: { id: null, name: `cli:${process.env.USER ?? 'unknown'}` },
    }));
  } catch (err) {
    throw err instanceof AppError ? new ToolError(err.message) : err;
  } finally {
    await dataSource.destroy();
  }
}

main().catch((err) => failTool('rollover', err));
