import { BaseEntity, Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { timestampType } from '../db/column-types.js';
import { User } from './user.entity.js';

/** A class (form, homeroom): the roster the timetable and the reports work on. */
@Entity('class_groups')
export class ClassGroup extends BaseEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'varchar', length: 64, unique: true })
  name!: string;

  @Column({ type: 'varchar', length: 255, nullable: true })
  description!: string | null;

  /** The teacher who sees this group's students and attendance. */
  @Column({ type: 'integer', nullable: true })
  teacherId!: number | null;

  @ManyToOne(() => User, { nullable: true, onDelete: 'SET NULL' })
  @JoinColumn({ name: 'teacher_id' })
  teacher?: User | null;

  /** The academic_years row, set when the group's year was rolled over: the group is history (its reports stay; no lessons run). Null: this year's. */
  @Column({ type: 'integer', nullable: true })
  academicYearId!: number | null;

  @CreateDateColumn({ type: timestampType })
  createdAt!: Date;
}
