import React, { useEffect, useState } from 'react';

interface Report { at: string; templates: Array<{ studentId: number; name: string; templates: number }>; attendanceCutoff: string; attendanceRows: number }

/** The retention policy in words for everyone; a dry run of tonight's retention job for admin and staff. */
const Privacy: React.FC = () => {
  const [policy, setPolicy] = useState<string[]>([]);
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    fetch('/api/retention/policy').then((r) => r.json()).then((b) => setPolicy(b.policy ?? []), (e) => setError(String(e)));
  }, []);
  const preview = async () => {
    const res = await fetch('/api/retention/preview');
    const body = await res.json();
    if (res.ok) setReport(body); else setError(body.message);
  };
  return (
    <div style={{ padding: 24, margin: 24, background: '#fff' }}>
      <h2 style={{ fontSize: 20, marginBottom: 12 }}>Privacy and retention</h2>
      <ul data-testid="retention-policy" style={{ marginBottom: 16, paddingLeft: 20, listStyle: 'disc' }}>{policy.map((p) => <li key={p}>{p}</li>)}</ul>
      <button type="button" onClick={preview} data-testid="retention-preview" style={{ padding: '8px 16px', background: '#3040d6', color: '#fff', border: 0, borderRadius: 4 }}>
        Dry run: what would tonight's job delete?
      </button>
      {error && <p role="alert" style={{ color: '#b42318', marginTop: 12 }}>{error}</p>}
      {report && (
        <div data-testid="retention-report" style={{ marginTop: 16 }}>
          <p>Face templates of {report.templates.length} student(s) would be erased{report.templates.length ? ':' : '.'}</p>
          <ul style={{ paddingLeft: 20, listStyle: 'disc' }}>{report.templates.map((t) => <li key={t.studentId}>{t.name} ({t.templates})</li>)}</ul>
          <p>{report.attendanceRows} attendance mark(s) before {report.attendanceCutoff} would be reduced to monthly totals.</p>
        </div>
      )}
    </div>
  );
};

export default Privacy;
