import { BaseEntity, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { bytesType, realType, timestampType } from '../db/column-types.js';
import { Student } from './student.entity.js';

export const TEMPLATE_POSES = ['center', 'left', 'right', 'upload'] as const;
export type TemplatePose = (typeof TEMPLATE_POSES)[number];

/**
 * One stored embedding, encrypted at rest (AES-256-GCM). The id is chosen before encryption
 * because it is part of the authenticated data: a row copied to another student fails to decrypt.
 */
@Entity('face_templates')
export class FaceTemplate extends BaseEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index('IDX_face_templates_student')
  @Column({ type: 'integer' })
  studentId!: number;

  @ManyToOne(() => Student, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'student_id' })
  student?: Student;

  @Column({ type: 'varchar', length: 16 })
  pose!: TemplatePose;

  /** Which embedding model made the vector; vectors of different models never mix. */
  @Column({ type: 'varchar', length: 64 })
  modelId!: string;

  @Column({ type: realType, nullable: true })
  quality!: number | null;

  /** Which key encrypted it, so rotation can find what is left to re-encrypt. */
  @Column({ type: 'varchar', length: 32 })
  keyId!: string;

  /** iv (12 bytes) | auth tag (16 bytes) | ciphertext of the float32 vector. */
  @Column({ type: bytesType })
  ciphertext!: Buffer;

  @CreateDateColumn({ type: timestampType })
  createdAt!: Date;
}
