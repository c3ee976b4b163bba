import express, { Router, type Request } from 'express';
import { ForbiddenError, WebhookDelivery, BadRequestError, type Role } from '@attendance/shared';
import { groupScope, type AdminUser } from '../admin/policy.js';
import { toCsv } from '../services/csv.js';
import { onSiteHtml, type OnSiteService } from '../services/on-site.service.js';
import { REGISTER_COLUMNS, RegisterExportService } from '../services/register-export.service.js';
import type { RosterImportService } from '../services/roster-import.service.js';
import type { YearRolloverService } from '../services/year-rollover.service.js';
import { handle, sessionUser } from './http.js';

/** A roster of a few thousand students as CSV text is well under this. */
const IMPORT_BODY_LIMIT = '10mb';

export interface SchoolDayDeps { roster: RosterImportService; registerExport: RegisterExportService; onSite: OnSiteService; rollover: YearRolloverService; ds: import('typeorm').DataSource }

const only = (req: Request, roles: Role[]): AdminUser => {
  const user = sessionUser(req);
  if (!roles.includes(user.role)) throw new ForbiddenError(`only ${roles.join(' or ')} accounts may do this`);
  return user;
};

/**
 * The panel's JSON routes for import, the register export, the roll call and the webhook log
 * (session cookie; writes pass the CSRF rule in app.ts). Import and webhooks are admin-only.
 */
export function schoolDayRoutes(d: SchoolDayDeps): Router {
  const r = Router();

  /** Body: `{ files: { "users.csv": "…", … }, dryRun: true }`. Errors in rows are a 200 with `errors`, nothing applied. */
  r.post('/roster/import', express.json({ limit: IMPORT_BODY_LIMIT }), handle(async (req, res) => {
    const user = only(req, ['admin']);
    const { files, dryRun } = (req.body ?? {}) as { files?: unknown; dryRun?: unknown };
    if (!files || typeof files !== 'object' || Array.isArray(files) || !Object.values(files).every((v) => typeof v === 'string')) {
      throw new BadRequestError('send { files: { "users.csv": "<csv text>", … }, dryRun: true|false }');
    }
    const names = Object.keys(files).map((n) => n.split(/[\\/]/).pop()!);
    const byName = Object.fromEntries(Object.values(files as Record<string, string>).map((text, i) => [names[i], text]));
    res.json(await d.roster.run(byName, { dryRun: dryRun !== false, actor: { id: user.userId, name: user.email } }));
  }));

  /**
   * The year rollover. Body: `{ year: "2025-2026", mapping?: { "Year 7 A": "Year 8 A", "Year 11 A": null }, leaving?: ["…"],
   * dryRun: true }`; a dry run unless `dryRun: false`. A year already rolled over is a 409.
   */
  r.post('/rollover', express.json({ limit: '1mb' }), handle(async (req, res) => {
    const user = only(req, ['admin']);
    const { year, mapping, leaving, dryRun } = (req.body ?? {}) as Record<string, unknown>;
    const names = (v: unknown) => typeof v === 'string' && v.length <= 64;
    if (typeof year !== 'string') throw new BadRequestError('send { year: "2025-2026", mapping?: { "<class>": "<next class>" | null }, leaving?: ["<class>"], dryRun: true|false }');
    if (mapping !== undefined && (!mapping || typeof mapping !== 'object' || Array.isArray(mapping) || !Object.entries(mapping).every(([k, v]) => names(k) && (v === null || names(v))))) {
      throw new BadRequestError('mapping is { "<class name>": "<next year\'s class name>" or null (leaves) }');
    }
    if (leaving !== undefined && (!Array.isArray(leaving) || !leaving.every(names))) throw new BadRequestError('leaving is a list of class names');
    res.json(await d.rollover.run({ year, mapping: mapping as Record<string, string | null> | undefined, leaving: leaving as string[] | undefined, dryRun: dryRun !== false, actor: { id: user.userId, name: user.email } }));
  }));

  /** Every student of every lesson over a period (teachers: their classes), as CSV. */
  r.get('/register.csv', handle(async (req, res) => {
    const user = sessionUser(req);
    const rows = await d.registerExport.rows(req.query, groupScope(user));
    res.type('text/csv; charset=utf-8').attachment(`register-${String(req.query.from)}-${String(req.query.to)}.csv`)
      .send(toCsv([...REGISTER_COLUMNS], RegisterExportService.cells(rows)));
  }));

  /** Evacuation roll call: JSON, or a printable page with `?format=html`. */
  r.get('/on-site', handle(async (req, res) => {
    const list = await d.onSite.list(groupScope(only(req, ['admin', 'staff', 'teacher'])));
    res.set('cache-control', 'no-store');
    if (req.query.format === 'html') res.type('html').send(onSiteHtml(list));
    else res.json(list);
  }));

  r.get('/webhooks/deliveries', handle(async (req, res) => {
    only(req, ['admin']);
    const rows = await d.ds.getRepository(WebhookDelivery).find({ order: { id: 'DESC' }, take: 200, relations: { endpoint: true } });
    res.json({ data: rows.map(({ endpoint, payload: _p, ...row }) => ({ ...row, endpoint: endpoint?.name ?? null })) });
  }));

  return r;
}
