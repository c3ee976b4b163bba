import React, { useState } from 'react';

/** Every user changes their own password here (admins reset other people's on the user's edit page). */
const Account: React.FC = () => {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    // A typo in a password nobody can see would lock its owner out: ask for it twice.
    if (next !== again) { setMessage({ ok: false, text: 'The two new passwords differ: type the same one twice.' }); return; }
    const res = await fetch('/api/me/password', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ current, next }) });
    const body = await res.json();
    setMessage(res.ok ? { ok: true, text: 'Password changed.' } : { ok: false, text: body.message });
    if (res.ok) { setCurrent(''); setNext(''); setAgain(''); }
  };
  const field = { display: 'block', margin: '6px 0 14px', padding: 8, width: 320, maxWidth: '100%' };
  return (
    <form onSubmit={submit} style={{ padding: 'clamp(12px, 3vw, 24px)', margin: 'clamp(8px, 3vw, 24px)', background: '#fff' }}>
      <h2 style={{ fontSize: 20, marginBottom: 16 }}>Change my password</h2>
      <label>Current password<input type="password" name="current" value={current} onChange={(e) => setCurrent(e.target.value)} style={field} autoComplete="current-password" /></label>
      <label>New password (at least 12 characters)<input type="password" name="next" value={next} onChange={(e) => setNext(e.target.value)} style={field} autoComplete="new-password" /></label>
      <label>New password again<input type="password" name="again" value={again} onChange={(e) => setAgain(e.target.value)} style={field} autoComplete="new-password" /></label>
      <button type="submit" style={{ padding: '8px 16px', background: '#3040d6', color: '#fff', border: 0, borderRadius: 4 }}>Change password</button>
      {message && <p role="status" data-testid="password-result" style={{ marginTop: 12, color: message.ok ? '#067647' : '#b42318' }}>{message.text}</p>}
    </form>
  );
};

export default Account;
