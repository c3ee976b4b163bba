import type { DataSource } from 'typeorm';
import { writeAudit } from '../audit.js';
import { ApiKey, API_KEY_SCOPES, type ApiKeyScope } from '../entities/api-key.entity.js';
import { Camera } from '../entities/camera.entity.js';
import { BadRequestError, NotFoundError } from '../errors.js';
import { generateApiKey, hashApiKey } from './password.js';

/**
 * What a key may do, by scope: `device` posts frames to the engine's /api/v1/recognize for its one
 * camera (the key fixes the camera; a query cannot change it); `sis` reads the admin server's
 * /api/v1/students and /api/v1/attendance. Nothing else accepts a key.
 */
export const API_KEY_ROUTES: Record<ApiKeyScope, string[]> = {
  device: ['POST /api/v1/recognize (engine), its camera only'],
  sis: ['GET /api/v1/students', 'GET /api/v1/attendance (admin server)'],
};

export interface NewApiKey { name: string; scope: string; cameraId?: number | null }
type Actor = { id: number | null; name: string };

/**
 * Creates a key and returns it once: only its sha256 is stored. A device key is bound to an existing
 * camera. Audited (never the key itself).
 */
export async function createApiKey(ds: DataSource, input: NewApiKey, actor: Actor, ip?: string): Promise<{ id: number; name: string; prefix: string; scope: ApiKeyScope; cameraId: number | null; key: string }> {
  const name = String(input.name ?? '').trim();
  if (!name || name.length > 64) throw new BadRequestError('name the key (1 to 64 characters)');
  const scope = input.scope as ApiKeyScope;
  if (!API_KEY_SCOPES.includes(scope)) throw new BadRequestError(`scope is one of ${API_KEY_SCOPES.join(', ')}`);
  let cameraId: number | null = null;
  if (scope === 'device') {
    cameraId = Number(input.cameraId);
    if (!Number.isSafeInteger(cameraId) || cameraId < 1) throw new BadRequestError('a device key needs the camera it posts for (camera id)');
    if (!(await ds.getRepository(Camera).existsBy({ id: cameraId }))) throw new NotFoundError(`no camera ${cameraId}`);
  }
  const key = generateApiKey();
  const row = await ds.getRepository(ApiKey).save(ds.getRepository(ApiKey).create({ name, keyHash: hashApiKey(key), prefix: key.slice(0, 10), scope, cameraId, active: true }));
  await writeAudit(ds, { action: 'apikey.created', actor, entity: 'api_key', entityId: row.id, details: { name, scope, cameraId }, ip });
  return { id: row.id, name, prefix: row.prefix, scope, cameraId, key };
}

/** Revokes a key at once (the engine re-checks a device key on every request). Audited. */
export async function revokeApiKey(ds: DataSource, id: number, actor: Actor, ip?: string): Promise<void> {
  const row = Number.isSafeInteger(id) ? await ds.getRepository(ApiKey).findOneBy({ id }) : null;
  if (!row) throw new NotFoundError(`no API key ${id}`);
  await ds.getRepository(ApiKey).update(row.id, { active: false });
  await writeAudit(ds, { action: 'apikey.revoked', actor, entity: 'api_key', entityId: row.id, details: { name: row.name, scope: row.scope }, ip });
}
