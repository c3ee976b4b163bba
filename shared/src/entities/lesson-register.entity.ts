import { BaseEntity, Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { timestampType } from '../db/column-types.js';
import { ClassSession } from './class-session.entity.js';
import { User } from './user.entity.js';

/**
 * The register of one lesson (a timetable session on one day). The marks themselves are attendance_log
 * rows in slot `session:<id>`; this row only says whether the teacher confirmed (locked) them.
 */
@Entity('lesson_registers')
@Unique('UQ_lesson_registers_session_day', ['classSessionId', 'day'])
export class LessonRegister extends BaseEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'integer' })
  classSessionId!: number;

  @ManyToOne(() => ClassSession, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'class_session_id' })
  classSession?: ClassSession;

  /** `YYYY-MM-DD` in SCHOOL_TIMEZONE. */
  @Column({ type: 'varchar', length: 10 })
  day!: string;

  /** Null while the register is open (never confirmed, or reopened by staff). */
  @Column({ type: timestampType, nullable: true })
  confirmedAt!: Date | null;

  @Column({ type: 'integer', nullable: true })
  confirmedById!: number | null;

  @ManyToOne(() => User, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'confirmed_by_id' })
  confirmedBy?: User | null;
}
