import React, { useEffect } from 'react';
import { useNavigate } from 'react-router-dom';
import { useNotice, type ActionProps } from 'adminjs';

/**
 * The liveness registration: the page at /liveness/register-face in a frame (camera, engine WebSocket,
 * hints, countdown), on its own page titled with the student's name. Success or Cancel return to the
 * student, whose poses then show.
 */
const RegisterFace: React.FC<ActionProps> = ({ record, resource }) => {
  const addNotice = useNotice();
  const navigate = useNavigate();
  const showUrl = `/admin/resources/${resource.id}/records/${record?.id}/show`;
  useEffect(() => {
    const onMessage = (e: MessageEvent) => {
      const data = e.data as { type?: string; outcome?: string; text?: string } | null;
      if (e.origin !== window.location.origin || data?.type !== 'liveness') return;
      if (data.outcome === 'passed') addNotice({ message: data.text ?? 'Face registered', type: 'success' });
      // Success or Cancel return to the student; a failure stays, with its reason and (where it helps) "Try again".
      if (data.outcome === 'passed' || data.outcome === 'cancelled') navigate(showUrl);
    };
    window.addEventListener('message', onMessage);
    return () => window.removeEventListener('message', onMessage);
  }, [showUrl]);
  return (
    <div style={{ padding: 16, background: '#fff' }}>
      <iframe
        title="Register face" data-testid="register-face-frame" allow="camera"
        src={`/liveness/register-face?student=${encodeURIComponent(String(record?.id ?? ''))}`}
        style={{ width: '100%', height: 720, border: 0 }}
      />
    </div>
  );
};

export default RegisterFace;
