import { BaseEntity, Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { timestampType } from '../db/column-types.js';

/**
 * A school year that was rolled over (`npm run rollover`): its class groups are filed under it, renamed
 * "<name> (<year>)", with their members as they were; its marks, lessons and reports stay as they were.
 */
@Entity('academic_years')
export class AcademicYear extends BaseEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  /** e.g. `2025-2026`. */
  @Column({ type: 'varchar', length: 32, unique: true })
  name!: string;

  @Column({ type: timestampType })
  archivedAt!: Date;
}
