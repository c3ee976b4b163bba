// Faces and helpers for the liveness tests. The poses were measured with the engine's own estimator
// (yaw as seen by the student; P(real) 1.00 for each): one person turning, and a second person.
import { Student, loadConfig, openDatabase, signToken } from '@attendance/shared';
import { face } from './faces.js';

/** yyw_dongxujiong: center yaw +4.4°, left −32.1°, right +29.8°; capture_400 (+7.9°) is kept back for recognition. */
export const PERSON_A = {
  center: 'yyw_dongxujiong/capture_100.jpg',
  left: 'yyw_dongxujiong/capture_200.jpg',
  right: 'yyw_dongxujiong/capture_300.jpg',
  other: 'yyw_dongxujiong/capture_400.jpg',
};
/** yyw_zhujiahang: left −35.2°, center +2.5°; cosine to person A about 0. Its box overlaps A's (IoU ≈ 0.38). */
export const PERSON_B = { left: 'yyw_zhujiahang/capture_100.jpg', center: 'yyw_zhujiahang/capture_200.jpg' };

export const b64 = (rel: string) => face(rel).toString('base64');

/** A student with recorded consent, written straight into the engine's database. */
export async function createStudent(env: NodeJS.ProcessEnv, name: string, rollNumber: string): Promise<number> {
  const { dataSource } = await openDatabase(loadConfig(env), { migrate: false });
  try {
    const s = await dataSource.getRepository(Student).save({ name, rollNumber, active: true, consentAt: new Date() });
    return s.id;
  } finally {
    await dataSource.destroy();
  }
}

/** What the admin server issues for the modal: a staff user's token narrowed to one student's liveness. */
export async function livenessToken(env: NodeJS.ProcessEnv, studentId: number, ttlSeconds = 300): Promise<string> {
  const cfg = loadConfig(env);
  return signToken({ secret: cfg.JWT_SECRET, issuer: cfg.JWT_ISSUER }, { sub: '2', username: 'staff', role: 'staff', scope: 'liveness', studentId }, 'engine', ttlSeconds);
}
