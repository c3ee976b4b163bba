import type { ActionContext, ActionRequest, ActionResponse, RecordJSON, ResourceWithOptions } from 'adminjs';
import { ValidationError } from 'adminjs';
import type { DataSource } from 'typeorm';
import { ROLES, User, hashPassword, writeAudit } from '@attendance/shared';
import { ScopedResource } from '../scoped-resource.js';
import { allowed, auditActor, payloadOf, standardActions, userOf } from './common.js';

export const MIN_PASSWORD_LENGTH = 12;

type UserContext = ActionContext & { previous?: User };

/** Turns the write-only `newPassword` field into a hash and refuses to lock the acting admin out. */
function prepare(ds: DataSource, creating: boolean) {
  return async (request: ActionRequest, context: UserContext): Promise<ActionRequest> => {
    if (request.method !== 'post') return request;
    const p = { ...payloadOf(request) };
    const password = typeof p.newPassword === 'string' ? p.newPassword : '';
    delete p.newPassword;
    delete p.passwordHash;
    if (creating && !password) throw new ValidationError({ newPassword: { message: 'a password is required' } });
    if (password && password.length < MIN_PASSWORD_LENGTH) throw new ValidationError({ newPassword: { message: `at least ${MIN_PASSWORD_LENGTH} characters` } });
    if (password) p.passwordHash = await hashPassword(password);
    if (typeof p.username === 'string') p.username = p.username.trim().toLowerCase();
    if (!creating) {
      context.previous = (await ds.getRepository(User).findOneBy({ id: Number(context.record!.id()) })) ?? undefined;
      const self = userOf(context).userId === context.previous?.id;
      if (self && (String(p.active) === 'false' || (p.role !== undefined && p.role !== 'admin'))) {
        throw new ValidationError({ role: { message: 'you cannot demote or deactivate yourself' } });
      }
    }
    return { ...request, payload: p };
  };
}

/** AdminJS echoes the submitted form back in the record: take the hash out of it. */
async function dropHash(response: ActionResponse): Promise<ActionResponse> {
  const params = (response.record as RecordJSON | undefined)?.params;
  if (params) delete params.passwordHash;
  return response;
}

/** Audits role changes, (de)activation and password resets; never the password itself. */
function audit(ds: DataSource, action: 'user.created' | 'user.updated') {
  return async (response: ActionResponse, request: ActionRequest, context: UserContext): Promise<ActionResponse> => {
    const rec = response.record as RecordJSON | undefined;
    if (request.method !== 'post' || !rec?.id || (rec.errors && Object.keys(rec.errors).length)) return response;
    const before = context.previous;
    const details: Record<string, unknown> = { username: rec.params.username, role: rec.params.role, active: rec.params.active };
    if (before) {
      details.roleChanged = before.role !== rec.params.role ? { from: before.role, to: rec.params.role } : undefined;
      details.activeChanged = String(before.active) !== String(rec.params.active) ? { to: rec.params.active } : undefined;
    }
    details.passwordReset = Boolean(payloadOf(request).passwordHash);
    await writeAudit(ds, { action, actor: auditActor(userOf(context)), entity: 'user', entityId: rec.id, details });
    return response;
  };
}

export function userResource(ds: DataSource): ResourceWithOptions {
  return {
    resource: new ScopedResource(User, { resourceId: 'User', hidden: ['passwordHash'] }),
    options: {
      navigation: { name: 'Administration', icon: 'Settings' },
      sort: { sortBy: 'username', direction: 'asc' },
      listProperties: ['username', 'displayName', 'role', 'active', 'lastLoginAt'],
      showProperties: ['id', 'username', 'displayName', 'role', 'active', 'lastLoginAt', 'createdAt', 'updatedAt'],
      editProperties: ['username', 'displayName', 'role', 'active', 'newPassword'],
      filterProperties: ['username', 'displayName', 'role', 'active'],
      properties: {
        username: { isTitle: true },
        passwordHash: { isVisible: false },
        newPassword: { type: 'password', description: `set or reset the password (at least ${MIN_PASSWORD_LENGTH} characters); empty keeps it`, isVisible: { list: false, show: false, filter: false, edit: true } },
        role: { availableValues: ROLES.map((r) => ({ value: r, label: r })) },
      },
      actions: {
        ...standardActions('User'),
        new: { isAccessible: allowed('User', 'new'), before: prepare(ds, true), after: [audit(ds, 'user.created'), dropHash] },
        edit: { isAccessible: allowed('User', 'edit'), before: prepare(ds, false), after: [audit(ds, 'user.updated'), dropHash] },
      },
    },
  };
}
