import { BaseRecord, type ActionContext, type Filter } from 'adminjs';
import { Resource } from '@adminjs/typeorm';
import { And, Equal, In, type BaseEntity, type FindOperator } from 'typeorm';
import { ForbiddenError } from '@attendance/shared';
import { NO_ROWS, rowScope, type AdminUser, type ResourceId } from './policy.js';

/** Adds server-side conditions to a list/search/count for the user in `context` (e.g. a teacher's groups). */
export type ScopeFn = (filter: Filter, user: AdminUser, context: ActionContext) => void;

export interface ScopedOptions {
  /** The policy's name of this resource: its row scope (policy.rowScope) guards findOne/findMany. */
  resourceId: ResourceId;
  scope?: ScopeFn;
  /** Columns that never leave the server (password and key hashes), whatever the view. */
  hidden?: string[];
  /** Columns a teacher sees only redacted (camera credentials), in lists, searches, records and references. */
  redactForTeachers?: Record<string, (value: string) => string>;
}

/**
 * The TypeORM adapter with four additions: row scoping by user in every read (a teacher's list, search,
 * count, record and referenced records only ever contain their own classes), secret columns stripped,
 * credentials redacted for teachers, and soft delete for entities with a DeleteDateColumn (students keep
 * their attendance history). A read without a user is a programming error: it fails closed.
 */
export class ScopedResource extends Resource {
  constructor(private readonly entity: typeof BaseEntity, private readonly opts: ScopedOptions) {
    super(entity);
  }

  override async find(filter: Filter, params: unknown, context?: ActionContext): Promise<BaseRecord[]> {
    const user = this.applyScope(filter, context);
    return (await super.find(filter, params)).map((r) => this.strip(r, user));
  }

  override async count(filter: Filter, context?: ActionContext): Promise<number> {
    this.applyScope(filter, context);
    return super.count(filter);
  }

  override async findOne(id: string | number, context?: ActionContext): Promise<BaseRecord | null> {
    return (await this.findMany([id], context))[0] ?? null;
  }

  override async findMany(ids: Array<string | number>, context?: ActionContext): Promise<BaseRecord[]> {
    const user = this.userOf(context);
    const scope = rowScope(this.opts.resourceId, user);
    const wanted = ids.map(Number).filter((n) => Number.isSafeInteger(n) && n > 0);
    if (scope === NO_ROWS || !wanted.length) return [];
    const pk = this.idName();
    const where: Record<string, unknown> = { ...(scope ?? {}) };
    where[pk] = where[pk] ? And(where[pk] as FindOperator<number>, In(wanted)) : In(wanted);
    const rows = await this.entity.getRepository().findBy(where);
    return rows.map((row) => this.strip(new BaseRecord(row as never, this), user));
  }

  override async create(params: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.stripParams(await super.create(params));
  }

  override async update(pk: string | number, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return this.stripParams(await super.update(pk, params));
  }

  override async delete(pk: string | number): Promise<void> {
    const repo = this.entity.getRepository();
    if (repo.metadata.deleteDateColumn) await repo.softDelete(pk);
    else await super.delete(pk);
  }

  private userOf(context?: ActionContext): AdminUser {
    const user = context?.currentAdmin as AdminUser | undefined;
    // AdminJS always passes the context; a call without a user is a programming error, so scope to nothing.
    if (!user) throw new Error(`unscoped query on ${this.id()}`);
    return user;
  }

  /**
   * The resource's own scope first (it knows its extra filters), then the row scope as a backstop on
   * every key it does not already constrain: a filter the user chose on a scoped key can only narrow it.
   */
  private applyScope(filter: Filter, context?: ActionContext): AdminUser {
    const user = this.userOf(context);
    const scope = rowScope(this.opts.resourceId, user);
    if (scope === NO_ROWS) throw new ForbiddenError(`${user.role} may not read ${this.opts.resourceId}`);
    this.opts.scope?.(filter, user, context!);
    for (const [key, condition] of Object.entries(scope ?? {})) {
      const existing = filter.filters[key] as (Filter['filters'][string] & { custom?: unknown }) | undefined;
      if (existing?.custom !== undefined) continue;
      const chosen = existing ? Number(existing.value) : NaN;
      const custom = Number.isSafeInteger(chosen) ? And(Equal(chosen), condition as FindOperator<number>) : condition;
      filter.filters[key] = { ...(existing ?? { path: key, value: '' }), custom } as unknown as Filter['filters'][string];
    }
    return user;
  }

  private strip(record: BaseRecord, user: AdminUser): BaseRecord {
    const redact = user.role === 'teacher' ? this.opts.redactForTeachers : undefined;
    if (!this.opts.hidden?.length && !redact) return record;
    const params = this.stripParams(record.params);
    for (const [key, fn] of Object.entries(redact ?? {})) if (typeof params[key] === 'string') params[key] = fn(params[key] as string);
    return new BaseRecord(params, this);
  }

  /** create and update hand back the saved entity, which AdminJS sends to the browser as is. */
  private stripParams(params: Record<string, unknown>): Record<string, unknown> {
    const out = { ...params };
    for (const key of this.opts.hidden ?? []) delete out[key];
    return out;
  }
}
