import type { ResourceWithOptions } from 'adminjs';
import type { DataSource } from 'typeorm';
import { ApiKey, AuditLog, revokeApiKey } from '@attendance/shared';
import { postOnly } from '../actions/run-action.js';
import { Components } from '../component-loader.js';
import { ScopedResource } from '../scoped-resource.js';
import { allowed, auditActor, standardActions, userOf } from './common.js';

/** Append-only: no role can create, edit or delete entries (the policy grants only reading). */
export function auditLogResource(): ResourceWithOptions {
  return {
    resource: new ScopedResource(AuditLog, { resourceId: 'AuditLog' }),
    options: {
      navigation: { name: 'Administration', icon: 'Settings' },
      sort: { sortBy: 'at', direction: 'desc' },
      listProperties: ['at', 'actorName', 'action', 'entity', 'entityId', 'ip'],
      filterProperties: ['at', 'actorName', 'action', 'entity', 'entityId'],
      properties: { details: { type: 'textarea' } },
      actions: standardActions('AuditLog'),
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
