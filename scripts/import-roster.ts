// `npm run import:roster -- DIR [--dry-run]`: imports students, classes, teachers, enrolments and the
// timetable from a folder of CSV files, OneRoster 1.2 (users.csv, roles.csv, classes.csv, enrollments.csv,
// orgs.csv, academicSessions.csv) or the project's simple files (students.csv, classes.csv, teachers.csv),
// plus timetable.csv in both. Prints every change; with errors, nothing is written (exit code 1).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ToolError, failTool, loadToolConfig, openDatabase } from '@attendance/shared';
import { RosterImportService, type ImportReport } from '../admin-server/src/services/roster-import.service.js';

function printReport(r: ImportReport, say: (line: string) => void = console.log): void {
  for (const n of r.notes) say(`[roster] ${n}`);
  for (const c of r.changes) say(`[roster] ${c.action} ${c.kind} ${c.key}: ${JSON.stringify(c.fields)}`);
  for (const e of r.errors) say(`[roster] ERROR ${e.file}:${e.line}: ${e.message}`);
  const verdict = r.errors.length ? 'nothing applied (fix the rows above)' : r.applied ? 'applied' : 'dry run, nothing written';
  say(`[roster] ${r.dialect}: ${r.changes.length} change(s), ${r.unchanged} unchanged, ${r.errors.length} error(s); ${verdict}`);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'dry-run': { type: 'boolean', default: false } } });
  const dir = positionals[0];
  if (!dir || !fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new ToolError('usage: npm run import:roster -- DIR [--dry-run] (DIR holds the CSV files)');
  const files = Object.fromEntries(fs.readdirSync(dir).filter((f) => f.toLowerCase().endsWith('.csv')).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')]));
  const { config } = loadToolConfig();
  const { dataSource } = await openDatabase(config, { migrate: false });
  try {
    const report = await new RosterImportService(dataSource).run(files, { dryRun: values['dry-run'], actor: { id: null, name: `cli:${process.env.USER ?? 'unknown'}` } });
    printReport(report);
    if (report.errors.length) process.exitCode = 1;
  } finally {
    await dataSource.destroy();
  }
}

main().catch((err) => failTool('roster', err));
