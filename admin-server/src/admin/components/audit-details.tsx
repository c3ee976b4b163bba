import React from 'react';
import { Label } from '@adminjs/design-system';
import type { BasePropertyProps } from 'adminjs';

/** An audit entry's raw record (action code, record, JSON details) behind a click; in the list, under its sentence. */
const AuditDetails: React.FC<BasePropertyProps> = ({ record, where }) => {
  const p = record?.params ?? {};
  let details = String(p.details ?? '');
  try {
    details = details ? JSON.stringify(JSON.parse(details), null, 2) : '';
  } catch {
    // not JSON: shown as stored
  }
  const raw = [`action: ${p.action}`, p.entity ? `record: ${p.entity}${p.entityId ? ` #${p.entityId}` : ''}` : '', p.actorName ? `actor: ${p.actorName}${p.actorId ? ` (user #${p.actorId})` : ''}` : '', details]
    .filter(Boolean).join('\n');
  const box = (
    // A click on a list row opens the entry: opening the raw entry in the list must not.
    <details data-testid="audit-raw" onClick={(e) => e.stopPropagation()}>
      <summary style={{ cursor: 'pointer', color: '#3040d6' }}>Raw entry</summary>
      <pre style={{ whiteSpace: 'pre-wrap', fontSize: 12, background: '#f4f4f5', padding: 8, margin: '6px 0 0', maxWidth: 520 }}>{raw}</pre>
    </details>
  );
  // In the list the sentence and its raw entry share the first column, so both stay on a phone's screen.
  if (where === 'list') return <div style={{ whiteSpace: 'normal', minWidth: 220, maxWidth: 'min(80vw, 560px)' }}><span>{String(p.summary ?? '')}</span>{box}</div>;
  return <div style={{ marginBottom: 24 }}><Label>Raw entry</Label>{box}</div>;
};

export default AuditDetails;
