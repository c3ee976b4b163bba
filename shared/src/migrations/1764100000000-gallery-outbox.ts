import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dialect } from '../db/column-types.js';

/**
 * The gallery outbox. Every change that decides who an engine can recognise (a student deactivated,
 * reactivated, deleted, renamed, moved to another class, consent withdrawn or given; a face template
 * added or erased) bumps `gallery_state.version` and appends a `gallery_changes` row IN THE SAME
 * TRANSACTION, written by database triggers, so no code path (services, AdminJS edits, the SIS API,
 * scripts, plain SQL) can change the gallery without saying so. Engines poll the version and re-read
 * the students named in the changes after the version they hold (see GalleryService.sync).
 *
 * The version row is updated under its row lock, so versions commit in order even on PostgreSQL:
 * a reader never sees version n+1 without n. Only the last KEEP_CHANGES rows are kept; an engine
 * further behind than that reloads everything. Template re-encryption (key rotation) is not a
 * change: the vectors stay the same.
 */
const KEEP_CHANGES = 10_000;
const STUDENT_FIELDS = ['active', 'deleted_at', 'name', 'class_group_id', 'consent_at'];

const sqlite = [
  `CREATE TABLE "gallery_state" ("id" integer PRIMARY KEY NOT NULL CHECK ("id" = 1), "version" integer NOT NULL)`,
  `INSERT INTO "gallery_state" ("id", "version") VALUES (1, 0)`,
  `CREATE TABLE "gallery_changes" ("version" integer PRIMARY KEY NOT NULL, "student_id" integer NOT NULL, "changed_at" datetime NOT NULL DEFAULT (datetime('now')))`,
  ...[
    ['gallery_student_updated', `AFTER UPDATE ON "students" WHEN ${STUDENT_FIELDS.map((f) => `OLD."${f}" IS NOT NEW."${f}"`).join(' OR ')}`, 'NEW."id"'],
    ['gallery_student_deleted', 'AFTER DELETE ON "students"', 'OLD."id"'],
    ['gallery_template_added', 'AFTER INSERT ON "face_templates"', 'NEW."student_id"'],
    ['gallery_template_deleted', 'AFTER DELETE ON "face_templates"', 'OLD."student_id"'],
  ].map(([name, when, student]) => `CREATE TRIGGER "${name}" ${when} BEGIN
    UPDATE "gallery_state" SET "version" = "version" + 1 WHERE "id" = 1;
    INSERT INTO "gallery_changes" ("version", "student_id") SELECT "version", ${student} FROM "gallery_state" WHERE "id" = 1;
    DELETE FROM "gallery_changes" WHERE "version" <= (SELECT "version" FROM "gallery_state" WHERE "id" = 1) - ${KEEP_CHANGES};
  END`),
];

const postgres = [
  `CREATE TABLE "gallery_state" ("id" integer PRIMARY KEY CHECK ("id" = 1), "version" bigint NOT NULL)`,
  `INSERT INTO "gallery_state" ("id", "version") VALUES (1, 0)`,
  `CREATE TABLE "gallery_changes" ("version" bigint PRIMARY KEY, "student_id" integer NOT NULL, "changed_at" timestamptz NOT NULL DEFAULT now())`,
  `CREATE FUNCTION gallery_changed(student integer) RETURNS void LANGUAGE plpgsql AS $$
  DECLARE v bigint;
  BEGIN
    UPDATE gallery_state SET version = version + 1 WHERE id = 1 RETURNING version INTO v;
    INSERT INTO gallery_changes (version, student_id) VALUES (v, student);
    DELETE FROM gallery_changes WHERE version <= v - ${KEEP_CHANGES};
  END $$`,
  `CREATE FUNCTION gallery_student_changed() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'DELETE' THEN PERFORM gallery_changed(OLD.id); RETURN OLD; END IF;
    IF ${STUDENT_FIELDS.map((f) => `OLD.${f} IS DISTINCT FROM NEW.${f}`).join(' OR ')} THEN PERFORM gallery_changed(NEW.id); END IF;
    RETURN NEW;
  END $$`,
  `CREATE FUNCTION gallery_template_changed() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'DELETE' THEN PERFORM gallery_changed(OLD.student_id); RETURN OLD; END IF;
    PERFORM gallery_changed(NEW.student_id);
    RETURN NEW;
  END $$`,
  `CREATE TRIGGER gallery_student_changed AFTER UPDATE OR DELETE ON students FOR EACH ROW EXECUTE FUNCTION gallery_student_changed()`,
  `CREATE TRIGGER gallery_template_changed AFTER INSERT OR DELETE ON face_templates FOR EACH ROW EXECUTE FUNCTION gallery_template_changed()`,
];

export class GalleryOutbox1764100000000 implements MigrationInterface {
  name = 'GalleryOutbox1764100000000';

  async up(q: QueryRunner): Promise<void> {
    for (const sql of dialect === 'postgres' ? postgres : sqlite) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    if (dialect === 'postgres') {
      await q.query('DROP TRIGGER gallery_template_changed ON face_templates');
      await q.query('DROP TRIGGER gallery_student_changed ON students');
      for (const f of ['gallery_template_changed()', 'gallery_student_changed()', 'gallery_changed(integer)']) await q.query(`DROP FUNCTION ${f}`);
    } else {
      for (const t of ['gallery_student_updated', 'gallery_student_deleted', 'gallery_template_added', 'gallery_template_deleted']) await q.query(`DROP TRIGGER "${t}"`);
    }
    await q.query('DROP TABLE "gallery_changes"');
    await q.query('DROP TABLE "gallery_state"');
  }
}
