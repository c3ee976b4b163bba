import type { Action, ActionContext, ActionRequest, ActionResponse, CurrentAdmin, Filter } from 'adminjs';
import { In } from 'typeorm';
import { can, groupScope, nonEmpty, type AdminUser, type ResourceId } from '../policy.js';

/** AdminJS types built-in and custom actions as a union that an object holding both cannot satisfy. */
export type Actions = Record<string, Partial<Action<ActionResponse>>>;

export const userOf = (context: ActionContext): AdminUser => context.currentAdmin as unknown as AdminUser;

export function allowed(resource: ResourceId, action: string) {
  return ({ currentAdmin }: { currentAdmin?: CurrentAdmin }) => can(currentAdmin as AdminUser | undefined, resource, action);
}

/** `isAccessible` for the built-in actions, from the policy table. */
export function standardActions(resource: ResourceId): Actions {
  const names = ['list', 'show', 'search', 'new', 'edit', 'delete', 'bulkDelete'];
  return Object.fromEntries(names.map((n) => [n, { isAccessible: allowed(resource, n) }]));
}

/**
 * Restricts `key` to `ids` (null = no restriction). A filter the user chose on the same key is
 * kept when it lies inside the scope, and matches nothing otherwise.
 */
export function restrictFilter(filter: Filter, key: string, ids: number[] | null): void {
  const existing = filter.filters[key] as (Filter['filters'][string] & { scoped?: boolean }) | undefined;
  // AdminJS passes the same filter to find and then count: scope it once.
  if (ids === null || existing?.scoped) return;
  const chosen = existing ? Number(existing.value) : null;
  const custom = chosen === null ? In(nonEmpty(ids)) : ids.includes(chosen) ? chosen : -1;
  filter.filters[key] = { ...(existing ?? { path: key, value: String(custom) }), custom, scoped: true } as unknown as Filter['filters'][string];
}

export const groupScoped = (key: string) => (filter: Filter, user: AdminUser) => restrictFilter(filter, key, groupScope(user));

/**
 * A "new" form leaves an unticked box out of its POST, so the column's default won: an unticked "Active"
 * made an active student. What the form showed is what is saved.
 */
export const uncheckedIsFalse = (...keys: string[]) => async (request: ActionRequest): Promise<ActionRequest> => {
  if (request.method !== 'post') return request;
  const payload: Record<string, unknown> = { ...(request.payload ?? {}) };
  for (const k of keys) if (payload[k] === undefined || payload[k] === '') payload[k] = false;
  return { ...request, payload };
};

/** The POST body of a form action; AdminJS sends every value as a string. */
export function payloadOf(request: ActionRequest): Record<string, unknown> {
  return (request.payload ?? {}) as Record<string, unknown>;
}

export const auditActor = (u: AdminUser) => ({ id: u.userId, name: u.email });
