import type { ResourceWithOptions } from 'adminjs';
import { ApiKey, AuditLog } from '@attendance/shared';
import { Components } from '../component-loader.js';
import { ScopedResource } from '../scoped-resource.js';
import { allowed, standardActions } from './common.js';

/** Append-only: no role can create, edit or delete entries (the policy grants only reading). */
export function auditLogResource(): ResourceWithOptions {
  return {
    resource: new ScopedResource(AuditLog),
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
export function apiKeyResource(): ResourceWithOptions {
  return {
    resource: new ScopedResource(ApiKey, { hidden: ['keyHash'] }),
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
      },
    },
  };
}
