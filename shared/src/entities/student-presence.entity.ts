import { BaseEntity, Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { timestampType } from '../db/column-types.js';
import { Camera } from './camera.entity.js';
import { Student } from './student.entity.js';

/**
 * When a camera first and last saw a student on a school day, beside the attendance mark (which is
 * written once). Lets a teacher see who left early; the camera is null for laptop-camera sessions.
 */
@Entity('student_presence')
@Unique('UQ_student_presence_student_day_camera', ['studentId', 'day', 'cameraKey'])
export class StudentPresence extends BaseEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'integer' })
  studentId!: number;

  @ManyToOne(() => Student, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'student_id' })
  student?: Student;

  @Column({ type: 'integer', nullable: true })
  cameraId!: number | null;

  @ManyToOne(() => Camera, { nullable: true, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'camera_id' })
  camera?: Camera | null;

  /** The camera id, or 0 for a laptop camera: NULLs are never equal in a unique key, 0 is. */
  @Column({ type: 'integer' })
  cameraKey!: number;

  /** `YYYY-MM-DD` in SCHOOL_TIMEZONE. */
  @Column({ type: 'varchar', length: 10 })
  day!: string;

  @Column({ type: timestampType })
  firstSeenAt!: Date;

  @Column({ type: timestampType })
  lastSeenAt!: Date;
}
