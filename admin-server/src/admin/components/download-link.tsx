import React from 'react';
import type { ActionProps } from 'adminjs';

/** A record action that is a download: the link goes to a server route (`:id` = the record) that checks and audits. */
const DownloadLink: React.FC<ActionProps> = ({ action, record }) => {
  const custom = (action.custom ?? {}) as { href: string; message?: string; button?: string };
  return (
    <div style={{ padding: 24, background: '#fff' }}>
      <p style={{ fontSize: 16, marginBottom: 8 }}><strong>{String(record?.title ?? '')}</strong></p>
      <p style={{ marginBottom: 16 }}>{custom.message}</p>
      <a data-testid="download-link" href={custom.href.replace(':id', String(record?.id))} download
        style={{ padding: '8px 16px', background: '#3040d6', color: '#fff', borderRadius: 4, textDecoration: 'none' }}>
        {custom.button ?? action.label}
      </a>
    </div>
  );
};

export default DownloadLink;
