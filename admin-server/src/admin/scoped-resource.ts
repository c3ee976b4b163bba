import { BaseRecord, type ActionContext, type Filter } from 'adminjs';
import { Resource } from '@adminjs/typeorm';
import type { BaseEntity } from 'typeorm';
import type { AdminUser } from './policy.js';

/** Adds server-side conditions to a list/search/count for the user in `context` (e.g. a teacher's groups). */
export type ScopeFn = (filter: Filter, user: AdminUser, context: ActionContext) => void;

export interface ScopedOptions {
  scope?: ScopeFn;
  /** Columns that never leave the server (password and key hashes), whatever the view. */
  hidden?: string[];
}

/**
 * The TypeORM adapter with three additions: row scoping by user (so a teacher's list, search and
 * count only ever contain their own classes), secret columns stripped from every record, and soft
 * delete for entities with a DeleteDateColumn (students keep their attendance history).
 */
export class ScopedResource extends Resource {
  constructor(private readonly entity: typeof BaseEntity, private readonly opts: ScopedOptions = {}) {
    super(entity);
  }

  override async find(filter: Filter, params: unknown, context?: ActionContext): Promise<BaseRecord[]> {
    this.applyScope(filter, context);
    return (await super.find(filter, params)).map((r) => this.strip(r));
  }

  override async count(filter: Filter, context?: ActionContext): Promise<number> {
    this.applyScope(filter, context);
    return super.count(filter);
  }

  override async findOne(id: string | number): Promise<BaseRecord | null> {
    const r = await super.findOne(id);
    return r && this.strip(r);
  }

  override async findMany(ids: Array<string | number>): Promise<BaseRecord[]> {
    return (await super.findMany(ids)).map((r) => this.strip(r));
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

  private applyScope(filter: Filter, context?: ActionContext): void {
    const user = context?.currentAdmin as AdminUser | undefined;
    // AdminJS always passes the context; a call without a user is a programming error, so scope to nothing.
    if (!user) throw new Error(`unscoped query on ${this.id()}`);
    this.opts.scope?.(filter, user, context!);
  }

  private strip(record: BaseRecord): BaseRecord {
    return this.opts.hidden?.length ? new BaseRecord(this.stripParams(record.params), this) : record;
  }

  /** create and update hand back the saved entity, which AdminJS sends to the browser as is. */
  private stripParams(params: Record<string, unknown>): Record<string, unknown> {
    if (!this.opts.hidden?.length) return params;
    const out = { ...params };
    for (const key of this.opts.hidden) delete out[key];
    return out;
  }
}
