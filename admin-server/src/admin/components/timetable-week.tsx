import React, { useCallback, useEffect, useState } from 'react';

interface Lesson { id: number; weekday: number; startTime: string; endTime: string; subject: string | null; cameraId: number | null; camera: string | null; lateAfterMinutes: number }
interface Week { group: { id: number; name: string }; lessons: Lesson[]; cameras: { id: number; name: string }[]; mayEdit: boolean }
interface FieldError { weekday: number; field: string; message: string }

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const SCHOOL_DAYS = [1, 2, 3, 4, 5];
/** Below this width the week is a list of days (a seven-column table does not fit a phone). */
const NARROW = 700;
const box: React.CSSProperties = { background: '#fff', padding: 'clamp(10px, 3vw, 20px)', margin: '0 0 16px', borderRadius: 6 };
const cell: React.CSSProperties = { padding: '6px 8px', borderBottom: '1px solid #eaecf0', textAlign: 'left', verticalAlign: 'top', minWidth: 110 };
const input: React.CSSProperties = { display: 'block', padding: 8, fontSize: 14, width: '100%', boxSizing: 'border-box' };
const small: React.CSSProperties = { minWidth: 32, minHeight: 32, border: '1px solid #d0d5dd', borderRadius: 4, background: '#fff', cursor: 'pointer' };
const errorText: React.CSSProperties = { color: '#b42318', fontSize: 13, marginTop: 4 };

function useNarrow(): boolean {
  const [narrow, setNarrow] = useState(() => window.innerWidth < NARROW);
  useEffect(() => {
    const onResize = () => setNarrow(window.innerWidth < NARROW);
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  return narrow;
}

const LessonText: React.FC<{ l: Lesson; onRemove?: (l: Lesson) => void; withTime?: boolean }> = ({ l, onRemove, withTime }) => (
  <div data-testid={`lesson-${l.id}`} style={{ display: 'flex', gap: 6, alignItems: 'start', justifyContent: 'space-between', padding: '4px 0' }}>
    <span>{withTime && <strong>{l.startTime}–{l.endTime} </strong>}{l.subject ?? 'Lesson'}{l.camera ? <span style={{ color: '#667085' }}> · {l.camera}</span> : null}</span>
    {onRemove && <button type="button" style={small} aria-label={`Remove ${l.subject ?? 'lesson'} on ${DAYS[l.weekday - 1]} at ${l.startTime}`} onClick={() => onRemove(l)}>×</button>}
  </div>
);

/**
 * The week-grid timetable editor of one class group: rows are lesson times, columns weekdays; a lesson is
 * typed once and repeated on the weekdays ticked ("Mon–Fri" ticks the school week). The server checks each
 * one with the timetable rules (24-hour times, end after start, no overlap in the class or the room) and
 * saves all or none; its reasons show under the fields.
 */
const TimetableWeek: React.FC = () => {
  const narrow = useNarrow();
  const [groups, setGroups] = useState<{ id: number; name: string }[] | null>(null);
  const [groupId, setGroupId] = useState('');
  const [week, setWeek] = useState<Week | null>(null);
  const [form, setForm] = useState({ subject: '', startTime: '', endTime: '', cameraId: '', lateAfterMinutes: '10' });
  const [days, setDays] = useState<number[]>(SCHOOL_DAYS);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  useEffect(() => {
    fetch('/api/reports/options').then((r) => r.json()).then((o: { groups: { id: number; name: string }[] }) => {
      setGroups(o.groups);
      const wanted = new URLSearchParams(window.location.search).get('group');
      setGroupId(wanted && o.groups.some((g) => String(g.id) === wanted) ? wanted : String(o.groups[0]?.id ?? ''));
    }, (e: Error) => setMessage({ ok: false, text: e.message }));
  }, []);
  const load = useCallback(async () => {
    if (!groupId) return;
    const r = await fetch(`/api/timetable/${groupId}`);
    const body = await r.json();
    if (r.ok) setWeek(body as Week); else setMessage({ ok: false, text: body.message });
  }, [groupId]);
  useEffect(() => { load(); }, [load]);

  const add = async (e: React.FormEvent) => {
    e.preventDefault();
    setErrors([]);
    setMessage(null);
    const r = await fetch(`/api/timetable/${groupId}/lessons`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...form, cameraId: form.cameraId || null, weekdays: days }),
    });
    const body = await r.json().catch(() => ({}));
    if (r.ok) {
      setMessage({ ok: true, text: `Added on ${body.lessons.map((l: Lesson) => DAYS[l.weekday - 1]).join(', ')}.` });
      setForm({ ...form, subject: '', startTime: '', endTime: '' });
    } else {
      setErrors(body.details?.fields ?? []);
      setMessage({ ok: false, text: body.message ?? `not saved (${r.status})` });
    }
    await load();
  };
  const remove = async (l: Lesson) => {
    if (!window.confirm(`Remove ${l.subject ?? 'the lesson'} on ${DAYS[l.weekday - 1]} at ${l.startTime}?`)) return;
    const r = await fetch(`/api/timetable/lessons/${l.id}`, { method: 'DELETE' });
    setMessage(r.ok ? { ok: true, text: 'Lesson removed.' } : { ok: false, text: (await r.json().catch(() => ({}))).message ?? 'not removed' });
    await load();
  };
  const fieldErrors = (field: string) => errors.filter((x) => x.field === field).map((x) => <p key={`${x.weekday}-${x.message}`} style={errorText} data-testid={`error-${field}`}>{x.message}</p>);
  const toggle = (d: number) => setDays(days.includes(d) ? days.filter((x) => x !== d) : [...days, d].sort((a, b) => a - b));
  const schoolWeek = SCHOOL_DAYS.every((d) => days.includes(d)) && days.length === 5;

  if (!groups) return <p style={{ padding: 24 }}>{message?.text ?? 'Loading…'}</p>;
  if (!groups.length) return <p style={{ padding: 24 }}>No class groups yet: add one first (School → Class groups).</p>;
  const lessons = week?.lessons ?? [];
  const shownDays = [...new Set([...SCHOOL_DAYS, ...lessons.map((l) => l.weekday)])].sort((a, b) => a - b);
  const times = [...new Set(lessons.map((l) => `${l.startTime}–${l.endTime}`))].sort();
  const onRemove = week?.mayEdit ? remove : undefined;

  return (
    <div style={{ padding: 'clamp(8px, 3vw, 24px)', maxWidth: 1200 }}>
      <section style={box}>
        <label style={{ display: 'block', maxWidth: 360 }}>Class group
          <select data-testid="timetable-group" value={groupId} onChange={(e) => setGroupId(e.target.value)} style={input}>
            {groups.map((g) => <option key={g.id} value={g.id}>{g.name}</option>)}
          </select>
        </label>
      </section>
      <section style={box} data-testid="timetable-week">
        <h2 style={{ marginBottom: 12 }}>{week?.group.name ?? ''}: the week</h2>
        {lessons.length === 0 && <p>No lessons yet.</p>}
        {lessons.length > 0 && !narrow && (
          <div style={{ overflowX: 'auto' }}>
            <table data-testid="timetable-grid" style={{ borderCollapse: 'collapse', width: '100%' }}>
              <thead><tr><th style={cell}>Time</th>{shownDays.map((d) => <th key={d} style={cell}>{DAYS[d - 1]}</th>)}</tr></thead>
              <tbody>{times.map((t) => (
                <tr key={t} data-time={t}>
                  <td style={{ ...cell, fontWeight: 600, whiteSpace: 'nowrap' }}>{t}</td>
                  {shownDays.map((d) => <td key={d} style={cell} data-weekday={d}>
                    {lessons.filter((l) => l.weekday === d && `${l.startTime}–${l.endTime}` === t).map((l) => <LessonText key={l.id} l={l} onRemove={onRemove} />)}
                  </td>)}
                </tr>
              ))}</tbody>
            </table>
          </div>
        )}
        {lessons.length > 0 && narrow && (
          <div data-testid="timetable-days">
            {shownDays.map((d) => (
              <div key={d} data-weekday={d} style={{ borderBottom: '1px solid #eaecf0', padding: '8px 0' }}>
                <h3 style={{ fontSize: 15, marginBottom: 4 }}>{DAYS[d - 1]}</h3>
                {lessons.filter((l) => l.weekday === d).map((l) => <LessonText key={l.id} l={l} onRemove={onRemove} withTime />)}
                {!lessons.some((l) => l.weekday === d) && <p style={{ color: '#667085' }}>No lessons.</p>}
              </div>
            ))}
          </div>
        )}
      </section>
      {week?.mayEdit && (
        <form style={box} onSubmit={add} data-testid="timetable-add">
          <h2 style={{ marginBottom: 12 }}>Add a lesson</h2>
          <div style={{ display: 'grid', gap: 12, gridTemplateColumns: 'repeat(auto-fit, minmax(min(160px, 100%), 1fr))' }}>
            <label>Subject<input name="subject" value={form.subject} onChange={(e) => setForm({ ...form, subject: e.target.value })} style={input} /></label>
            <label>Start (24-hour)<input name="startTime" placeholder="08:30" value={form.startTime} onChange={(e) => setForm({ ...form, startTime: e.target.value })} style={input} />{fieldErrors('startTime')}</label>
            <label>End (24-hour)<input name="endTime" placeholder="09:15" value={form.endTime} onChange={(e) => setForm({ ...form, endTime: e.target.value })} style={input} />{fieldErrors('endTime')}</label>
            <label>Room (camera)<select name="cameraId" value={form.cameraId} onChange={(e) => setForm({ ...form, cameraId: e.target.value })} style={input}>
              <option value="">No camera</option>
              {week.cameras.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
            </select></label>
            <label>Late after (minutes)<input name="lateAfterMinutes" inputMode="numeric" value={form.lateAfterMinutes} onChange={(e) => setForm({ ...form, lateAfterMinutes: e.target.value })} style={input} />{fieldErrors('lateAfterMinutes')}</label>
          </div>
          <fieldset style={{ border: 0, padding: 0, margin: '12px 0 0' }}>
            <legend style={{ marginBottom: 6 }}>On</legend>
            <label style={{ marginRight: 16, display: 'inline-flex', alignItems: 'center', gap: 4, minHeight: 32 }}>
              <input type="checkbox" data-testid="repeat-school-week" checked={schoolWeek} onChange={(e) => setDays(e.target.checked ? SCHOOL_DAYS : [])} /> Mon–Fri
            </label>
            {DAYS.map((name, i) => (
              <label key={name} style={{ marginRight: 12, display: 'inline-flex', alignItems: 'center', gap: 4, minHeight: 32 }}>
                <input type="checkbox" name={`weekday-${i + 1}`} checked={days.includes(i + 1)} onChange={() => toggle(i + 1)} /> {name}
              </label>
            ))}
            {fieldErrors('weekday')}{fieldErrors('weekdays')}
          </fieldset>
          <button type="submit" data-testid="timetable-save" style={{ marginTop: 12, minHeight: 40, padding: '0 16px', background: '#3040d6', color: '#fff', border: 0, borderRadius: 4, cursor: 'pointer' }}>Add lesson</button>
          {message && <p role={message.ok ? 'status' : 'alert'} data-testid="timetable-message" style={{ marginTop: 12, color: message.ok ? '#067647' : '#b42318' }}>{message.text}</p>}
        </form>
      )}
      {!week?.mayEdit && message && <p role="alert" style={{ color: '#b42318' }}>{message.text}</p>}
    </div>
  );
};

export default TimetableWeek;
