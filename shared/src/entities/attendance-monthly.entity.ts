import { BaseEntity, Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * Per student and month, how many marks of each status there were: what is kept of attendance detail
 * once the retention policy deletes the individual rows.
 */
@Entity('attendance_monthly')
@Unique('UQ_attendance_monthly_student_month', ['studentId', 'month'])
export class AttendanceMonthly extends BaseEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'integer' })
  studentId!: number;

  /** `YYYY-MM`, school time zone. */
  @Column({ type: 'varchar', length: 7 })
  month!: string;

  @Column({ type: 'integer', default: 0 })
  present!: number;

  @Column({ type: 'integer', default: 0 })
  late!: number;

  @Column({ type: 'integer', default: 0 })
  absent!: number;

  @Column({ type: 'integer', default: 0 })
  excused!: number;
}
