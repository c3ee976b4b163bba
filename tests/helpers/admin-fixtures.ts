import type { DataSource } from 'typeorm';
import { AttendanceLog, Camera, ClassGroup, ClassSession, FaceTemplate, Student, User, hashPassword, type Role } from '@attendance/shared';

export const PASSWORD = 'correct-horse-battery-staple';

export interface Fixture {
  users: Record<Role, User>;
  groups: { a: ClassGroup; b: ClassGroup };
  students: Student[];
  cameras: { a: Camera; b: Camera };
  sessions: ClassSession[];
  /** A Monday with marks: in group A, Ada present, Ben late, Cy absent. */
  day: string;
}

/** Three users (one per role), two class groups (the teacher has A), a timetable, students and marks. */
export async function seedFixture(ds: DataSource): Promise<Fixture> {
  const hash = await hashPassword(PASSWORD);
  const mk = (username: string, role: Role) => ds.getRepository(User).save({ username, displayName: username, role, active: true, passwordHash: hash });
  const users = { admin: await mk('admin', 'admin'), staff: await mk('staff', 'staff'), teacher: await mk('teacher', 'teacher') };
  const a = await ds.getRepository(ClassGroup).save({ name: 'Class 7A', teacherId: users.teacher.id });
  const b = await ds.getRepository(ClassGroup).save({ name: 'Class 8B', teacherId: null });
  const camA = await ds.getRepository(Camera).save({ name: 'Room 101', source: 'file:/dev/null', room: '101', enabled: false, status: 'running' });
  const camB = await ds.getRepository(Camera).save({ name: 'Room 202', source: 'rtsp://user:secret@10.0.0.2/stream', room: '202', enabled: false, status: 'stopped' });
  const sessions = await ds.getRepository(ClassSession).save([
    { classGroupId: a.id, cameraId: camA.id, weekday: 1, startTime: '09:00', endTime: '10:00', lateAfterMinutes: 10, subject: 'Maths' },
    { classGroupId: b.id, cameraId: camB.id, weekday: 1, startTime: '09:00', endTime: '10:00', lateAfterMinutes: 10, subject: 'History' },
  ]);
  const now = new Date();
  const students = await ds.getRepository(Student).save([
    { name: 'Ada, "the first"', rollNumber: 'A-001', classGroupId: a.id, active: true, consentAt: now, enrolledAt: now },
    { name: 'Ben Ørsted', rollNumber: 'A-002', classGroupId: a.id, active: true, consentAt: now },
    { name: 'Cy Young', rollNumber: 'A-003', classGroupId: a.id, active: true },
    { name: 'Dora Other', rollNumber: 'B-001', classGroupId: b.id, active: true, consentAt: now },
  ]);
  await ds.getRepository(FaceTemplate).save([
    { id: '00000000-0000-4000-8000-000000000001', studentId: students[0].id, pose: 'center', modelId: 'test', quality: 1, keyId: 'k1', ciphertext: Buffer.alloc(16) },
    { id: '00000000-0000-4000-8000-000000000002', studentId: students[0].id, pose: 'left', modelId: 'test', quality: 1, keyId: 'k1', ciphertext: Buffer.alloc(16) },
  ]);
  const day = '2026-03-02';
  const slot = `session:${sessions[0].id}`;
  await ds.getRepository(AttendanceLog).save([
    { studentId: students[0].id, day, slot, status: 'present', markedAt: new Date(`${day}T09:02:00Z`), source: 'camera', confidence: 0.91, cameraId: camA.id, classSessionId: sessions[0].id, note: 'line1\nline2, with comma' },
    { studentId: students[1].id, day, slot, status: 'late', markedAt: new Date(`${day}T09:25:00Z`), source: 'camera', confidence: 0.88, cameraId: camA.id, classSessionId: sessions[0].id },
    { studentId: students[3].id, day, slot: `session:${sessions[1].id}`, status: 'present', markedAt: new Date(`${day}T09:01:00Z`), source: 'camera', confidence: 0.9, cameraId: camB.id, classSessionId: sessions[1].id },
  ]);
  return { users, groups: { a, b }, students, cameras: { a: camA, b: camB }, sessions, day };
}
