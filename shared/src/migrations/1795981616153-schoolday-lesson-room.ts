import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A lesson's room: a lesson may name its room instead of (or besides) a camera; the cameras of that room
 * (cameras.room) then run it and its teacher drives them. Added with plain ALTER TABLE (no table rebuild).
 */
export class SchooldayLessonRoom1795981616153 implements MigrationInterface {
  name = 'SchooldayLessonRoom1795981616153';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE "class_sessions" ADD COLUMN "room" varchar(64)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE "class_sessions" DROP COLUMN "room"');
  }
}
