import { BaseEntity, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { timestampType } from '../db/column-types.js';
import { Student } from './student.entity.js';

export const CONSENT_METHODS = ['paper', 'digital', 'in_person'] as const;
export type ConsentMethod = (typeof CONSENT_METHODS)[number];

/**
 * A record of biometric consent for one student: who gave it (a guardian for a minor), when, how,
 * and under which version of the school's policy. Withdrawal is a timestamp, never a deletion, so
 * the history stays auditable. `students.consent_at` mirrors the current, unwithdrawn consent.
 */
@Entity('consents')
export class Consent extends BaseEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Index('IDX_consents_student')
  @Column({ type: 'integer' })
  studentId!: number;

  @ManyToOne(() => Student, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'student_id' })
  student?: Student;

  @Column({ type: 'varchar', length: 128 })
  givenBy!: string;

  /** e.g. mother, father, guardian, self (adult student). */
  @Column({ type: 'varchar', length: 32 })
  relationship!: string;

  @Column({ type: 'varchar', length: 16 })
  method!: ConsentMethod;

  @Column({ type: 'varchar', length: 32 })
  policyVersion!: string;

  @Column({ type: timestampType })
  givenAt!: Date;

  @Column({ type: timestampType, nullable: true })
  withdrawnAt!: Date | null;

  @Column({ type: 'integer', nullable: true })
  recordedById!: number | null;

  @CreateDateColumn({ type: timestampType })
  createdAt!: Date;
}
