import React, { useEffect, useState } from 'react';
import { ApiClient, type ActionProps } from 'adminjs';

interface EngineAccess { token: string; engine_url: string }
interface Mark { id: number; studentName: string; status: string; markedAt: string; confidence: number | null }

/**
 * A camera's live page: the engine's MJPEG preview (boxes and names drawn by the engine) beside the
 * students marked, updating over the engine's WebSocket. The browser talks to the engine directly with a
 * short-lived token from the admin server; a closed socket fetches a fresh token and reconnects.
 */
const LiveView: React.FC<ActionProps> = ({ record, resource }) => {
  const cameraId = Number(record?.id);
  const [access, setAccess] = useState<EngineAccess | null>(null);
  const [state, setState] = useState<string>(String(record?.params.engineState ?? record?.params.status ?? ''));
  const [marks, setMarks] = useState<Mark[]>([]);
  const [notice, setNotice] = useState<string | null>(null);

  const refreshToken = () => fetch('/api/engine-token').then((r) => r.json()).then(setAccess, (e) => setNotice(`engine token: ${String(e)}`));
  useEffect(() => { void refreshToken(); }, []);
  useEffect(() => {
    if (!access) return undefined;
    const url = `${access.engine_url.replace(/^http/, 'ws')}/ws?topics=attendance,camera/${cameraId}/status`;
    const ws = new WebSocket(url, ['bearer', access.token]);
    let closedByUs = false;
    ws.onmessage = (m) => {
      const { topic, event } = JSON.parse(String(m.data));
      if (topic === 'attendance' && event.cameraId === cameraId) setMarks((ms) => [event as Mark, ...ms].slice(0, 100));
      else if (topic === `camera/${cameraId}/status`) setState(event.state);
    };
    ws.onclose = () => { if (!closedByUs) setTimeout(() => { void refreshToken(); }, 2000); };
    return () => { closedByUs = true; ws.close(); };
  }, [access, cameraId]);

  const run = async (actionName: 'startDetection' | 'stopDetection') => {
    const res = await new ApiClient().recordAction({ resourceId: resource.id, recordId: String(cameraId), actionName, method: 'post', data: {} });
    setNotice(res.data.notice?.message ?? null);
    // The stream ends when a camera stops; load it again with a fresh token.
    void refreshToken();
  };
  const laptop = useLaptopCamera(access, cameraId, setNotice);
  const button = { padding: '6px 14px', marginRight: 8, border: 0, borderRadius: 4, color: '#fff', cursor: 'pointer' };
  return (
    <div style={{ padding: 24, background: '#fff', display: 'flex', gap: 24, flexWrap: 'wrap' }}>
      <div>
        <p style={{ marginBottom: 8 }}>
          <strong>{String(record?.params.name ?? '')}</strong> — <span data-testid="live-state">{state}</span>
        </p>
        <div style={{ marginBottom: 8 }}>
          <button type="button" data-testid="live-start" style={{ ...button, background: '#067647' }} onClick={() => run('startDetection')}>Start</button>
          <button type="button" data-testid="live-stop" style={{ ...button, background: '#b42318' }} onClick={() => run('stopDetection')}>Stop</button>
          <button type="button" data-testid="laptop-toggle" style={{ ...button, background: '#3040d6' }} onClick={() => (laptop.active ? laptop.stop() : laptop.start())}>
            {laptop.active ? "Stop this laptop's camera" : "Use this laptop's camera"}
          </button>
        </div>
        {/* The laptop's own camera replaces the room camera's preview while it streams. */}
        <video ref={laptop.videoRef} muted playsInline data-testid="laptop-video" width={640} height={480} style={{ display: laptop.active ? 'block' : 'none', background: '#111' }} />
        {access && !laptop.active && (
          <img data-testid="live-preview" alt="live preview" width={640} height={480} style={{ background: '#111', maxWidth: '100%' }}
            src={`${access.engine_url}/stream/${cameraId}?token=${encodeURIComponent(access.token)}`} />
        )}
        {notice && <p role="status" style={{ marginTop: 8 }}>{notice}</p>}
      </div>
      <div style={{ minWidth: 280 }}>
        <h3 style={{ fontSize: 16, marginBottom: 8 }}>Marked now ({marks.length})</h3>
        <ul data-testid="live-marks">
          {marks.map((m) => (
            <li key={m.id} style={{ padding: '4px 0', borderBottom: '1px solid #eee' }}>
              {new Date(m.markedAt).toLocaleTimeString()} — <strong>{m.studentName}</strong> {m.status}
              {m.confidence !== null ? ` (${m.confidence.toFixed(2)})` : ''}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
};

/** Frames per second sent from the laptop: enough to name a student within seconds, light on the uplink. */
const LAPTOP_FPS = 4;

/**
 * Laptop-camera mode: the engine opens a session for this camera's room, the browser captures its own
 * camera and sends JPEG frames over the engine's WebSocket; the engine tracks and marks as for any camera.
 */
function useLaptopCamera(access: EngineAccess | null, cameraId: number, notify: (m: string) => void) {
  const videoRef = React.useRef<HTMLVideoElement>(null);
  const stopRef = React.useRef<(() => void) | null>(null);
  const [active, setActive] = useState(false);
  const start = async () => {
    if (!access) return;
    try {
      const res = await fetch(`${access.engine_url}/api/v1/detection/laptop-camera/start`, {
        method: 'POST', headers: { authorization: `Bearer ${access.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ camera_id: cameraId }),
      });
      const body = await res.json();
      if (!res.ok) throw new Error(body.message);
      const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
      const video = videoRef.current!;
      video.srcObject = stream;
      await video.play();
      const ws = new WebSocket(`${access.engine_url.replace(/^http/, 'ws')}${body.ws_path}`, ['bearer', access.token]);
      ws.binaryType = 'arraybuffer';
      const canvas = document.createElement('canvas');
      canvas.width = 640;
      canvas.height = 480;
      const timer = setInterval(() => {
        if (ws.readyState !== WebSocket.OPEN || ws.bufferedAmount > 0) return; // never queue frames
        canvas.getContext('2d')!.drawImage(video, 0, 0, 640, 480);
        canvas.toBlob((blob) => { if (blob) void blob.arrayBuffer().then((b) => ws.send(b)); }, 'image/jpeg', 0.8);
      }, 1000 / LAPTOP_FPS);
      stopRef.current = () => {
        clearInterval(timer);
        ws.close();
        stream.getTracks().forEach((t) => t.stop());
        void fetch(`${access.engine_url}/api/v1/detection/laptop-camera/stop`, {
          method: 'POST', headers: { authorization: `Bearer ${access.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ session: body.session }),
        });
      };
      setActive(true);
      notify("Streaming this laptop's camera.");
    } catch (err) {
      notify(`Laptop camera: ${(err as Error).message}`);
    }
  };
  const stop = () => { stopRef.current?.(); stopRef.current = null; setActive(false); };
  useEffect(() => () => stopRef.current?.(), []);
  return { videoRef, active, start, stop };
}

export default LiveView;
