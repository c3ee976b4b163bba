import { BaseEntity, Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { timestampType } from '../db/column-types.js';

/** Who did what to which record. Append-only: nothing updates or deletes these rows. */
@Entity('audit_log')
@Index('IDX_audit_log_at', ['at'])
export class AuditLog extends BaseEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: timestampType })
  at!: Date;

  @Column({ type: 'integer', nullable: true })
  actorId!: number | null;

  /** Kept as text so the entry survives the user's deletion. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  actorName!: string | null;

  @Index('IDX_audit_log_action')
  @Column({ type: 'varchar', length: 64 })
  action!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  entity!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  entityId!: string | null;

  /** JSON text: what changed, filters of an export, the outcome. */
  @Column({ type: 'text', nullable: true })
  details!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;
}
