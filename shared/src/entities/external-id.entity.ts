import { BaseEntity, Column, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { timestampType } from '../db/column-types.js';

export const EXTERNAL_KINDS = ['student', 'teacher', 'class', 'lesson'] as const;
export type ExternalKind = (typeof EXTERNAL_KINDS)[number];

/** The id a school system gave a row (OneRoster sourcedId): a re-import updates that row, never adds another. */
@Entity('external_ids')
@Index('UQ_external_ids_kind_source', ['kind', 'sourceId'], { unique: true })
@Index('IDX_external_ids_kind_local', ['kind', 'localId'])
export class ExternalId extends BaseEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'varchar', length: 16 })
  kind!: ExternalKind;

  @Column({ type: 'varchar', length: 255 })
  sourceId!: string;

  /** The id in students, users, class_groups or class_sessions, per kind. */
  @Column({ type: 'integer' })
  localId!: number;

  @UpdateDateColumn({ type: timestampType })
  updatedAt!: Date;
}
