import React, { useState } from 'react';

/** AdminJS list filters (`filters.day`, `filters.status`, …) → the export's query, so the file matches the view. */
function fromListQuery(search: string): Record<string, string> {
  const p = new URLSearchParams(search);
  const out: Record<string, string> = {};
  const day = p.get('filters.day');
  if (day && /^\d{4}-\d{2}-\d{2}$/.test(day)) { out.from = day; out.to = day; }
  const from = p.get('filters.markedAt~~from');
  const to = p.get('filters.markedAt~~to');
  if (from) out.from = from.slice(0, 10);
  if (to) out.to = to.slice(0, 10);
  for (const k of ['classGroupId', 'studentId', 'status']) { const v = p.get(`filters.${k}`); if (v) out[k] = v; }
  return out;
}

/** Download the attendance of any filter as CSV (UTF-8 with BOM, for spreadsheets); every export is audited. */
const ExportCsv: React.FC = () => {
  const [f, setF] = useState<Record<string, string>>(() => fromListQuery(window.location.search));
  const set = (k: string) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setF({ ...f, [k]: e.target.value });
  const href = `/api/attendance/export.csv?${new URLSearchParams(Object.entries(f).filter(([, v]) => v)).toString()}`;
  return (
    <div style={{ padding: 24, background: '#fff' }}>
      <p style={{ marginBottom: 12 }}>Rows matching these filters are exported (empty = all you may see).</p>
      <label>From <input type="date" value={f.from ?? ''} onChange={set('from')} /></label>{' '}
      <label>To <input type="date" value={f.to ?? ''} onChange={set('to')} /></label>{' '}
      <label>Class group id <input size={4} value={f.classGroupId ?? ''} onChange={set('classGroupId')} /></label>{' '}
      <label>Student id <input size={4} value={f.studentId ?? ''} onChange={set('studentId')} /></label>{' '}
      <label>Status <select value={f.status ?? ''} onChange={set('status')}>
        {['', 'present', 'late', 'absent', 'excused'].map((s) => <option key={s} value={s}>{s || 'any'}</option>)}
      </select></label>
      <p style={{ marginTop: 16 }}><a data-testid="download-csv" href={href} download>Download CSV</a></p>
    </div>
  );
};

export default ExportCsv;
