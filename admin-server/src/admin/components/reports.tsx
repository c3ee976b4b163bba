import React, { useEffect, useState } from 'react';

type Status = 'present' | 'late' | 'absent' | 'excused';
interface Options { today: string; groups: { id: number; name: string }[]; students: { id: number; name: string; rollNumber: string }[] }
interface Report {
  group: { id: number; name: string };
  days: { day: string; sessions: { id: number; subject: string | null; startTime: string }[]; status: Record<string, Status>; sessionStatus: Record<string, Record<string, Status>>; totals: Record<Status, number> }[];
  students: { student: { id: number; name: string; rollNumber: string }; counts: Record<Status, number>; rate: number }[];
}
interface History { student: { name: string; rollNumber: string }; marks: { id: number; day: string; markedAt: string; slot: string; status: Status; source: string }[]; summary: Report['students'][number] | null }

const COLORS: Record<Status, string> = { present: '#067647', late: '#b54708', absent: '#b42318', excused: '#5925dc' };
const cell: React.CSSProperties = { padding: '6px 10px', borderBottom: '1px solid #eaecf0', textAlign: 'left' };
const box: React.CSSProperties = { background: '#fff', padding: 20, margin: '0 0 20px', borderRadius: 6 };
const Badge: React.FC<{ s: Status }> = ({ s }) => <span data-status={s} style={{ color: COLORS[s], fontWeight: 600 }}>{s}</span>;

/** Daily or period attendance per class group against roster and timetable, and one student's history. */
const Reports: React.FC = () => {
  const [opts, setOpts] = useState<Options | null>(null);
  const [q, setQ] = useState({ group: '', from: '', to: '', student: '' });
  const [report, setReport] = useState<Report | null>(null);
  const [history, setHistory] = useState<History | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [find, setFind] = useState('');

  useEffect(() => {
    const params = new URLSearchParams(window.location.search);
    fetch('/api/reports/options').then((r) => r.json()).then((o: Options) => {
      setOpts(o);
      setQ({ group: params.get('group') ?? String(o.groups[0]?.id ?? ''), from: params.get('from') ?? o.today, to: params.get('to') ?? params.get('from') ?? o.today, student: '' });
    }, (e: Error) => setError(e.message));
  }, []);

  const get = async <T,>(url: string): Promise<T | null> => {
    setError(null);
    const r = await fetch(url);
    const body = await r.json();
    if (!r.ok) { setError(body.message ?? `failed (${r.status})`); return null; }
    return body as T;
  };
  const range = `from=${q.from}&to=${q.to}`;
  const showGroup = async (e?: React.FormEvent) => { e?.preventDefault(); setReport(await get<Report>(`/api/reports/class-group/${q.group}?${range}`)); };
  const showStudent = async () => { if (q.student) setHistory(await get<History>(`/api/reports/student/${q.student}?${range}`)); };
  if (!opts) return <p style={{ padding: 24 }}>{error ?? 'Loading…'}</p>;
  const single = report?.days.length === 1 ? report.days[0] : null;

  return (
    <div style={{ padding: 'clamp(8px, 3vw, 24px)' }}>
      <form onSubmit={showGroup} style={{ ...box, display: 'flex', flexWrap: 'wrap', gap: 12, alignItems: 'end' }} data-testid="report-form">
        <label>Class group <select name="group" value={q.group} onChange={(e) => setQ({ ...q, group: e.target.value })}>
          {opts.groups.map((g) => <option key={g.id} value={g.id}>{g.name}</option>)}
        </select></label>
        <label>From <input type="date" name="from" value={q.from} onChange={(e) => setQ({ ...q, from: e.target.value })} /></label>
        <label>To <input type="date" name="to" value={q.to} onChange={(e) => setQ({ ...q, to: e.target.value })} /></label>
        <button type="submit" data-testid="show-report">Show</button>
        <a data-testid="export-link" href={`/api/attendance/export.csv?classGroupId=${q.group}&${range}`} download title="Every mark of this class group in this period, one row per mark">Export the marks (CSV)</a>
      </form>
      {error && <p role="alert" style={{ color: '#b42318' }}>{error}</p>}
      {report && (
        <section style={box} data-testid="report">
          <h2 style={{ marginBottom: 12 }}>{report.group.name}, {q.from}{q.to !== q.from ? ` to ${q.to}` : ''}</h2>
          {report.days.length === 0 && <p>No school days in this period (see the timetable).</p>}
          {/* On a phone a long day of lessons scrolls sideways inside its box; the page itself never does. */}
          <div style={{ overflowX: 'auto' }}>
          <table style={{ borderCollapse: 'collapse', width: '100%' }}>
            <thead><tr>
              <th style={cell}>Student</th><th style={cell}>Roll</th>
              {single ? single.sessions.map((s) => <th key={s.id} style={cell}>{s.startTime} {s.subject ?? ''}</th>) : null}
              {single ? <th style={cell}>Day</th> : <><th style={cell}>Present</th><th style={cell}>Late</th><th style={cell}>Absent</th><th style={cell}>Excused</th><th style={cell}>Rate</th></>}
            </tr></thead>
            <tbody>
              {report.students.map(({ student, counts, rate }) => (
                <tr key={student.id} data-student-id={student.id}>
                  <td style={cell}>{student.name}</td><td style={cell}>{student.rollNumber}</td>
                  {single ? single.sessions.map((s) => <td key={s.id} style={cell}><Badge s={single.sessionStatus[s.id][student.id]} /></td>) : null}
                  {single ? <td style={cell}><Badge s={single.status[student.id]} /></td>
                    : <><td style={cell}>{counts.present}</td><td style={cell}>{counts.late}</td><td style={cell}>{counts.absent}</td><td style={cell}>{counts.excused}</td><td style={cell}>{Math.round(rate * 100)}%</td></>}
                </tr>
              ))}
            </tbody>
          </table>
          </div>
          {single && <p data-testid="report-totals" style={{ marginTop: 12 }}>Present {single.totals.present} · Late {single.totals.late} · Absent {single.totals.absent} · Excused {single.totals.excused}</p>}
        </section>
      )}
      <section style={box}>
        <h2 style={{ marginBottom: 12 }}>Student history</h2>
        {/* A school has hundreds of students: type part of a name or roll number to narrow the list. */}
        <input type="search" placeholder="Find by name or roll number" value={find} onChange={(e) => setFind(e.target.value)} data-testid="history-find"
          style={{ marginRight: 8, marginBottom: 8, maxWidth: '100%' }} />
        <select value={q.student} onChange={(e) => setQ({ ...q, student: e.target.value })} data-testid="history-student" style={{ maxWidth: '100%' }}>
          <option value="">Choose a student…</option>
          {opts.students.filter((s) => !find || `${s.name} ${s.rollNumber}`.toLowerCase().includes(find.toLowerCase()))
            .map((s) => <option key={s.id} value={s.id}>{s.name} ({s.rollNumber})</option>)}
        </select>{' '}
        <button type="button" onClick={showStudent}>Show history</button>
        {history && (
          <div data-testid="history" style={{ marginTop: 12 }}>
            {history.summary && <p>{history.student.name}: present {history.summary.counts.present}, late {history.summary.counts.late}, absent {history.summary.counts.absent}, excused {history.summary.counts.excused} ({Math.round(history.summary.rate * 100)}%)</p>}
            <table style={{ borderCollapse: 'collapse' }}><tbody>
              {history.marks.map((m) => <tr key={m.id}><td style={cell}>{m.day}</td><td style={cell}>{new Date(m.markedAt).toLocaleTimeString()}</td><td style={cell}>{m.slot}</td><td style={cell}><Badge s={m.status} /></td><td style={cell}>{m.source}</td></tr>)}
            </tbody></table>
          </div>
        )}
      </section>
    </div>
  );
};

export default Reports;
