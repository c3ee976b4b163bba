import { Table, TableForeignKey, TableIndex, TableUnique, type MigrationInterface, type QueryRunner, type TableColumnOptions } from 'typeorm';
import { bytesType, dialect, realType, timestampType } from '../db/column-types.js';

/**
 * The first schema, written with TypeORM's Table API so one migration serves SQLite and PostgreSQL.
 * A test checks that the entities and this migration agree (no pending schema change).
 */
const id = (): TableColumnOptions => ({ name: 'id', type: 'integer', isPrimary: true, isGenerated: true, generationStrategy: 'increment' });
const uuid = (): TableColumnOptions => ({ name: 'id', type: 'varchar', length: '36', isPrimary: true });
const str = (name: string, length: number, extra: Partial<TableColumnOptions> = {}): TableColumnOptions =>
  ({ name, type: 'varchar', length: String(length), ...extra });
const int = (name: string, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({ name, type: 'integer', ...extra });
const bool = (name: string, value: boolean): TableColumnOptions =>
  ({ name, type: 'boolean', default: dialect === 'postgres' ? String(value) : value ? 1 : 0 });
const real = (name: string, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({ name, type: realType, ...extra });
const ts = (name: string, isNullable = false): TableColumnOptions => ({ name, type: timestampType, isNullable });
const createdAt = (name = 'created_at'): TableColumnOptions =>
  ({ name, type: timestampType, default: dialect === 'postgres' ? 'now()' : "datetime('now')" });
const fk = (columnName: string, table: string, onDelete: 'CASCADE' | 'SET NULL') =>
  new TableForeignKey({ columnNames: [columnName], referencedTableName: table, referencedColumnNames: ['id'], onDelete, onUpdate: 'NO ACTION' });
const nullable = { isNullable: true };

export class InitialSchema1763800000000 implements MigrationInterface {
  name = 'InitialSchema1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(new Table({
      name: 'users',
      columns: [id(), str('username', 64, { isUnique: true }), str('display_name', 128, nullable), str('password_hash', 255),
        str('role', 16), bool('active', true), ts('last_login_at', true), createdAt(), createdAt('updated_at')],
    }));
    await q.createTable(new Table({
      name: 'class_groups',
      columns: [id(), str('name', 64, { isUnique: true }), str('description', 255, nullable), int('teacher_id', nullable), createdAt()],
      foreignKeys: [fk('teacher_id', 'users', 'SET NULL')],
    }));
    await q.createTable(new Table({
      name: 'students',
      columns: [id(), str('name', 128), str('roll_number', 32, { isUnique: true }), int('class_group_id', nullable), bool('active', true),
        ts('consent_at', true), ts('enrolled_at', true), createdAt(), createdAt('updated_at'), ts('deleted_at', true)],
      foreignKeys: [fk('class_group_id', 'class_groups', 'SET NULL')],
      indices: [new TableIndex({ name: 'IDX_students_name', columnNames: ['name'] })],
    }));
    await q.createTable(new Table({
      name: 'face_templates',
      columns: [uuid(), int('student_id'), str('pose', 16), str('model_id', 64), real('quality', nullable), str('key_id', 32),
        { name: 'ciphertext', type: bytesType }, createdAt()],
      foreignKeys: [fk('student_id', 'students', 'CASCADE')],
      indices: [new TableIndex({ name: 'IDX_face_templates_student', columnNames: ['student_id'] })],
    }));
    await q.createTable(new Table({
      name: 'cameras',
      columns: [id(), str('name', 64, { isUnique: true }), str('source', 512), str('room', 64, nullable), bool('enabled', false),
        str('status', 16, { default: "'stopped'" }), str('status_detail', 255, nullable), ts('status_at', true), createdAt()],
    }));
    await q.createTable(new Table({
      name: 'class_sessions',
      columns: [id(), str('subject', 64, nullable), int('class_group_id'), int('camera_id', nullable), int('weekday'),
        str('start_time', 5), str('end_time', 5), int('late_after_minutes', { default: 10 })],
      foreignKeys: [fk('class_group_id', 'class_groups', 'CASCADE'), fk('camera_id', 'cameras', 'SET NULL')],
      indices: [new TableIndex({ name: 'IDX_class_sessions_camera_weekday', columnNames: ['camera_id', 'weekday'] })],
    }));
    await q.createTable(new Table({
      name: 'attendance_log',
      columns: [id(), int('student_id'), ts('marked_at'), str('day', 10), str('slot', 32), str('status', 16), real('confidence', nullable),
        str('source', 16), int('camera_id', nullable), int('class_session_id', nullable), int('marked_by_id', nullable),
        str('note', 255, nullable), createdAt()],
      foreignKeys: [fk('student_id', 'students', 'CASCADE'), fk('camera_id', 'cameras', 'SET NULL'),
        fk('class_session_id', 'class_sessions', 'SET NULL'), fk('marked_by_id', 'users', 'SET NULL')],
      uniques: [new TableUnique({ name: 'UQ_attendance_student_day_slot', columnNames: ['student_id', 'day', 'slot'] })],
      indices: [new TableIndex({ name: 'IDX_attendance_day', columnNames: ['day'] })],
    }));
    await q.createTable(new Table({
      name: 'liveness_sessions',
      columns: [uuid(), int('student_id'), int('created_by_id', nullable), str('status', 16, { default: "'pending'" }),
        str('steps_done', 64, { default: "''" }), str('failure_reason', 255, nullable), ts('expires_at'), ts('completed_at', true), createdAt()],
      foreignKeys: [fk('student_id', 'students', 'CASCADE')],
      indices: [new TableIndex({ name: 'IDX_liveness_sessions_student', columnNames: ['student_id'] })],
    }));
    await q.createTable(new Table({
      name: 'detection_logs',
      columns: [id(), int('camera_id', nullable), ts('interval_start'), ts('interval_end'), int('frames_read', { default: 0 }),
        int('frames_analysed', { default: 0 }), int('faces', { default: 0 }), int('recognitions', { default: 0 }),
        real('median_latency_ms', nullable)],
      foreignKeys: [fk('camera_id', 'cameras', 'CASCADE')],
      indices: [new TableIndex({ name: 'IDX_detection_logs_camera_start', columnNames: ['camera_id', 'interval_start'] })],
    }));
    await q.createTable(new Table({
      name: 'audit_log',
      columns: [id(), ts('at'), int('actor_id', nullable), str('actor_name', 64, nullable), str('action', 64), str('entity', 64, nullable),
        str('entity_id', 64, nullable), { name: 'details', type: 'text', isNullable: true }, str('ip', 64, nullable)],
      indices: [new TableIndex({ name: 'IDX_audit_log_at', columnNames: ['at'] }),
        new TableIndex({ name: 'IDX_audit_log_action', columnNames: ['action'] })],
    }));
    await q.createTable(new Table({
      name: 'api_keys',
      columns: [id(), str('name', 64), str('key_hash', 64, { isUnique: true }), str('prefix', 12), str('scope', 16),
        int('camera_id', nullable), bool('active', true), ts('last_used_at', true), createdAt()],
      foreignKeys: [fk('camera_id', 'cameras', 'CASCADE')],
    }));
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['api_keys', 'audit_log', 'detection_logs', 'liveness_sessions', 'attendance_log', 'class_sessions',
      'cameras', 'face_templates', 'students', 'class_groups', 'users']) {
      await q.dropTable(table);
    }
  }
}
