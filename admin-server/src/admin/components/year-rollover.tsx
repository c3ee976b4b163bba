import React, { useState } from 'react';
import { useCurrentAdmin } from 'adminjs';

interface RolloverClass { from: string; archivedAs: string; to: string | null; students: number }
interface Report { year: string; dryRun: boolean; applied: boolean; classes: RolloverClass[]; studentsMoved: number; leavers: number; problems: string[] }

const box: React.CSSProperties = { background: '#fff', padding: 'clamp(10px, 3vw, 20px)', margin: '0 0 16px', borderRadius: 6 };
const cell: React.CSSProperties = { padding: '6px 10px', borderBottom: '1px solid #eaecf0', textAlign: 'left', verticalAlign: 'middle' };
const button: React.CSSProperties = { minHeight: 40, padding: '0 16px', fontSize: 14, borderRadius: 4, border: '1px solid #3040d6', cursor: 'pointer' };
const input: React.CSSProperties = { minHeight: 36, padding: '0 8px', fontSize: 14, border: '1px solid #d0d5dd', borderRadius: 4, maxWidth: '100%' };

/** The school year that ends this summer: from August on, the one that started this year. */
function endingYear(now = new Date()): string {
  const y = now.getFullYear();
  return now.getMonth() >= 7 ? `${y}-${y + 1}` : `${y - 1}-${y}`;
}

const sameTargets = (a: Record<string, string>, b: Record<string, string>) =>
  Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => b[k] === v);

/**
 * The year rollover in the panel, through POST /api/rollover: a dry run lists every class with its students
 * and where it goes next year (promoted by its number unless changed here; empty = it leaves the school); the
 * targets can be edited and checked again; Apply sends exactly what the last check showed.
 */
const YearRollover: React.FC = () => {
  const [currentAdmin] = useCurrentAdmin();
  const [year, setYear] = useState(endingYear());
  const [targets, setTargets] = useState<Record<string, string>>({});
  const [checked, setChecked] = useState<{ year: string; targets: Record<string, string> } | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const send = async (dryRun: boolean) => {
    setBusy(true);
    setError(null);
    try {
      // Before the first check there is nothing to map: the server proposes the targets.
      const mapping = report ? Object.fromEntries(Object.entries(targets).map(([from, to]) => [from, to.trim() || null])) : undefined;
      const r = await fetch('/api/rollover', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ year: year.trim(), mapping, dryRun }) });
      const body = await r.json().catch(() => ({}));
      if (!r.ok) { setError(body.message ?? `rollover failed (${r.status})`); return; }
      const next = body as Report;
      const shown = Object.fromEntries(next.classes.map((c) => [c.from, c.to ?? '']));
      setReport(next);
      setTargets(shown);
      setChecked(next.dryRun ? { year: next.year, targets: shown } : null);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  if (currentAdmin && (currentAdmin as { role?: string }).role !== 'admin') {
    return <p style={{ ...box, margin: 'clamp(8px, 3vw, 24px)' }} data-testid="rollover-admins-only">Only an administrator can roll the school year over.</p>;
  }
  const canApply = !!report?.dryRun && report.classes.length > 0 && !report.problems.length && !!checked && checked.year === year.trim() && sameTargets(checked.targets, targets);
  const apply = () => {
    if (window.confirm(`Roll ${year.trim()} over? Every class is archived under that year and the students move up. This cannot be undone.`)) void send(false);
  };
  return (
    <div style={{ padding: 'clamp(8px, 3vw, 24px)', maxWidth: 1100 }}>
      <section style={box}>
        <h2 style={{ marginBottom: 8 }}>Year rollover</h2>
        <p style={{ marginBottom: 12, color: '#475467' }}>
          At the end of the school year: every class is kept, with its marks and reports, under the year that ends
          (&quot;Year 7 A (2025-2026)&quot;), and its students move into next year&apos;s class. Classes that leave the school
          deactivate their students (their history stays). First check what would happen; nothing is saved until you apply it.
        </p>
        <label style={{ display: 'flex', flexDirection: 'column', gap: 4, maxWidth: 320 }}>The school year that ends
          <input data-testid="rollover-year" value={year} onChange={(e) => { setYear(e.target.value); }} style={input} />
        </label>
        <div style={{ display: 'flex', flexWrap: 'wrap', gap: 12, marginTop: 12 }}>
          <button type="button" data-testid="rollover-dry-run" disabled={!year.trim() || busy} onClick={() => send(true)} style={{ ...button, background: '#fff', color: '#3040d6' }}>
            {report?.dryRun ? 'Check again' : 'Check (dry run)'}
          </button>
          <button type="button" data-testid="rollover-apply" disabled={!canApply || busy} onClick={apply}
            style={{ ...button, background: canApply ? '#3040d6' : '#98a2b3', borderColor: canApply ? '#3040d6' : '#98a2b3', color: '#fff' }}>
            Apply the rollover
          </button>
        </div>
        {report?.dryRun && !canApply && report.classes.length > 0 && !report.problems.length && (
          <p data-testid="rollover-recheck" style={{ marginTop: 12, color: '#475467' }}>Changed since the last check: check again before applying.</p>
        )}
        {error && <p role="alert" data-testid="rollover-error" style={{ color: '#b42318', marginTop: 12 }}>{error}</p>}
      </section>
      {report && (
        <section style={box} data-testid="rollover-report">
          <p data-testid="rollover-summary" style={{ marginBottom: 12, fontWeight: 600 }}>
            {report.applied ? `Applied: ${report.year} is archived; ${report.studentsMoved} students moved up, ${report.leavers} left the school.`
              : report.problems.length ? 'Not ready: give the classes below their next year\'s class (or leave it empty if they leave), then check again.'
              : report.classes.length ? `Dry run for ${report.year}: ${report.studentsMoved} students would move up, ${report.leavers} would leave. Nothing is saved yet.`
                : 'There is no class of the current year to roll over.'}
          </p>
          {report.problems.length > 0 && (
            <ul data-testid="rollover-problems" style={{ color: '#b42318', margin: '0 0 12px 18px' }}>
              {report.problems.map((p) => <li key={p}>{p}</li>)}
            </ul>
          )}
          {report.classes.length > 0 && (
            <div style={{ overflowX: 'auto' }}>
              <table data-testid="rollover-classes" style={{ borderCollapse: 'collapse', width: '100%' }}>
                <thead><tr><th style={cell}>Class</th><th style={cell}>Students</th><th style={cell}>Next year (empty = leaves the school)</th><th style={cell}>Kept as</th></tr></thead>
                <tbody>{report.classes.map((c) => (
                  <tr key={c.from} data-class={c.from}>
                    <td style={cell}>{c.from}</td>
                    <td style={cell}>{c.students}</td>
                    <td style={cell}>
                      {report.applied ? (c.to ?? 'left the school') : (
                        <input aria-label={`Next year's class for ${c.from}`} data-testid="rollover-target" value={targets[c.from] ?? ''}
                          onChange={(e) => setTargets({ ...targets, [c.from]: e.target.value })} style={{ ...input, width: 180 }} />
                      )}
                    </td>
                    <td style={cell}>{c.archivedAs}</td>
                  </tr>
                ))}</tbody>
              </table>
            </div>
          )}
        </section>
      )}
    </div>
  );
};

export default YearRollover;
