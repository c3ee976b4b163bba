import {
  BaseEntity, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique,
} from 'typeorm';
import { realType, timestampType } from '../db/column-types.js';
import { Camera } from './camera.entity.js';
import { ClassGroup } from './class-group.entity.js';
import { ClassSession } from './class-session.entity.js';
import { Student } from './student.entity.js';
import { User } from './user.entity.js';

export const ATTENDANCE_STATUSES = ['present', 'late', 'absent', 'excused'] as const;
export type AttendanceStatus = (typeof ATTENDANCE_STATUSES)[number];
/** `auto`: nobody marked the student by the end of the lesson (ABSENT_AFTER_LESSON_MINUTES); a hand mark corrects it. */
export const ATTENDANCE_SOURCES = ['camera', 'laptop', 'manual', 'api', 'auto'] as const;
export type AttendanceSource = (typeof ATTENDANCE_SOURCES)[number];

/**
 * One attendance mark. `day` is the calendar day in the school's time zone and `slot` names what
 * the mark counts for (`day`, or `session:<id>` while a timetable session runs). The unique key on
 * (student, day, slot) is the final guard: two engines racing for the same student cannot both win.
 */
@Entity('attendance_log')
@Unique('UQ_attendance_student_day_slot', ['studentId', 'day', 'slot'])
@Index('IDX_attendance_day', ['day'])
export class AttendanceLog extends BaseEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'integer' })
  studentId!: number;

  @ManyToOne(() => Student, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'student_id' })
  student?: Student;

  @Column({ type: timestampType })
  markedAt!: Date;

  /** `YYYY-MM-DD` in SCHOOL_TIMEZONE. */
  @Column({ type: 'varchar', length: 10 })
  day!: string;

  @Column({ type: 'varchar', length: 32 })
  slot!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: AttendanceStatus;

  /** Match similarity for automatic marks; null for manual ones. */
  @Column({ type: realType, nullable: true })
  confidence!: number | null;

  @Column({ type: 'varchar', length: 16 })
  source!: AttendanceSource;

  @Column({ type: 'integer', nullable: true })
  cameraId!: number | null;

  @ManyToOne(() => Camera, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'camera_id' })
  camera?: Camera | null;

  @Column({ type: 'integer', nullable: true })
  classSessionId!: number | null;

  @ManyToOne(() => ClassSession, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'class_session_id' })
  classSession?: ClassSession | null;

  /** The student's class group when the mark was made (a database trigger fills it): history survives the year rollover. */
  @Column({ type: 'integer', nullable: true })
  classGroupId!: number | null;

  @ManyToOne(() => ClassGroup, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'class_group_id' })
  classGroup?: ClassGroup | null;

  /** Who marked or corrected it by hand. */
  @Column({ type: 'integer', nullable: true })
  markedById!: number | null;

  @ManyToOne(() => User, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'marked_by_id' })
  markedBy?: User | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  note!: string | null;

  /** For an absence (or excused): an absence_reasons code chosen by the teacher; null otherwise. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  reasonCode!: string | null;

  @CreateDateColumn({ type: timestampType })
  createdAt!: Date;
}
