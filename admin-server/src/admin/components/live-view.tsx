import React, { useEffect, useState } from 'react';
import { ApiClient, type ActionProps } from 'adminjs';

interface EngineAccess { token: string; engine_url: string }
interface Mark { id: number; studentName: string; status: string; markedAt: string; confidence: number | null }
/** One face as the engine reports it (detections topic, or a laptop-camera result), in frame pixels. */
interface FaceLabel { box: [number, number, number, number]; name: string | null; similarity: number | null; verdict?: string }
interface FaceLabels { faces: FaceLabel[]; width: number; height: number }

/** The engine's HTTP and WebSocket bases for this page; PUBLIC_ENGINE_URL may be a path on the panel's own origin (the default). */
function engineBase(engineUrl: string): { http: string; ws: string } {
  const http = new URL(engineUrl, window.location.href).href.replace(/\/$/, '');
  return { http, ws: http.replace(/^http/, 'ws') };
}

/** Browsers give the camera only to secure pages (https://, or http://localhost on the machine itself). */
const cameraBlockedReason = (): string | null => (window.isSecureContext && typeof navigator.mediaDevices?.getUserMedia === 'function' ? null
  : `This page is not secure (${window.location.origin}), so the browser will not give it the camera. Open the panel at its https:// address, or on the server itself at http://localhost. `
    + 'Administrators: start the panel with TLS_SELF_SIGNED=true (or the school\'s certificate in TLS_CERT_FILE and TLS_KEY_FILE), see "On the school network" in the README.');

/** Engine failure texts a teacher can act on, instead of OpenCV's words. */
function cameraProblem(detail: string | undefined): string {
  const d = detail ?? '';
  if (/open|VideoCapture|capture/i.test(d)) return 'The camera could not be opened: check that it is switched on, on the network, and that its address (source) is right.';
  if (/timeout|no frame|stalled/i.test(d)) return 'The camera stopped sending pictures; the engine keeps trying to reconnect.';
  return d ? `The camera failed: ${d}` : 'The camera failed.';
}

/** Today's marks from this camera, so reopening the page does not start the list at zero. */
async function marksToday(cameraId: number): Promise<Mark[]> {
  const midnight = new Date();
  midnight.setHours(0, 0, 0, 0);
  const res = await new ApiClient().resourceAction({
    resourceId: 'AttendanceLog', actionName: 'list',
    params: { 'filters.cameraId': cameraId, 'filters.markedAt~~from': midnight.toISOString(), perPage: 100, sortBy: 'markedAt', direction: 'desc' },
  });
  return (res.data.records ?? []).map((r: { id: string; params: Record<string, unknown>; populated?: Record<string, { title?: string } | null> }) => ({
    id: Number(r.id), studentName: r.populated?.studentId?.title ?? `#${String(r.params.studentId)}`, status: String(r.params.status),
    markedAt: String(r.params.markedAt), confidence: r.params.confidence === null || r.params.confidence === undefined ? null : Number(r.params.confidence),
  }));
}

/**
 * A camera's live page: the engine's MJPEG preview (boxes drawn by the engine, names written here) beside
 * the students marked today, updating over the engine's WebSocket. The browser talks to the engine with a
 * short-lived token from the admin server (through the admin server's origin by default); a closed socket
 * fetches a fresh token and reconnects.
 */
const LiveView: React.FC<ActionProps> = ({ record, resource }) => {
  const cameraId = Number(record?.id);
  const [access, setAccess] = useState<EngineAccess | null>(null);
  const [state, setState] = useState<string>(String(record?.params.engineState ?? record?.params.status ?? ''));
  const [marks, setMarks] = useState<Mark[]>([]);
  const [notice, setNotice] = useState<{ text: string; bad?: boolean } | null>(null);
  const [labels, setLabels] = useState<FaceLabels | null>(null);
  const imgRef = React.useRef<HTMLImageElement>(null);
  const say = (text: string, bad = false) => setNotice({ text, bad });

  const refreshToken = () => fetch('/api/engine-token').then((r) => r.json()).then(setAccess, (e) => say(`engine token: ${String(e)}`, true));
  useEffect(() => {
    void refreshToken();
    marksToday(cameraId).then((today) => setMarks((live) => [...live, ...today.filter((t) => !live.some((l) => l.id === t.id))]), () => undefined);
  }, []);
  useEffect(() => {
    if (!access) return undefined;
    const url = `${engineBase(access.engine_url).ws}/ws?topics=attendance,camera/${cameraId}/status,camera/${cameraId}/detections`;
    const ws = new WebSocket(url, ['bearer', access.token]);
    let closedByUs = false;
    ws.onmessage = (m) => {
      const { topic, event } = JSON.parse(String(m.data));
      if (topic === 'attendance' && event.cameraId === cameraId) setMarks((ms) => [event as Mark, ...ms.filter((x) => x.id !== event.id)].slice(0, 100));
      else if (topic === `camera/${cameraId}/status`) {
        setState(event.state);
        // A camera that fails after "starting" must not leave the earlier, hopeful notice on screen.
        if (event.state === 'failed') say(cameraProblem(event.detail), true);
        else if (event.state === 'running') say('Detection running: students are marked as they are recognised.');
      } else if (topic === `camera/${cameraId}/detections`) {
        const img = imgRef.current;
        if (img?.naturalWidth) setLabels({ faces: event.faces, width: img.naturalWidth, height: img.naturalHeight });
      }
    };
    ws.onclose = () => { if (!closedByUs) setTimeout(() => { void refreshToken(); }, 2000); };
    return () => { closedByUs = true; ws.close(); };
  }, [access, cameraId]);
  // Labels of a face that left the picture disappear with it.
  useEffect(() => {
    if (!labels) return undefined;
    const t = setTimeout(() => setLabels(null), 1500);
    return () => clearTimeout(t);
  }, [labels]);

  const run = async (actionName: 'startDetection' | 'stopDetection') => {
    const res = await new ApiClient().recordAction({ resourceId: resource.id, recordId: String(cameraId), actionName, method: 'post', data: {} });
    const n = res.data.notice;
    if (n?.message) say(n.message, n.type === 'error');
    // The stream ends when a camera stops; load it again with a fresh token.
    void refreshToken();
  };
  const laptop = useLaptopCamera(access, cameraId, say, setLabels);
  const button = (background: string, disabled = false): React.CSSProperties => ({
    padding: '6px 14px', border: 0, borderRadius: 4, color: '#fff', background, cursor: disabled ? 'not-allowed' : 'pointer', opacity: disabled ? 0.45 : 1,
  });
  // Start while it runs (or Stop while it is stopped) would do nothing: say so by disabling the button.
  const on = ['running', 'starting', 'reconnecting'].includes(state);
  // No fixed height: a portrait camera keeps its shape instead of being squashed into 4:3.
  const media: React.CSSProperties = { display: 'block', width: '100%', height: 'auto', background: '#111' };
  return (
    <div style={{ padding: 'clamp(8px, 3vw, 24px)', background: '#fff', display: 'flex', gap: 24, flexWrap: 'wrap' }}>
      <div style={{ flex: '1 1 320px', minWidth: 0, maxWidth: 640 }}>
        <p style={{ marginBottom: 8 }}>
          <strong>{String(record?.params.name ?? '')}</strong> — <span data-testid="live-state">{state}</span>
        </p>
        <div style={{ marginBottom: 8, display: 'flex', flexWrap: 'wrap', gap: 8 }}>
          <button type="button" data-testid="live-start" disabled={on} style={button('#067647', on)} onClick={() => run('startDetection')}>Start detection</button>
          <button type="button" data-testid="live-stop" disabled={!on} style={button('#b42318', !on)} onClick={() => run('stopDetection')}>Stop detection</button>
          <button type="button" data-testid="laptop-toggle" style={button('#3040d6')} onClick={() => (laptop.active ? laptop.stop() : laptop.start())}>
            {laptop.active ? "Stop this laptop's camera" : "Use this laptop's camera"}
          </button>
        </div>
        <div style={{ position: 'relative' }}>
          {/* The laptop's own camera replaces the room camera's preview while it streams. */}
          <video ref={laptop.videoRef} muted playsInline data-testid="laptop-video" style={{ ...media, display: laptop.active ? 'block' : 'none' }} />
          {access && !laptop.active && (
            <img ref={imgRef} data-testid="live-preview" alt="" style={{ ...media, minHeight: 120 }}
              src={`${engineBase(access.engine_url).http}/stream/${cameraId}?token=${encodeURIComponent(access.token)}`} />
          )}
          <FaceLabelsOverlay labels={labels} boxes={laptop.active} />
        </div>
        {notice && <p role="status" data-testid="live-notice" style={{ marginTop: 8, color: notice.bad ? '#b42318' : '#067647' }}>{notice.text}</p>}
      </div>
      <div style={{ flex: '1 1 260px', minWidth: 0 }}>
        <h3 style={{ fontSize: 16, marginBottom: 8 }}>Marked today ({marks.length})</h3>
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

const LABEL_COLOR = { named: '#3ccc50', other: '#ffbe00', spoof: '#e62828' };

/**
 * Names written over the live picture in the browser's fonts, so "Ana López" or "Dōng Xùjiǒng" read as
 * written (the engine's OpenCV text has ASCII only). The SVG spans the same box as the picture, in the
 * frame's own pixels. `boxes` draws the frames too (laptop mode; the MJPEG has them drawn already).
 */
const FaceLabelsOverlay: React.FC<{ labels: FaceLabels | null; boxes: boolean }> = ({ labels, boxes }) => {
  if (!labels?.width || !labels.height) return null;
  const size = Math.max(14, Math.round(labels.width / 36));
  return (
    <svg data-testid="live-labels" viewBox={`0 0 ${labels.width} ${labels.height}`} preserveAspectRatio="none"
      style={{ position: 'absolute', inset: 0, width: '100%', height: '100%', pointerEvents: 'none' }}>
      {labels.faces.map((f, i) => {
        const [x, y, w, h] = f.box;
        const word = f.verdict === 'low_quality' ? 'low quality' : f.verdict ?? 'unknown';
        const text = f.name ? `${f.name}${f.similarity !== null ? ` ${f.similarity.toFixed(2)}` : ''}` : boxes ? word : null;
        const color = f.name ? LABEL_COLOR.named : f.verdict === 'spoof' ? LABEL_COLOR.spoof : LABEL_COLOR.other;
        return (
          <g key={i}>
            {boxes && <rect x={x} y={y} width={w} height={h} fill="none" stroke={color} strokeWidth={Math.max(2, size / 7)} />}
            {text && (
              <text x={Math.max(0, x)} y={Math.max(size, y - size / 3)} fontSize={size} fill={color} stroke="#000" strokeWidth={size / 6} paintOrder="stroke" fontFamily="system-ui, sans-serif">
                {text}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
};

/** Frames per second sent from the laptop: enough to name a student within seconds, light on the uplink. */
const LAPTOP_FPS = 4;
/** Longer side of the frames sent: the engine's detector works at 640 px. */
const LAPTOP_MAX_SIDE = 640;

/**
 * Laptop-camera mode: the engine opens a session for this camera's room, the browser captures its own
 * camera and sends JPEG frames over the engine's WebSocket; the engine tracks and marks as for any camera,
 * and answers each frame with the faces it saw (written over the video).
 */
function useLaptopCamera(access: EngineAccess | null, cameraId: number, notify: (m: string, bad?: boolean) => void, onFaces: (l: FaceLabels) => void) {
  const videoRef = React.useRef<HTMLVideoElement>(null);
  const stopRef = React.useRef<(() => void) | null>(null);
  const [active, setActive] = useState(false);
  const start = async () => {
    if (!access) return;
    try {
      const blocked = cameraBlockedReason();
      if (blocked) throw new Error(blocked);
      const engine = engineBase(access.engine_url);
      const res = await fetch(`${engine.http}/api/v1/detection/laptop-camera/start`, {
        method: 'POST', headers: { authorization: `Bearer ${access.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ camera_id: cameraId }),
      });
      const body = await res.json();
      if (!res.ok) throw new Error(body.message);
      const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
      const video = videoRef.current!;
      video.srcObject = stream;
      await video.play();
      const ws = new WebSocket(`${engine.ws}${body.ws_path}`, ['bearer', access.token]);
      ws.binaryType = 'arraybuffer';
      // The camera's own shape (a portrait camera stays portrait), at most LAPTOP_MAX_SIDE on the longer side.
      const scale = Math.min(1, LAPTOP_MAX_SIDE / Math.max(video.videoWidth || 640, video.videoHeight || 480));
      const canvas = document.createElement('canvas');
      canvas.width = Math.round((video.videoWidth || 640) * scale);
      canvas.height = Math.round((video.videoHeight || 480) * scale);
      ws.onmessage = (m) => {
        const msg = JSON.parse(String(m.data));
        if (msg.type === 'result') onFaces({ faces: msg.faces, width: canvas.width, height: canvas.height });
      };
      const timer = setInterval(() => {
        if (ws.readyState !== WebSocket.OPEN || ws.bufferedAmount > 0) return; // never queue frames
        canvas.getContext('2d')!.drawImage(video, 0, 0, canvas.width, canvas.height);
        canvas.toBlob((blob) => { if (blob) void blob.arrayBuffer().then((b) => ws.send(b)); }, 'image/jpeg', 0.8);
      }, 1000 / LAPTOP_FPS);
      stopRef.current = () => {
        clearInterval(timer);
        ws.close();
        stream.getTracks().forEach((t) => t.stop());
        void fetch(`${engine.http}/api/v1/detection/laptop-camera/stop`, {
          method: 'POST', headers: { authorization: `Bearer ${access.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ session: body.session }),
        });
      };
      setActive(true);
      notify("Streaming this laptop's camera.");
    } catch (err) {
      notify(`Laptop camera: ${(err as Error).message}`, true);
    }
  };
  const stop = () => { stopRef.current?.(); stopRef.current = null; setActive(false); };
  useEffect(() => () => stopRef.current?.(), []);
  return { videoRef, active, start, stop };
}

export default LiveView;
