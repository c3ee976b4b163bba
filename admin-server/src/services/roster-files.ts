/**
 * Reads a roster CSV set into plain records, in either dialect: OneRoster 1.2 CSV (users.csv, roles.csv,
 * classes.csv, enrollments.csv, orgs.csv, academicSessions.csv, keyed by sourcedId) or the project's
 * own simple files (teachers.csv, classes.csv, students.csv). timetable.csv is read in both (OneRoster
 * has no lesson times). Problems are collected per row, never thrown.
 */
import { parseCsv } from './csv.js';

export type Dialect = 'oneroster' | 'project';
export interface RowError { file: string; line: number; message: string }
export interface TeacherRec { sourceId: string | null; username: string; displayName: string | null; line: number; file: string }
export interface ClassRec { sourceId: string | null; name: string; description: string | null; teacher: string | null; line: number; file: string }
export interface StudentRec { sourceId: string | null; rollNumber: string; name: string; classKey: string | null; active: boolean; line: number; file: string }
export interface LessonRec {
  sourceId: string; classKey: string; weekday: number; startTime: string; endTime: string; subject: string | null;
  camera: string | null; room: string | null; lateAfterMinutes: number; line: number; file: string;
}
/** Classes and teachers are referenced by sourcedId (OneRoster) or by name / username (project files). */
export interface Roster { dialect: Dialect; teachers: TeacherRec[]; classes: ClassRec[]; students: StudentRec[]; lessons: LessonRec[]; notes: string[]; errors: RowError[] }

type Row = Record<string, string> & { __line: string };
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

function table(files: Record<string, string>, name: string, required: string[], errors: RowError[]): Row[] | null {
  const text = files[name];
  if (text === undefined) return null;
  const [header = [], ...rows] = parseCsv(text);
  const cols = header.map((h) => h.trim());
  const missing = required.filter((c) => !cols.includes(c));
  if (missing.length) { errors.push({ file: name, line: 1, message: `missing column(s): ${missing.join(', ')}` }); return []; }
  return rows
    .map((cells, i) => ({ cells, line: i + 2 }))
    .filter(({ cells }) => cells.some((c) => c.trim() !== ''))
    .map(({ cells, line }) => Object.assign(Object.fromEntries(cols.map((c, j) => [c, (cells[j] ?? '').trim()])), { __line: String(line) }) as Row);
}

const line = (r: Row) => Number(r.__line);

function weekdayOf(v: string): number {
  if (/^[1-7]$/.test(v)) return Number(v);
  const i = WEEKDAYS.indexOf(v.slice(0, 3).toLowerCase());
  return i < 0 ? NaN : i + 1;
}

function lessons(files: Record<string, string>, classCol: string, errors: RowError[]): LessonRec[] {
  const rows = table(files, 'timetable.csv', [classCol, 'weekday', 'start', 'end'], errors) ?? [];
  return rows.map((r) => {
    const late = r.late_after_minutes || r.lateAfterMinutes || '';
    if (late && !/^\d{1,3}$/.test(late)) errors.push({ file: 'timetable.csv', line: line(r), message: `late_after_minutes "${late}" is not a number of minutes` });
    const weekday = weekdayOf(r.weekday);
    return {
      sourceId: r.sourcedId || `${r[classCol]}|${weekday}|${r.start}`, classKey: r[classCol], weekday, startTime: r.start, endTime: r.end,
      subject: r.subject || null, camera: r.camera || null, room: r.room || null, lateAfterMinutes: late ? Number(late) : 10, line: line(r), file: 'timetable.csv',
    };
  });
}

function oneRoster(files: Record<string, string>, errors: RowError[]): Roster {
  const notes: string[] = [];
  const users = table(files, 'users.csv', ['sourcedId', 'username', 'givenName', 'familyName'], errors) ?? [];
  // OneRoster 1.2 keeps roles in roles.csv (the primary one counts); 1.1 had a role column in users.csv.
  const roleOf = new Map<string, string>();
  for (const r of table(files, 'roles.csv', ['userSourcedId', 'role'], errors) ?? []) {
    if (r.status !== 'tobedeleted' && (!roleOf.has(r.userSourcedId) || r.roleType === 'primary')) roleOf.set(r.userSourcedId, r.role);
  }
  const classRows = table(files, 'classes.csv', ['sourcedId', 'title'], errors) ?? [];
  const enrollments = table(files, 'enrollments.csv', ['sourcedId', 'classSourcedId', 'userSourcedId', 'role'], errors) ?? [];
  const orgs = table(files, 'orgs.csv', ['sourcedId', 'name', 'type'], errors);
  const sessions = table(files, 'academicSessions.csv', ['sourcedId', 'title', 'startDate', 'endDate'], errors);
  if (orgs) notes.push(`school: ${orgs.filter((o) => o.type === 'school').map((o) => o.name).join(', ') || '(no org of type school)'}`);
  for (const s of sessions ?? []) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(s.startDate) || !/^\d{4}-\d{2}-\d{2}$/.test(s.endDate) || s.endDate < s.startDate) {
      errors.push({ file: 'academicSessions.csv', line: line(s), message: `session "${s.title}" needs startDate ≤ endDate as YYYY-MM-DD` });
    }
  }
  if (sessions) notes.push(`academic sessions read: ${sessions.length} (terms are kept in the school calendar)`);

  const homeroom = new Set(classRows.filter((c) => c.classType === 'homeroom').map((c) => c.sourcedId));
  const studentClass = new Map<string, string>();
  const classTeacher = new Map<string, string>();
  for (const e of enrollments) {
    if (e.status === 'tobedeleted') continue;
    if (e.role === 'student') {
      const had = studentClass.get(e.userSourcedId);
      // One class group per student here: the homeroom wins over a subject class.
      if (!had || (!homeroom.has(had) && homeroom.has(e.classSourcedId))) studentClass.set(e.userSourcedId, e.classSourcedId);
    } else if (e.role === 'teacher' && (!classTeacher.has(e.classSourcedId) || e.primary === 'true')) {
      classTeacher.set(e.classSourcedId, e.userSourcedId);
    }
  }
  const teachers: TeacherRec[] = [];
  const students: StudentRec[] = [];
  for (const u of users) {
    const name = `${u.givenName} ${u.familyName}`.trim();
    const role = roleOf.get(u.sourcedId) ?? u.role;
    if (!role) errors.push({ file: 'users.csv', line: line(u), message: `user ${u.sourcedId} has no role (roles.csv or a role column)` });
    if (role === 'student') {
      students.push({
        sourceId: u.sourcedId, rollNumber: u.identifier || u.username || u.sourcedId, name, classKey: studentClass.get(u.sourcedId) ?? null,
        active: u.status !== 'tobedeleted' && u.enabledUser !== 'false', line: line(u), file: 'users.csv',
      });
    } else if (role === 'teacher') {
      teachers.push({ sourceId: u.sourcedId, username: u.username || u.email, displayName: name || null, line: line(u), file: 'users.csv' });
    }
  }
  const classes = classRows.map((c) => ({
    sourceId: c.sourcedId, name: c.title, description: c.classCode || null, teacher: classTeacher.get(c.sourcedId) ?? null, line: line(c), file: 'classes.csv',
  }));
  return { dialect: 'oneroster', teachers, classes, students, lessons: lessons(files, 'classSourcedId', errors), notes, errors };
}

function project(files: Record<string, string>, errors: RowError[]): Roster {
  const teachers = (table(files, 'teachers.csv', ['username'], errors) ?? []).map((r) => ({
    sourceId: null, username: r.username, displayName: r.display_name || null, line: line(r), file: 'teachers.csv',
  }));
  const classes = (table(files, 'classes.csv', ['name'], errors) ?? []).map((r) => ({
    sourceId: null, name: r.name, description: r.description || null, teacher: r.teacher || null, line: line(r), file: 'classes.csv',
  }));
  const students = (table(files, 'students.csv', ['roll_number', 'name'], errors) ?? []).map((r) => ({
    sourceId: null, rollNumber: r.roll_number, name: r.name, classKey: r.class || null, active: !['false', 'no', '0'].includes((r.active ?? '').toLowerCase()),
    line: line(r), file: 'students.csv',
  }));
  return { dialect: 'project', teachers, classes, students, lessons: lessons(files, 'class', errors), notes: [], errors };
}

/** `files` maps a file name (as in the folder) to its text. */
export function readRoster(files: Record<string, string>): Roster {
  const errors: RowError[] = [];
  const isOneRoster = 'users.csv' in files || 'enrollments.csv' in files || 'orgs.csv' in files;
  if (!isOneRoster && !['students.csv', 'classes.csv', 'teachers.csv', 'timetable.csv'].some((f) => f in files)) {
    errors.push({ file: '(folder)', line: 0, message: 'no roster files: expected OneRoster users.csv/classes.csv/enrollments.csv or students.csv/classes.csv/teachers.csv/timetable.csv' });
  }
  return isOneRoster ? oneRoster(files, errors) : project(files, errors);
}
