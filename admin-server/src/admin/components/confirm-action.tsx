import React, { useState } from 'react';
import { ApiClient, type ActionProps } from 'adminjs';

/**
 * Confirm screen for record actions that change something (biometric deletion, consent, detection start/stop),
 * with optional form fields posted as the action's payload:
 * the work happens on a POST from this button, never on the GET that renders the page.
 */
const ConfirmAction: React.FC<ActionProps> = ({ action, resource, record }) => {
  const [state, setState] = useState<{ busy: boolean; message?: string; type?: string }>({ busy: false });
  const custom = (action.custom ?? {}) as { message?: string; button?: string; fields?: Array<{ name: string; label: string; options?: string[] }> };
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries((custom.fields ?? []).map((f) => [f.name, f.options?.[0] ?? ''])));
  const run = async () => {
    setState({ busy: true });
    try {
      const res = await new ApiClient().recordAction({ resourceId: resource.id, recordId: String(record?.id), actionName: action.name, method: 'post', data: values });
      const notice = res.data.notice;
      setState({ busy: false, message: notice?.message ?? 'Done.', type: notice?.type ?? 'success' });
    } catch (err) {
      setState({ busy: false, message: `Request failed: ${(err as Error).message}`, type: 'error' });
    }
  };
  const color = state.type === 'error' ? '#b42318' : '#067647';
  return (
    <div style={{ padding: 24, background: '#fff' }}>
      <p style={{ fontSize: 16, marginBottom: 8 }}><strong>{String(record?.title ?? '')}</strong></p>
      <p style={{ marginBottom: 16 }}>{custom.message}</p>
      {(custom.fields ?? []).map((f) => (
        <label key={f.name} style={{ display: 'block', marginBottom: 12 }}>
          <span style={{ display: 'block', marginBottom: 4 }}>{f.label}</span>
          {f.options
            ? <select name={f.name} value={values[f.name]} onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}>
                {f.options.map((o) => <option key={o} value={o}>{o}</option>)}
              </select>
            : <input name={f.name} value={values[f.name]} onChange={(e) => setValues({ ...values, [f.name]: e.target.value })} style={{ width: 320, padding: 4 }} />}
        </label>
      ))}
      <button type="button" data-testid="confirm-action" disabled={state.busy} onClick={run}
        style={{ padding: '8px 16px', background: action.variant === 'danger' ? '#b42318' : '#3040d6', color: '#fff', border: 0, borderRadius: 4, cursor: 'pointer' }}>
        {state.busy ? 'Working…' : custom.button ?? action.label}
      </button>
      {state.message && <p data-testid="action-result" role="status" style={{ marginTop: 16, color }}>{state.message}</p>}
    </div>
  );
};

export default ConfirmAction;
