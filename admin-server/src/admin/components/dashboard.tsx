import React, { useEffect, useState } from 'react';

interface Data {
  today: string;
  rateByDay: { day: string; rate: number; marked: number; roster: number }[];
  /** `lessons`: today's lessons that happen (timetable minus the school calendar). */
  todayByGroup: { id: number; name: string; roster: number; present: number; late: number; excused: number; lessons: number }[];
  cameras: { id: number; name: string; room: string | null; status: string; detail: string | null }[];
  recent: { at: string; student: string; classGroup: string | null; status: string; source: string }[];
}

const COLORS: Record<string, string> = { present: '#12b76a', late: '#f79009', absent: '#d0d5dd', excused: '#7a5af8', running: '#12b76a', starting: '#2e90fa', reconnecting: '#f79009', failed: '#f04438', stopped: '#98a2b3' };
/** Text colours readable on white (the chart colours are too light for words). */
const STATUS_TEXT: Record<string, string> = { present: '#067647', late: '#b54708', absent: '#b42318', excused: '#5925dc' };
const cellStyle: React.CSSProperties = { padding: '6px 10px', textAlign: 'left', whiteSpace: 'nowrap' };
const card: React.CSSProperties = { background: '#fff', padding: 20, borderRadius: 6, boxShadow: '0 1px 3px rgba(0,0,0,.08)' };

/** Attendance rate per school day: one bar per day, the height is the share of the roster that came. */
const RateChart: React.FC<{ days: Data['rateByDay'] }> = ({ days }) => {
  const w = 640, h = 200, pad = 30;
  const bw = days.length ? (w - pad) / days.length : 0;
  return (
    <svg data-testid="chart-rate" viewBox={`0 0 ${w} ${h + 24}`} width="100%" role="img" aria-label="Attendance rate by day">
      {[0, 0.5, 1].map((t) => (
        <g key={t}>
          <line x1={pad} x2={w} y1={h - t * (h - 10)} y2={h - t * (h - 10)} stroke="#eaecf0" />
          <text x={0} y={h - t * (h - 10) + 4} fontSize="10" fill="#667085">{t * 100}%</text>
        </g>
      ))}
      {days.map((d, i) => {
        const bh = d.rate * (h - 10);
        return (
          <g key={d.day}>
            <rect x={pad + i * bw + 2} y={h - bh} width={Math.max(bw - 4, 1)} height={bh} fill="#3040d6"><title>{`${d.day}: ${Math.round(d.rate * 100)}% (${d.marked}/${d.roster})`}</title></rect>
            {i % Math.ceil(days.length / 8) === 0 && <text x={pad + i * bw} y={h + 16} fontSize="10" fill="#667085">{d.day.slice(5)}</text>}
            {bw >= 18 && bh > 14 && <text x={pad + i * bw + bw / 2} y={h - bh + 12} fontSize="9" fill="#fff" textAnchor="middle">{Math.round(d.rate * 100)}</text>}
          </g>
        );
      })}
    </svg>
  );
};

/** The stacked segments of a class group's bar today, in order; the last is the rest of the roster (absent or not yet marked). */
const SEGMENTS = [
  { key: 'present', label: 'present', color: COLORS.present },
  { key: 'late', label: 'late', color: COLORS.late },
  { key: 'excused', label: 'excused', color: COLORS.excused },
  { key: 'notMarked', label: 'absent or not marked', color: COLORS.absent },
] as const;

/** Today per class group: present, late, excused and not (yet) marked, as stacked bars; each segment says its number. */
const GroupChart: React.FC<{ groups: Data['todayByGroup'] }> = ({ groups }) => {
  const w = 640, row = 28, label = 120;
  return (
    <svg data-testid="chart-groups" viewBox={`0 0 ${w} ${Math.max(groups.length, 1) * row + 8}`} width="100%" role="img" aria-label="Today by class group">
      {groups.map((g, i) => {
        const scale = g.roster ? (w - label - 60) / g.roster : 0;
        const counts = { present: g.present, late: g.late, excused: g.excused, notMarked: Math.max(g.roster - g.present - g.late - g.excused, 0) };
        const y = i * row + 4;
        // A class the timetable or the calendar gives no lesson today is not 0/30 absent (a Saturday club's marks still show).
        if (g.lessons === 0 && g.present + g.late + g.excused === 0) return (
          <g key={g.id} data-testid="no-lessons"><title>{`${g.name}: no lessons today`}</title><text x={0} y={y + 16} fontSize="12">{g.name}</text><text x={label} y={y + 15} fontSize="12" fill="#475467">no lessons today</text></g>
        );
        let x = label;
        return (
          <g key={g.id}>
            <title>{`${g.name}: ${SEGMENTS.map((s) => `${counts[s.key]} ${s.label}`).join(', ')} (of ${g.roster})`}</title>
            <text x={0} y={y + 16} fontSize="12">{g.name}</text>
            {SEGMENTS.map((s) => {
              const width = counts[s.key] * scale;
              const at = x;
              x += width;
              return (
                <g key={s.key} data-segment={s.key}>
                  <rect x={at} y={y} width={width} height={20} fill={s.color}><title>{`${g.name}: ${counts[s.key]} ${s.label}`}</title></rect>
                  {width >= 16 && counts[s.key] > 0 && <text x={at + width / 2} y={y + 14} fontSize="10" textAnchor="middle" fill={s.key === 'notMarked' ? '#344054' : '#fff'}>{counts[s.key]}</text>}
                </g>
              );
            })}
            <text x={w - 55} y={y + 15} fontSize="11" fill="#344054">{g.present + g.late}/{g.roster}</text>
          </g>
        );
      })}
    </svg>
  );
};

/** A new school sees what to do, in order, instead of empty charts. */
const FirstSteps: React.FC = () => (
  <section data-testid="first-steps" style={{ ...card, margin: 'clamp(8px, 3vw, 24px)', maxWidth: 720 }}>
    <h2 style={{ marginBottom: 12 }}>Getting started</h2>
    <ol style={{ paddingLeft: 20, lineHeight: 1.8 }}>
      <li><a href="/admin/resources/ClassGroup/actions/new">Add a class group</a> (and its teacher).</li>
      <li><a href="/admin/resources/Student/actions/new">Add the students</a> of that class.</li>
      <li>On each student: <strong>More actions → Record consent</strong> (who gave it, how, which policy).</li>
      <li>On each student: <strong>Register face</strong> (a short live check at a camera), or More actions → Enroll from photos.</li>
      <li><a href="/admin/resources/Camera/actions/new">Add a camera</a> and its lessons in the <a href="/admin/resources/ClassSession">Timetable</a>, then open its <strong>Live view</strong>.</li>
    </ol>
  </section>
);

/** Today's lessons of the caller's class groups, each opening its register (the Register page). */
interface Lesson { sessionId: number; day: string; subject: string | null; startTime: string; endTime: string; classGroup: string; roster: number; marked: number; confirmedAt: string | null; off: { name: string } | null }
const MyLessons: React.FC = () => {
  const [lessons, setLessons] = useState<Lesson[] | null>(null);
  useEffect(() => { fetch('/api/register/lessons').then(async (r) => setLessons(r.ok ? (await r.json()).lessons : [])).catch(() => setLessons([])); }, []);
  if (!lessons?.length) return null;
  return (
    <section style={card} data-testid="my-lessons">
      <h2 style={{ marginBottom: 12 }}>My lessons today</h2>
      <ul style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {lessons.map((l) => (
          <li key={l.sessionId} style={{ padding: '6px 0', borderBottom: '1px solid #eaecf0' }}>
            {l.off ? <span>{l.startTime} {l.classGroup} {l.subject ?? ''}: no lesson ({l.off.name})</span> : (
              <a href={`/admin/pages/register?lesson=${l.sessionId}&day=${l.day}`} data-testid={`lesson-${l.sessionId}`} style={{ display: 'block', padding: '6px 0' }}>
                <strong>{l.startTime}–{l.endTime} {l.classGroup}</strong> {l.subject ?? ''} · {l.confirmedAt ? 'register confirmed' : `${l.marked}/${l.roster} marked`}
              </a>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
};

const Dashboard: React.FC = () => {
  const [data, setData] = useState<Data | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    fetch('/api/dashboard').then(async (r) => (r.ok ? setData(await r.json()) : setError(`dashboard failed (${r.status})`)), (e: Error) => setError(e.message));
  }, []);
  if (error) return <p role="alert" style={{ padding: 24 }}>{error}</p>;
  if (!data) return <p style={{ padding: 24 }}>Loading…</p>;
  if (data.todayByGroup.length === 0 && data.recent.length === 0) return <FirstSteps />;
  return (
    <div data-testid="dashboard" style={{ padding: 'clamp(8px, 3vw, 24px)', display: 'grid', gap: 20, gridTemplateColumns: 'repeat(auto-fit, minmax(min(420px, 100%), 1fr))' }}>
      <MyLessons />
      <section style={card}><h2 style={{ marginBottom: 12 }}>Attendance rate, last 4 weeks</h2><RateChart days={data.rateByDay} /></section>
      <section style={card}>
        <h2 style={{ marginBottom: 12 }}>Today ({data.today}) by class group</h2>
        <GroupChart groups={data.todayByGroup} />
        <p data-testid="legend" style={{ fontSize: 12, color: '#667085' }}>
          {SEGMENTS.map((s) => <span key={s.key} data-legend={s.key} style={{ marginRight: 10 }}><span style={{ color: s.color }}>■</span> {s.label}</span>)}
          — hover a bar for its numbers
        </p>
      </section>
      <section style={card} data-testid="cameras">
        <h2 style={{ marginBottom: 12 }}>Cameras</h2>
        {data.cameras.length === 0 && <p>No cameras.</p>}
        <ul style={{ listStyle: 'none', padding: 0 }}>
          {data.cameras.map((c) => (
            <li key={c.id} style={{ padding: '4px 0' }}>
              <svg width="12" height="12" style={{ marginRight: 8 }}><circle cx="6" cy="6" r="5" fill={COLORS[c.status] ?? '#98a2b3'} /></svg>
              <strong>{c.name}</strong> {c.room ? `(${c.room})` : ''} — {c.status}{c.detail ? `: ${c.detail}` : ''}
            </li>
          ))}
        </ul>
      </section>
      <section style={card}>
        <h2 style={{ marginBottom: 12 }}>Recent marks</h2>
        <div style={{ overflowX: 'auto' }}>
          <table data-testid="recent" style={{ width: '100%', fontSize: 13, borderCollapse: 'collapse' }}>
            <thead><tr>{['When', 'Student', 'Class', 'Status', 'How'].map((h) => <th key={h} style={{ ...cellStyle, color: '#667085', fontWeight: 600 }}>{h}</th>)}</tr></thead>
            <tbody>
              {data.recent.map((r, i) => (
                <tr key={i} style={{ borderBottom: '1px solid #eaecf0' }}>
                  <td style={cellStyle}>{new Date(r.at).toLocaleString()}</td><td style={cellStyle}>{r.student}</td><td style={cellStyle}>{r.classGroup ?? '–'}</td>
                  <td style={{ ...cellStyle, color: STATUS_TEXT[r.status] ?? undefined, fontWeight: 600 }}>{r.status}</td><td style={cellStyle}>{r.source}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {data.recent.length === 0 && <p>No marks yet.</p>}
      </section>
    </div>
  );
};

export default Dashboard;
