import { BaseEntity, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { timestampType } from '../db/column-types.js';
import { ClassGroup } from './class-group.entity.js';

/**
 * `term`: days on which school runs (when any term exists, days outside every term have no lessons).
 * `holiday` and `closure`: no lessons for anyone. `exception`: no lessons for one class group (a trip).
 */
export const CALENDAR_KINDS = ['term', 'holiday', 'closure', 'exception'] as const;
export type CalendarKind = (typeof CALENDAR_KINDS)[number];

/** One entry of the school calendar, covering the days `startDay`…`endDay` (inclusive, school time zone). */
@Entity('calendar_entries')
@Index('IDX_calendar_entries_days', ['startDay', 'endDay'])
export class CalendarEntry extends BaseEntity {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'varchar', length: 16 })
  kind!: CalendarKind;

  @Column({ type: 'varchar', length: 128 })
  name!: string;

  @Column({ type: 'varchar', length: 10 })
  startDay!: string;

  @Column({ type: 'varchar', length: 10 })
  endDay!: string;

  /** Only for `exception`: the class group that has no lessons on these days. */
  @Column({ type: 'integer', nullable: true })
  classGroupId!: number | null;

  @ManyToOne(() => ClassGroup, { nullable: true, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'class_group_id' })
  classGroup?: ClassGroup | null;

  @CreateDateColumn({ type: timestampType })
  createdAt!: Date;
}
