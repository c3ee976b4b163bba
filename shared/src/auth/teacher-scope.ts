import { In, type DataSource } from 'typeorm';
import { Camera } from '../entities/camera.entity.js';
import { ClassGroup } from '../entities/class-group.entity.js';
import { ClassSession } from '../entities/class-session.entity.js';

/** What a teacher may see and drive: the class groups they teach, and the cameras of those groups' rooms. */
export interface TeacherScope { classGroupIds: number[]; cameraIds: number[] }

/**
 * The one definition, read by the panel (session user) and the engine (camera access, event stream):
 * the cameras named in a timetable slot of one of the teacher's groups, plus every camera in the rooms of
 * those lessons (a lesson's room, or its camera's: a room with a door camera and a front camera).
 */
export async function teacherScope(ds: DataSource, userId: number): Promise<TeacherScope> {
  const groups = await ds.getRepository(ClassGroup).find({ select: { id: true }, where: { teacherId: userId } });
  const classGroupIds = groups.map((g) => g.id);
  if (!classGroupIds.length) return { classGroupIds, cameraIds: [] };
  const sessions = await ds.getRepository(ClassSession).find({ select: { cameraId: true, room: true }, where: { classGroupId: In(classGroupIds) } });
  const named = [...new Set(sessions.map((s) => s.cameraId).filter((id): id is number => id !== null))];
  const cams = named.length ? await ds.getRepository(Camera).find({ select: { id: true, room: true }, where: { id: In(named) } }) : [];
  // The rooms of their lessons: those the timetable names, and those of the cameras it names.
  const rooms = [...new Set([...cams.map((c) => c.room), ...sessions.map((s) => s.room)].filter((r): r is string => !!r))];
  const sameRoom = rooms.length ? await ds.getRepository(Camera).find({ select: { id: true }, where: { room: In(rooms) } }) : [];
  return { classGroupIds, cameraIds: [...new Set([...named, ...sameRoom.map((c) => c.id)])].sort((a, b) => a - b) };
}
