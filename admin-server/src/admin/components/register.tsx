import React, { useCallback, useEffect, useState } from 'react';

type Status = 'present' | 'late' | 'absent' | 'excused';
interface Mark { id: number; status: Status; source: string; markedAt: string; confidence: number | null; camera: string | null; reasonCode: string | null; note: string | null }
interface Lesson { sessionId: number; day: string; subject: string | null; startTime: string; endTime: string; classGroup: string; roster: number; marked: number; confirmedAt: string | null; off: { name: string } | null }
interface View {
  lesson: Lesson;
  timeZone: string;
  reasons: { code: string; label: string; excused: boolean }[];
  students: { id: number; name: string; rollNumber: string; mark: Mark | null; dayMark: Mark | null }[];
  mayReopen: boolean;
}

const STATUSES: { status: Status; label: string; color: string }[] = [
  { status: 'present', label: 'Present', color: '#067647' },
  { status: 'late', label: 'Late', color: '#b54708' },
  { status: 'absent', label: 'Absent', color: '#b42318' },
  { status: 'excused', label: 'Excused', color: '#5925dc' },
];
const HOW: Record<string, string> = { camera: 'seen by camera', laptop: 'seen by laptop camera', manual: 'marked by hand', api: 'from the school system', auto: 'no mark by the end of the lesson; marked absent' };
const box: React.CSSProperties = { background: '#fff', padding: 'clamp(10px, 3vw, 20px)', margin: '0 0 16px', borderRadius: 6 };
const tap: React.CSSProperties = { minWidth: 44, minHeight: 44, padding: '0 10px', borderRadius: 6, border: '1px solid #d0d5dd', background: '#fff', cursor: 'pointer', fontSize: 14 };
/** School time, 24-hour, in the school's zone whatever the device's. */
const time = (iso: string, timeZone: string) => new Date(iso).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone });

/** How and when a mark was made, in words: "seen by camera at 09:02 (Room 101, 91%)". */
function seen(m: Mark, timeZone: string): string {
  const where = [m.camera, m.confidence != null ? `${Math.round(m.confidence * 100)}%` : null].filter(Boolean).join(', ');
  return `${HOW[m.source] ?? m.source} at ${time(m.markedAt, timeZone)}${where ? ` (${where})` : ''}`;
}

async function call<T>(url: string, body?: unknown): Promise<T> {
  const r = await fetch(url, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(json.message ?? `failed (${r.status})`);
  return json as T;
}

/** Today's lessons of the caller (the list the dashboard shows too). */
const LessonList: React.FC<{ day: string | null }> = ({ day }) => {
  const [data, setData] = useState<{ day: string; lessons: Lesson[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => { call<{ day: string; lessons: Lesson[] }>(`/api/register/lessons${day ? `?day=${day}` : ''}`).then(setData, (e: Error) => setError(e.message)); }, [day]);
  if (error) return <p role="alert" style={{ color: '#b42318' }}>{error}</p>;
  if (!data) return <p>Loading…</p>;
  return (
    <section style={box} data-testid="lesson-list">
      <h2 style={{ marginBottom: 12 }}>My lessons on {data.day}</h2>
      {data.lessons.length === 0 && <p>No lessons on this day.</p>}
      <ul style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {data.lessons.map((l) => (
          <li key={l.sessionId} style={{ borderBottom: '1px solid #eaecf0' }}>
            {l.off ? <p style={{ padding: '10px 0', color: '#667085' }}>{l.startTime} {l.classGroup} {l.subject ?? ''}: no lesson ({l.off.name})</p> : (
              <a href={`?lesson=${l.sessionId}&day=${l.day}`} data-testid={`lesson-${l.sessionId}`} style={{ display: 'block', padding: '12px 0' }}>
                <strong>{l.startTime}–{l.endTime} {l.classGroup}</strong> {l.subject ?? ''} · {l.confirmedAt ? 'confirmed' : `${l.marked}/${l.roster} marked`}
              </a>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
};

/**
 * The register of one lesson: every student of the class with the camera's or laptop's mark already there,
 * one tap per student for the rest, "mark all remaining absent", then Confirm (locks it; staff may reopen).
 */
const Roster: React.FC<{ lesson: string; day: string }> = ({ lesson, day }) => {
  const [view, setView] = useState<View | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const base = `/api/register/${lesson}/${day}`;
  const load = useCallback(() => call<View>(base).then(setView, (e: Error) => setError(e.message)), [base]);
  useEffect(() => { load(); }, [load]);

  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try { await fn(); } catch (e) { setError((e as Error).message); }
    await load();
  };
  const setMark = (studentId: number, status: Status, reasonCode: string | null = null, note: string | null = null) =>
    act(() => call(`${base}/students/${studentId}`, { status, reasonCode, note }));

  if (!view) return <p role={error ? 'alert' : undefined}>{error ?? 'Loading…'}</p>;
  const { lesson: l } = view;
  const locked = !!l.confirmedAt;
  const unmarked = view.students.filter((s) => !s.mark).length;
  const counts = STATUSES.map((s) => `${view.students.filter((st) => st.mark?.status === s.status).length} ${s.label.toLowerCase()}`).join(' · ');

  return (
    <div data-testid="register">
      <section style={box}>
        <p><a href="?">← My lessons</a></p>
        <h2 style={{ margin: '8px 0' }}>{l.classGroup} {l.subject ?? ''}, {l.day} {l.startTime}–{l.endTime}</h2>
        <p data-testid="register-counts">{counts} · {unmarked} not marked{locked ? ` · confirmed at ${time(l.confirmedAt!, view.timeZone)}` : ''}</p>
        {l.off && <p role="status">No lesson on this day: {l.off.name}.</p>}
        {error && <p role="alert" style={{ color: '#b42318' }}>{error}</p>}
        <div style={{ display: 'flex', flexWrap: 'wrap', gap: 8, marginTop: 8 }}>
          {!locked && !l.off && unmarked > 0 && <button type="button" style={tap} data-testid="remaining-absent" onClick={() => act(() => call(`${base}/remaining-absent`, {}))}>Mark all remaining absent ({unmarked})</button>}
          {!locked && !l.off && !confirming && <button type="button" style={{ ...tap, background: '#3040d6', color: '#fff' }} data-testid="confirm" onClick={() => setConfirming(true)}>Confirm register…</button>}
          {confirming && !locked && (
            <span role="group" aria-label="Confirm the register" style={{ display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'center' }}>
              <span>Lock this register{unmarked ? ` (${unmarked} still not marked)` : ''}?</span>
              <button type="button" style={{ ...tap, background: '#3040d6', color: '#fff' }} data-testid="confirm-yes" onClick={() => act(async () => { setConfirming(false); await call(`${base}/confirm`, {}); })}>Yes, confirm</button>
              <button type="button" style={tap} onClick={() => setConfirming(false)}>Cancel</button>
            </span>
          )}
          {locked && view.mayReopen && <button type="button" style={tap} data-testid="reopen" onClick={() => act(() => call(`${base}/reopen`, { reason: window.prompt('Why reopen this register?') ?? null }))}>Reopen</button>}
        </div>
      </section>
      <section style={box}>
        <ul style={{ listStyle: 'none', padding: 0, margin: 0 }} data-testid="roster">
          {view.students.map((s) => (
            <li key={s.id} data-testid={`student-${s.id}`} data-status={s.mark?.status ?? ''} style={{ display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: 8, padding: '10px 0', borderBottom: '1px solid #eaecf0' }}>
              <div style={{ flex: '1 1 180px', minWidth: 0 }}>
                <strong>{s.name}</strong> <span style={{ color: '#667085', fontSize: 12 }}>{s.rollNumber}</span>
                <div style={{ fontSize: 12, color: '#667085' }}>
                  {s.mark ? seen(s.mark, view.timeZone) : 'not marked'}
                  {!s.mark && s.dayMark && ` · in school today (${seen(s.dayMark, view.timeZone)})`}
                </div>
              </div>
              <div role="group" aria-label={`Mark ${s.name}`} style={{ display: 'flex', gap: 4, flexWrap: 'wrap' }}>
                {STATUSES.map((st) => {
                  const on = s.mark?.status === st.status;
                  return (
                    <button key={st.status} type="button" disabled={locked} aria-pressed={on} data-mark={st.status}
                      style={{ ...tap, ...(on ? { background: st.color, color: '#fff', borderColor: st.color } : {}) }}
                      onClick={() => { if (!on) setMark(s.id, st.status); }}>{st.label}</button>
                  );
                })}
              </div>
              {s.mark && (s.mark.status === 'absent' || s.mark.status === 'excused') && (
                <div style={{ flex: '1 1 100%', display: 'flex', flexWrap: 'wrap', gap: 8 }}>
                  <label>Reason{' '}
                    <select disabled={locked} value={s.mark.reasonCode ?? ''} data-testid={`reason-${s.id}`} onChange={(e) => setMark(s.id, s.mark!.status === 'excused' && !e.target.value ? 'absent' : s.mark!.status, e.target.value || null, s.mark!.note)}>
                      <option value="">no reason given</option>
                      {view.reasons.map((r) => <option key={r.code} value={r.code}>{r.label}</option>)}
                    </select>
                  </label>
                  <label style={{ flex: '1 1 160px' }}>Note{' '}
                    <input disabled={locked} defaultValue={s.mark.note ?? ''} maxLength={255} style={{ width: '100%' }}
                      onBlur={(e) => { if (e.target.value !== (s.mark!.note ?? '')) setMark(s.id, s.mark!.status, s.mark!.reasonCode, e.target.value); }} />
                  </label>
                </div>
              )}
            </li>
          ))}
        </ul>
        {view.students.length === 0 && <p>This class has no students.</p>}
      </section>
    </div>
  );
};

const Register: React.FC = () => {
  const params = new URLSearchParams(window.location.search);
  const lesson = params.get('lesson');
  const day = params.get('day');
  return (
    <div style={{ padding: 'clamp(6px, 3vw, 24px)', maxWidth: 960 }}>
      {lesson && day ? <Roster lesson={lesson} day={day} /> : <LessonList day={day} />}
    </div>
  );
};

export default Register;
