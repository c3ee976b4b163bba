import type { Metrics } from '../../../observability/metrics.js';
import { buildOpenApi } from '../openapi.js';
import type { HttpRouter } from '../router.js';

export interface HealthProbe { check(): Promise<{ ok: boolean; [k: string]: unknown }> }

export function systemRoutes(router: HttpRouter, deps: { health: HealthProbe; metrics: Metrics; version: string }): void {
  router.get('/health', { public: true }, async () => {
    const h = await deps.health.check();
    return { status: h.ok ? 200 : 503, body: { status: h.ok ? 'ok' : 'degraded', ...h } };
  });
  router.get('/metrics', { roles: ['admin', 'staff'] }, async () => ({
    raw: { contentType: 'text/plain; version=0.0.4; charset=utf-8', data: deps.metrics.render() },
  }));
  const doc = JSON.stringify(buildOpenApi(deps.version));
  router.get('/api/v1/openapi.json', { public: true }, async () => ({ raw: { contentType: 'application/json', data: doc } }));
}
