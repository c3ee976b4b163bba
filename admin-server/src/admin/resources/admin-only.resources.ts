import type { ActionResponse, RecordJSON, ResourceWithOptions } from 'adminjs';
import type { DataSource } from 'typeorm';
import { ApiKey, AuditLog, revokeApiKey } from '@attendance/shared';
import { describeAudit, loadAuditNames } from '../../services/audit-words.js';
import { postOnly } from '../actions/run-action.js';
import { Components } from '../component-loader.js';
import { ScopedResource } from '../scoped-resource.js';
import { allowed, auditActor, standardActions, userOf } from './common.js';

/** Each listed or shown entry gets its sentence (`summary`), with the names of the people and records it concerns. */
function inWords(ds: DataSource) {
  return async (response: ActionResponse): Promise<ActionResponse> => {
    const records: RecordJSON[] = response.records ?? (response.record ? [response.record] : []);
    const rows = records.map((r) => ({
      action: String(r.params.action), actorId: r.params.actorId == null ? null : Number(r.params.actorId), actorName: (r.params.actorName as string | null) ?? null,
      entity: (r.params.entity as string | null) ?? null, entityId: r.params.entityId == null ? null : String(r.params.entityId), details: (r.params.details as string | null) ?? null,
    }));
    const names = await loadAuditNames(ds, rows);
    records.forEach((r, i) => { r.params.summary = describeAudit(rows[i], names); });
    return response;
  };
}

/** Append-only: no role can create, edit or delete entries (the policy grants only reading). */
export function auditLogResource(ds: DataSource): ResourceWithOptions {
  const words = inWords(ds);
  return {
    resource: new ScopedResource(AuditLog, { resourceId: 'AuditLog' }),
    options: {
      navigation: { name: 'Administration', icon: 'Settings' },
      sort: { sortBy: 'at', direction: 'desc' },
      listProperties: ['summary', 'at', 'ip'],
      showProperties: ['at', 'summary', 'details', 'ip', 'id'],
      filterProperties: ['at', 'actorName', 'action', 'entity', 'entityId'],
      properties: {
        summary: { type: 'string', isSortable: false, isVisible: { list: true, show: true, edit: false, filter: false }, components: { list: Components.AuditDetails } },
        details: { components: { show: Components.AuditDetails } },
      },
      actions: {
        ...standardActions('AuditLog'),
        list: { isAccessible: allowed('AuditLog', 'list'), after: words },
        show: { isAccessible: allowed('AuditLog', 'show'), after: words },
      },
    },
  };
}

/** School-system keys: only the hash is stored, so the key is shown once, by the create action. */
export function apiKeyResource(ds: DataSource): ResourceWithOptions {
  return {
    resource: new ScopedResource(ApiKey, { resourceId: 'ApiKey', hidden: ['keyHash'] }),
    options: {
      id: 'ApiKey',
      navigation: { name: 'Administration', icon: 'Settings' },
      listProperties: ['name', 'prefix', 'scope', 'active', 'lastUsedAt', 'createdAt'],
      showProperties: ['id', 'name', 'prefix', 'scope', 'cameraId', 'active', 'lastUsedAt', 'createdAt'],
      editProperties: ['name', 'active'],
      properties: { keyHash: { isVisible: false } },
      actions: {
        ...standardActions('ApiKey'),
        createKey: {
          actionType: 'resource', icon: 'Key', component: Components.CreateApiKey,
          isAccessible: allowed('ApiKey', 'createKey'),
          handler: async () => ({}),
        },
        revoke: {
          actionType: 'record', icon: 'Slash', variant: 'danger', component: Components.ConfirmAction,
          isAccessible: allowed('ApiKey', 'revoke'),
          isVisible: ({ record }: { record?: { params: Record<string, unknown> } }) => String(record?.params.active) === 'true',
          custom: { message: 'Revoke this key? Every device or system using it is refused from its next request.', button: 'Revoke key' },
          handler: postOnly(async (_request, context) => {
            await revokeApiKey(ds, Number(context.record!.id()), auditActor(userOf(context)));
            return 'Key revoked.';
          }),
        },
      },
    },
  };
}
