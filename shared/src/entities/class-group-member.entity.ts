import { BaseEntity, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ClassGroup } from './class-group.entity.js';
import { Student } from './student.entity.js';

/** Who was in an archived class group when its year was rolled over (the current groups read `students`). */
@Entity('class_group_members')
export class ClassGroupMember extends BaseEntity {
  @PrimaryColumn({ type: 'integer' })
  classGroupId!: number;

  @PrimaryColumn({ type: 'integer' })
  studentId!: number;

  @ManyToOne(() => ClassGroup, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'class_group_id' })
  classGroup?: ClassGroup;

  @ManyToOne(() => Student, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'student_id' })
  student?: Student;
}
