import { BaseEntity, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { timestampType } from '../db/column-types.js';
import { Student } from './student.entity.js';

export const LIVENESS_STATES = ['pending', 'passed', 'failed', 'expired'] as const;
export type LivenessState = (typeof LIVENESS_STATES)[number];

/** A registration attempt: steps done and verdict. Embeddings live in memory only; never frames. */
@Entity('liveness_sessions')
export class LivenessSession extends BaseEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('IDX_liveness_sessions_student')
  @Column({ type: 'integer' })
  studentId!: number;

  @ManyToOne(() => Student, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'student_id' })
  student?: Student;

  @Column({ type: 'integer', nullable: true })
  createdById!: number | null;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: LivenessState;

  /** Steps passed so far, in order, e.g. `center,left`. */
  @Column({ type: 'varchar', length: 64, default: '' })
  stepsDone!: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  failureReason!: string | null;

  @Column({ type: timestampType })
  expiresAt!: Date;

  @Column({ type: timestampType, nullable: true })
  completedAt!: Date | null;

  @CreateDateColumn({ type: timestampType })
  createdAt!: Date;
}
