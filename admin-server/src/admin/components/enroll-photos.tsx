import React, { useState } from 'react';
import type { ActionProps } from 'adminjs';

interface Result { templates: number; rejected: { index: number; reasons: string[] }[] }

/** The engine's rejection codes as sentences staff can act on. */
const REASONS: Record<string, string> = {
  no_face: 'no face found', multiple_faces: 'more than one face: use a photo of this student alone', too_small: 'the face is too small: use a closer photo',
  too_blurry: 'too blurry', too_dark: 'too dark', too_bright: 'too bright', pose_too_large: 'the face is turned away: use a photo facing the camera',
  not_an_image: 'not a JPEG or PNG photo', different_person: 'a different person from the other photos', duplicate: 'this face is already registered to another student',
};

const toBase64 = (file: File) => new Promise<string>((resolve, reject) => {
  const reader = new FileReader();
  reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
  reader.onerror = () => reject(reader.error ?? new Error('could not read the file'));
  reader.readAsDataURL(file);
});

/** Upload several photos of one student; the engine keeps the good ones and says why it refused the others. */
const EnrollPhotos: React.FC<ActionProps> = ({ record }) => {
  const [files, setFiles] = useState<File[]>([]);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Result | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true); setError(null); setResult(null);
    try {
      const photos = await Promise.all(files.map(toBase64));
      const res = await fetch(`/api/students/${record?.id}/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ photos }) });
      const body = await res.json();
      if (!res.ok) setError(body.message ?? `failed (${res.status})`); else setResult(body as Result);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} style={{ padding: 24, background: '#fff' }}>
      <p style={{ marginBottom: 12 }}>Choose 1–10 clear photos of <strong>{String(record?.title ?? '')}</strong>, one face each, facing the camera.</p>
      <input type="file" accept="image/jpeg,image/png" multiple data-testid="enroll-files" onChange={(e) => setFiles(Array.from(e.target.files ?? []))} />
      <div style={{ marginTop: 16 }}>
        <button type="submit" disabled={busy || !files.length} style={{ padding: '8px 16px', background: '#3040d6', color: '#fff', border: 0, borderRadius: 4 }}>
          {busy ? 'Enrolling…' : `Enroll ${files.length} photo(s)`}
        </button>
      </div>
      {error && <p role="alert" data-testid="enroll-error" style={{ color: '#b42318', marginTop: 16 }}>{error}</p>}
      {result && (
        <div data-testid="enroll-result" style={{ marginTop: 16 }}>
          <p>{result.templates} photo(s) used for face recognition.</p>
          {result.rejected.length > 0 && (
            <ul>{result.rejected.map((r) => <li key={r.index}>{files[r.index]?.name ?? `photo ${r.index + 1}`}: {r.reasons.map((c) => REASONS[c] ?? c.replace(/_/g, ' ')).join('; ')}</li>)}</ul>
          )}
        </div>
      )}
    </form>
  );
};

export default EnrollPhotos;
