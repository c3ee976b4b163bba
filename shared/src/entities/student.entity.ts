import {
  BaseEntity, BeforeInsert, BeforeUpdate, Column, CreateDateColumn, DeleteDateColumn, Entity, Index, JoinColumn, ManyToOne,
  PrimaryGeneratedColumn, UpdateDateColumn,
} from 'typeorm';
import { timestampType } from '../db/column-types.js';
import { ClassGroup } from './class-group.entity.js';

@Entity('students')
export class Student extends BaseEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Index('IDX_students_name')
  @Column({ type: 'varchar', length: 128 })
  name!: string;

  @Column({ type: 'varchar', length: 32, unique: true })
  rollNumber!: string;

  @Column({ type: 'integer', nullable: true })
  classGroupId!: number | null;

  @ManyToOne(() => ClassGroup, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'class_group_id' })
  classGroup?: ClassGroup | null;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  /** When the student was deactivated (left the school); the retention clock for templates starts here. */
  @Column({ type: timestampType, nullable: true })
  inactiveSince!: Date | null;

  /** Keeps inactiveSince in step with `active` on every save (AdminJS edits save the entity). */
  @BeforeInsert()
  @BeforeUpdate()
  trackInactive(): void {
    if (this.active === false) this.inactiveSince ??= new Date();
    else if (this.active === true) this.inactiveSince = null;
  }

  /** When biometric consent was recorded; no enrolment without it. */
  @Column({ type: timestampType, nullable: true })
  consentAt!: Date | null;

  /** When the first face template was stored; null while not enrolled. */
  @Column({ type: timestampType, nullable: true })
  enrolledAt!: Date | null;

  @CreateDateColumn({ type: timestampType })
  createdAt!: Date;

  @UpdateDateColumn({ type: timestampType })
  updatedAt!: Date;

  /** Soft delete: the row stays for attendance history. */
  @DeleteDateColumn({ type: timestampType, nullable: true })
  deletedAt!: Date | null;
}
