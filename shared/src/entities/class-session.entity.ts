import { BaseEntity, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Camera } from './camera.entity.js';
import { ClassGroup } from './class-group.entity.js';

/** A weekly timetable slot: this class group, in front of this camera, on this weekday and time. */
@Entity('class_sessions')
@Index('IDX_class_sessions_camera_weekday', ['cameraId', 'weekday'])
export class ClassSession extends BaseEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'varchar', length: 64, nullable: true })
  subject!: string | null;

  @Column({ type: 'integer' })
  classGroupId!: number;

  @ManyToOne(() => ClassGroup, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'class_group_id' })
  classGroup?: ClassGroup;

  @Column({ type: 'integer', nullable: true })
  cameraId!: number | null;

  @ManyToOne(() => Camera, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'camera_id' })
  camera?: Camera | null;

  /**
   * The room (as in `cameras.room`), for a lesson that names its room rather than a camera: every camera of
   * that room runs it, and its teacher may see and start them. A lesson with a camera runs in front of that one.
   */
  @Column({ type: 'varchar', length: 64, nullable: true })
  room!: string | null;

  /** ISO weekday: 1 = Monday … 7 = Sunday, in the school's time zone. */
  @Column({ type: 'integer' })
  weekday!: number;

  /** `HH:MM`, school time zone. */
  @Column({ type: 'varchar', length: 5 })
  startTime!: string;

  @Column({ type: 'varchar', length: 5 })
  endTime!: string;

  /** A mark later than start + this many minutes is `late`. */
  @Column({ type: 'integer', default: 10 })
  lateAfterMinutes!: number;
}
