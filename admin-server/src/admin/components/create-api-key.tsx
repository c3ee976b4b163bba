import React, { useState } from 'react';

/** Creates an SIS key and shows it once: only its hash is stored, so it cannot be shown again. */
const CreateApiKey: React.FC = () => {
  const [name, setName] = useState('');
  const [key, setKey] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    const res = await fetch('/api/api-keys', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name }) });
    const body = await res.json();
    if (res.ok) setKey(body.key); else setError(body.message);
  };
  return (
    <form onSubmit={submit} style={{ padding: 24, background: '#fff' }}>
      <label>Name of the school system <input value={name} onChange={(e) => setName(e.target.value)} data-testid="key-name" style={{ marginLeft: 8, padding: 6 }} /></label>
      <button type="submit" disabled={!name || !!key} style={{ marginLeft: 12, padding: '6px 14px' }}>Create key</button>
      {error && <p role="alert" style={{ color: '#b42318' }}>{error}</p>}
      {key && (
        <div style={{ marginTop: 16 }}>
          <p><strong>Copy this key now; it will not be shown again.</strong> Send it as the <code>X-API-Key</code> header.</p>
          <pre data-testid="new-key" style={{ background: '#f4f4f5', padding: 12, userSelect: 'all' }}>{key}</pre>
        </div>
      )}
    </form>
  );
};

export default CreateApiKey;
