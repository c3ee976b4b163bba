import React, { useState } from 'react';

/**
 * Creates an API key and shows it once: only its hash is stored, so it cannot be shown again.
 * A device key posts frames for one camera; an SIS key reads students and attendance.
 */
const CreateApiKey: React.FC = () => {
  const [name, setName] = useState('');
  const [scope, setScope] = useState<'device' | 'sis'>('device');
  const [cameraId, setCameraId] = useState('');
  const [key, setKey] = useState<{ key: string; may_call: string[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    const res = await fetch('/api/api-keys', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name, scope, camera_id: scope === 'device' ? cameraId : undefined }),
    });
    const body = await res.json();
    if (res.ok) setKey(body); else setError(body.message);
  };
  const field = { marginLeft: 8, padding: 6 };
  return (
    <form onSubmit={submit} style={{ padding: 24, background: '#fff', display: 'grid', gap: 12, maxWidth: 640 }}>
      <label>Name <input value={name} onChange={(e) => setName(e.target.value)} data-testid="key-name" style={field} /></label>
      <label>Scope{' '}
        <select value={scope} onChange={(e) => setScope(e.target.value as 'device' | 'sis')} data-testid="key-scope" style={field}>
          <option value="device">device: posts frames for one camera</option>
          <option value="sis">sis: reads students and attendance</option>
        </select>
      </label>
      {scope === 'device' && (
        <label>Camera id <input value={cameraId} onChange={(e) => setCameraId(e.target.value)} inputMode="numeric" data-testid="key-camera" style={field} /></label>
      )}
      <div><button type="submit" disabled={!name || !!key || (scope === 'device' && !cameraId)} style={{ padding: '6px 14px' }}>Create key</button></div>
      {error && <p role="alert" style={{ color: '#b42318' }}>{error}</p>}
      {key && (
        <div>
          <p><strong>Copy this key now; it will not be shown again.</strong> Send it as the <code>X-API-Key</code> header. It may call: {key.may_call.join('; ')}.</p>
          <pre data-testid="new-key" style={{ background: '#f4f4f5', padding: 12, userSelect: 'all' }}>{key.key}</pre>
        </div>
      )}
    </form>
  );
};

export default CreateApiKey;
