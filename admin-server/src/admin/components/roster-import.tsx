import React, { useState } from 'react';
import { useCurrentAdmin } from 'adminjs';

interface Change { kind: string; action: 'create' | 'update'; key: string; fields: Record<string, unknown> }
interface Report { dialect: string; dryRun: boolean; applied: boolean; errors: { file: string; line: number; message: string }[]; changes: Change[]; unchanged: number; notes: string[] }

const box: React.CSSProperties = { background: '#fff', padding: 'clamp(10px, 3vw, 20px)', margin: '0 0 16px', borderRadius: 6 };
const cell: React.CSSProperties = { padding: '6px 10px', borderBottom: '1px solid #eaecf0', textAlign: 'left', verticalAlign: 'top' };
const button: React.CSSProperties = { minHeight: 40, padding: '0 16px', fontSize: 14, borderRadius: 4, border: '1px solid #3040d6', cursor: 'pointer' };
const KINDS: Record<string, string> = { teacher: 'Teacher', class: 'Class', student: 'Student', lesson: 'Lesson' };
const fieldsText = (f: Record<string, unknown>) => Object.entries(f).map(([k, v]) => `${k}: ${v === null ? '–' : String(v)}`).join(', ');

/**
 * Roster import in the panel: choose a folder of CSV files (or several files), see a dry run (every change
 * and every refused row), then Apply, through POST /api/roster/import. Nothing is written before Apply,
 * and a set with any refused row is never half-applied (the server checks again in one transaction).
 */
const RosterImport: React.FC = () => {
  const [currentAdmin] = useCurrentAdmin();
  const [files, setFiles] = useState<Record<string, string>>({});
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const choose = async (list: FileList | null) => {
    setReport(null);
    setError(null);
    const csv = Array.from(list ?? []).filter((f) => f.name.toLowerCase().endsWith('.csv'));
    if (list?.length && !csv.length) setError('No .csv file among the chosen files.');
    setFiles(Object.fromEntries(await Promise.all(csv.map(async (f) => [f.name, await f.text()] as const))));
  };
  const send = async (dryRun: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const r = await fetch('/api/roster/import', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ files, dryRun }) });
      const body = await r.json().catch(() => ({}));
      if (!r.ok) setError(body.message ?? `import failed (${r.status})`); else setReport(body as Report);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (currentAdmin && (currentAdmin as { role?: string }).role !== 'admin') {
    return <p style={{ ...box, margin: 'clamp(8px, 3vw, 24px)' }} data-testid="import-admins-only">Only an administrator can import a roster.</p>;
  }
  const names = Object.keys(files);
  const canApply = report?.dryRun && !report.errors.length && report.changes.length > 0;
  return (
    <div style={{ padding: 'clamp(8px, 3vw, 24px)', maxWidth: 1100 }}>
      <section style={box}>
        <h2 style={{ marginBottom: 8 }}>Import students, classes, teachers and the timetable</h2>
        <p style={{ marginBottom: 12, color: '#475467' }}>
          OneRoster 1.2 CSV (users.csv, classes.csv, enrollments.csv…) or this project&apos;s files (students.csv, classes.csv, teachers.csv), and
          timetable.csv. First a dry run lists what would change; nothing is saved until you apply it. A re-import updates, never duplicates.
        </p>
        <div style={{ display: 'flex', flexWrap: 'wrap', gap: 16 }}>
          <label style={{ display: 'flex', flexDirection: 'column', gap: 4, maxWidth: '100%' }}>A folder of CSV files
            {/* webkitdirectory is not in React's types: set it as a plain attribute. */}
            <input type="file" data-testid="import-folder" {...{ webkitdirectory: '', directory: '' }} onChange={(e) => choose(e.target.files)} style={{ maxWidth: '100%' }} />
          </label>
          <label style={{ display: 'flex', flexDirection: 'column', gap: 4, maxWidth: '100%' }}>Or CSV files
            <input type="file" multiple accept=".csv,text/csv" data-testid="import-files" onChange={(e) => choose(e.target.files)} style={{ maxWidth: '100%' }} />
          </label>
        </div>
        {names.length > 0 && <p data-testid="import-chosen" style={{ marginTop: 12 }}>Chosen: {names.join(', ')}</p>}
        <div style={{ display: 'flex', flexWrap: 'wrap', gap: 12, marginTop: 12 }}>
          <button type="button" data-testid="import-dry-run" disabled={!names.length || busy} onClick={() => send(true)} style={{ ...button, background: '#fff', color: '#3040d6' }}>Check (dry run)</button>
          <button type="button" data-testid="import-apply" disabled={!canApply || busy} onClick={() => send(false)} style={{ ...button, background: canApply ? '#3040d6' : '#98a2b3', borderColor: canApply ? '#3040d6' : '#98a2b3', color: '#fff' }}>
            {canApply ? `Apply ${report!.changes.length} changes` : 'Apply'}
          </button>
        </div>
        {error && <p role="alert" style={{ color: '#b42318', marginTop: 12 }}>{error}</p>}
      </section>
      {report && (
        <section style={box} data-testid="import-report">
          <p data-testid="import-summary" style={{ marginBottom: 12, fontWeight: 600 }}>
            {report.applied ? `Applied: ${report.changes.length} changes saved, ${report.unchanged} unchanged.`
              : report.errors.length ? `${report.errors.length} row(s) refused: nothing will be saved until they are fixed.`
                : report.changes.length ? `Dry run (${report.dialect === 'oneroster' ? 'OneRoster' : 'project files'}): ${report.changes.length} changes, ${report.unchanged} unchanged. Nothing is saved yet.`
                  : `Nothing to change: ${report.unchanged} records are already up to date.`}
          </p>
          {report.notes.map((n) => <p key={n} style={{ color: '#475467' }}>{n}</p>)}
          {report.errors.length > 0 && (
            <div style={{ overflowX: 'auto', marginBottom: 16 }}>
              <table data-testid="import-errors" style={{ borderCollapse: 'collapse', width: '100%' }}>
                <thead><tr><th style={cell}>File</th><th style={cell}>Line</th><th style={cell}>Problem</th></tr></thead>
                <tbody>{report.errors.map((e, i) => <tr key={i}><td style={cell}>{e.file}</td><td style={cell}>{e.line}</td><td style={{ ...cell, color: '#b42318' }}>{e.message}</td></tr>)}</tbody>
              </table>
            </div>
          )}
          {report.changes.length > 0 && (
            <div style={{ overflowX: 'auto' }}>
              <table data-testid="import-changes" style={{ borderCollapse: 'collapse', width: '100%' }}>
                <thead><tr><th style={cell}>What</th><th style={cell}>Change</th><th style={cell}>Record</th><th style={cell}>Values</th></tr></thead>
                <tbody>{report.changes.map((c, i) => (
                  <tr key={i}><td style={cell}>{KINDS[c.kind] ?? c.kind}</td><td style={cell}>{c.action === 'create' ? 'new' : 'update'}</td><td style={cell}>{c.key}</td><td style={{ ...cell, minWidth: 200 }}>{fieldsText(c.fields)}</td></tr>
                ))}</tbody>
              </table>
            </div>
          )}
        </section>
      )}
    </div>
  );
};

export default RosterImport;
