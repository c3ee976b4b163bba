import { BaseEntity, Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A reason an absence may carry (illness, school activity, unexcused…), editable by the school.
 * Absences store the `code`, so a reason is retired (active = false), never deleted, and old records keep it.
 */
@Entity('absence_reasons')
export class AbsenceReason extends BaseEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  /** Short stable code, as exported (`illness`, `school_activity`). */
  @Column({ type: 'varchar', length: 32, unique: true })
  code!: string;

  @Column({ type: 'varchar', length: 64 })
  label!: string;

  /** An absence with this reason is `excused` (not counted against the attendance rate). */
  @Column({ type: 'boolean', default: false })
  excused!: boolean;

  @Column({ type: 'boolean', default: true })
  active!: boolean;
}
