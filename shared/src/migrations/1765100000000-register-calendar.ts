import { Table, TableColumn, TableForeignKey, TableIndex, TableUnique, type MigrationInterface, type QueryRunner } from 'typeorm';
import { dialect, timestampType } from '../db/column-types.js';

/** Reasons a school starts with; it edits the list in the panel. */
const DEFAULT_REASONS: [code: string, label: string, excused: boolean][] = [
  ['illness', 'Illness', true],
  ['medical', 'Medical appointment', true],
  ['school_activity', 'School activity', true],
  ['excused', 'Excused by the school', true],
  ['unexcused', 'Unexcused', false],
];

const bool = (name: string, value: boolean) => ({ name, type: 'boolean', default: dialect === 'postgres' ? String(value) : value ? 1 : 0 });

/** The lesson register (confirmation), absence reasons on marks, and the school calendar. */
export class RegisterCalendar1765100000000 implements MigrationInterface {
  name = 'RegisterCalendar1765100000000';

  async up(q: QueryRunner): Promise<void> {
    const fk = (column: string, table: string, onDelete: string) =>
      new TableForeignKey({ columnNames: [column], referencedTableName: table, referencedColumnNames: ['id'], onDelete, onUpdate: 'NO ACTION' });
    const id = { name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' as const };
    await q.createTable(new Table({
      name: 'absence_reasons',
      columns: [id, { name: 'code', type: 'varchar', length: '32', isUnique: true }, { name: 'label', type: 'varchar', length: '64' },
        bool('excused', false), bool('active', true)],
    }));
    await q.manager.createQueryBuilder().insert().into('absence_reasons', ['code', 'label', 'excused', 'active'])
      .values(DEFAULT_REASONS.map(([code, label, excused]) => ({ code, label, excused, active: true }))).execute();
    await q.createTable(new Table({
      name: 'lesson_registers',
      columns: [id, { name: 'class_session_id', type: 'integer' }, { name: 'day', type: 'varchar', length: '10' },
        { name: 'confirmed_at', type: timestampType, isNullable: true }, { name: 'confirmed_by_id', type: 'integer', isNullable: true }],
      foreignKeys: [fk('class_session_id', 'class_sessions', 'CASCADE'), fk('confirmed_by_id', 'users', 'SET NULL')],
      uniques: [new TableUnique({ name: 'UQ_lesson_registers_session_day', columnNames: ['class_session_id', 'day'] })],
    }));
    await q.createTable(new Table({
      name: 'calendar_entries',
      columns: [id, { name: 'kind', type: 'varchar', length: '16' }, { name: 'name', type: 'varchar', length: '128' },
        { name: 'start_day', type: 'varchar', length: '10' }, { name: 'end_day', type: 'varchar', length: '10' },
        { name: 'class_group_id', type: 'integer', isNullable: true },
        { name: 'created_at', type: timestampType, default: dialect === 'postgres' ? 'now()' : "datetime('now')" }],
      foreignKeys: [fk('class_group_id', 'class_groups', 'CASCADE')],
      indices: [new TableIndex({ name: 'IDX_calendar_entries_days', columnNames: ['start_day', 'end_day'] })],
    }));
    await q.addColumn('attendance_log', new TableColumn({ name: 'reason_code', type: 'varchar', length: '32', isNullable: true }));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('attendance_log', 'reason_code');
    for (const t of ['calendar_entries', 'lesson_registers', 'absence_reasons']) await q.dropTable(t);
  }
}
