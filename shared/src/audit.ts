import type { DataSource, EntityManager } from 'typeorm';
import { AuditLog } from './entities/audit-log.entity.js';

export interface AuditEntry {
  action: string;
  actor?: { id: number | null; name: string | null } | null;
  entity?: string;
  entityId?: string | number;
  details?: Record<string, unknown>;
  ip?: string | null;
}

/** Appends one audit row. Pass the transaction's manager so the entry commits with the change. */
export async function writeAudit(db: DataSource | EntityManager, e: AuditEntry, at = new Date()): Promise<void> {
  await db.getRepository(AuditLog).insert({
    at,
    action: e.action,
    actorId: e.actor?.id ?? null,
    actorName: e.actor?.name ?? null,
    entity: e.entity ?? null,
    entityId: e.entityId === undefined ? null : String(e.entityId),
    details: e.details ? JSON.stringify(e.details) : null,
    ip: e.ip ?? null,
  });
}
