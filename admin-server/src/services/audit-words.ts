/**
 * The audit log in words: "Ana López (staff) deleted student Ben Ørsted (7A)" instead of `student.deleted`
 * and a JSON blob. The names are looked up when the log is shown (the rows keep ids, as written); the raw
 * row stays available beside the sentence, and exports stay raw.
 */
import { In, type DataSource } from 'typeorm';
import { ApiKey, Camera, ClassSession, Student, User, type AuditLog } from '@attendance/shared';

type Row = Pick<AuditLog, 'action' | 'actorId' | 'actorName' | 'entity' | 'entityId' | 'details'>;
type Details = Record<string, unknown>;

/** What a sentence needs to name people and things; built by `loadAuditNames` for one page of the log. */
export interface AuditNames {
  users: Map<number, { name: string; role: string }>;
  students: Map<number, string>;
  lessons: Map<number, string>;
  cameras: Map<number, string>;
  apiKeys: Map<number, string>;
}

/** System actors that write audit rows without a user. */
const SYSTEM_ACTORS: Record<string, string> = { 'retention-job': 'The retention job', 'rotate-key': 'The key rotation (npm run rotate-key)' };
const STATUS_WORDS: Record<string, string> = { present: 'present', late: 'late', absent: 'absent', excused: 'excused' };

const num = (v: unknown): number | null => (v === null || v === undefined || v === '' || !Number.isSafeInteger(Number(v)) ? null : Number(v));
const list = (v: unknown) => (Array.isArray(v) ? v.join(', ') : String(v ?? ''));
const plural = (n: unknown, one: string, many = `${one}s`) => `${Number(n ?? 0)} ${Number(n) === 1 ? one : many}`;

export function parseDetails(raw: string | null): Details {
  if (!raw) return {};
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? v as Details : { value: v };
  } catch {
    return { text: raw }; // written by hand or cut short: shown as it is
  }
}

/** One audit row as a sentence. Unknown actions still read as "<who>: <action> <record>". */
export function describeAudit(row: Row, names: AuditNames): string {
  const d = parseDetails(row.details);
  const actor = row.actorId !== null ? names.users.get(row.actorId) : undefined;
  const who = actor ? `${actor.name} (${actor.role})` : row.actorName ? SYSTEM_ACTORS[row.actorName] ?? row.actorName : 'The system';
  const id = num(row.entityId);
  const student = (sid: number | null = id) => (sid === null ? 'a student' : names.students.get(sid) ?? `student #${sid}`);
  const user = (uid: number | null = id) => (uid === null ? 'a user' : names.users.get(uid)?.name ?? `user #${uid}`);
  const lesson = (lid: number | null = id) => (lid === null ? 'a lesson' : names.lessons.get(lid) ?? `lesson #${lid}`);
  const camera = (cid: number | null = id) => (cid === null ? 'a camera' : names.cameras.get(cid) ?? `camera #${cid}`);
  const via = d.via === 'engine' ? ' (AI engine)' : d.via === 'admin' ? ' (panel)' : '';

  switch (row.action) {
    case 'auth.login': return `${who} logged in${via}`;
    case 'auth.login_failed': return `Failed login as "${String(d.username ?? '')}"${via}`;
    case 'user.created': return `${who} created user ${user()} (${String(d.role ?? '')}${d.active === false || d.active === 'false' ? ', inactive' : ''})`;
    case 'user.updated': {
      const what = [
        d.roleChanged ? `role ${String((d.roleChanged as Details).from)} → ${String((d.roleChanged as Details).to)}` : '',
        d.activeChanged ? (String((d.activeChanged as Details).to) === 'true' ? 'reactivated' : 'deactivated') : '',
        d.passwordReset ? 'password reset' : '',
      ].filter(Boolean);
      return `${who} updated user ${user()}${what.length ? `: ${what.join(', ')}` : ''}`;
    }
    case 'user.password-changed': return `${who} changed their own password`;
    case 'student.deleted': return `${who} deleted student ${student()}`;
    case 'student.data_exported': return `${who} exported all data of ${student()}`;
    case 'biometric.deleted': return `${who} deleted the face data of ${student()} (${plural(d.templates, 'face sample')})`;
    case 'consent.recorded': return `${who} recorded consent for ${student()}: given by ${String(d.givenBy ?? '?')} (${String(d.relationship ?? '?')}), ${String(d.method ?? '').replace('_', ' ')}, policy ${String(d.policyVersion ?? '?')}`;
    case 'consent.withdrawn': return `${who} recorded that consent for ${student()} was withdrawn (${plural(d.templatesErased, 'face sample')} erased)`;
    case 'enrollment.templates_added': {
      const overridden = Array.isArray(d.overridden) && d.overridden.length ? `, overriding: ${list(d.overridden).replaceAll('_', ' ')}` : '';
      return `${who} registered the face of ${student()} (${plural(d.templates, 'face sample')}: ${list(d.poses)}${overridden})`;
    }
    case 'liveness.token_issued': return `${who} opened the face registration of ${student()}`;
    case 'liveness.session_created': return `${who} started a face registration check for ${student()}`;
    case 'liveness.passed': return `The face registration check of ${student()} passed`;
    case 'liveness.failed': return `The face registration check of ${student()} failed${d.failure ? ` (${String(d.failure).replaceAll('_', ' ')})` : ''}`;
    case 'liveness.expired': return `The face registration check of ${student()} ran out of time`;
    case 'attendance.marked': return `${who} marked ${student(num(d.studentId))} ${STATUS_WORDS[String(d.status)] ?? String(d.status)} on ${String(d.day ?? '')}${slot(d.slot, lesson)}${d.reasonCode ? ` (reason: ${String(d.reasonCode)})` : ''}`;
    case 'attendance.corrected': return `${who} corrected the mark of ${student(num(d.studentId))} on ${String(d.day ?? '')}${slot(d.slot, lesson)} from ${String(d.from)} to ${String(d.to)}${d.reasonCode ? ` (reason: ${String(d.reasonCode)})` : ''}`;
    case 'attendance.exported': return `${who} exported ${plural(d.rows, 'attendance mark')} as CSV`;
    case 'register.confirmed': return `${who} confirmed the register of ${lesson()} on ${String(d.day ?? '')}`;
    case 'register.reopened': return `${who} reopened the register of ${lesson()} on ${String(d.day ?? '')}${d.reason ? `: "${String(d.reason)}"` : ''}`;
    case 'roster.imported': return `${who} imported a roster${d.dialect ? ` (${String(d.dialect)})` : ''}: ${plural(d.changes, 'change')}, ${Number(d.unchanged ?? 0)} unchanged`;
    case 'retention.applied': return `${who} applied the retention policy: face data of ${plural(Array.isArray(d.studentsErased) ? d.studentsErased.length : 0, 'student')} erased, ${plural(d.attendanceRows, 'attendance mark')} before ${String(d.attendanceCutoff ?? '')} summarised`;
    case 'apikey.created': return `${who} created the API key "${String(d.name ?? names.apiKeys.get(id ?? 0) ?? '')}" (${String(d.scope ?? '')})`;
    case 'apikey.revoked': return `${who} revoked the API key "${String(d.name ?? names.apiKeys.get(id ?? 0) ?? '')}"`;
    case 'templates.key_rotated': return `${who} re-encrypted ${plural(d.templates, 'face sample')} with key ${String(d.keyId ?? '')}`;
    case 'detection.started': return `${who} started detection on ${camera()}`;
    case 'detection.stopped': return `${who} stopped detection on ${camera()}`;
    case 'detection.laptop_started': return `${who} started detection with a laptop's camera${id !== null ? ` for ${camera()}` : ''}`;
    case 'detection.laptop_stopped': return `${who} stopped detection with a laptop's camera${id !== null ? ` for ${camera()}` : ''}`;
    case 'recognize.marked': case 'recognize.identified':
      return `${who} sent an image to recognition${id !== null ? ` for ${camera()}` : ''}: ${plural(d.faces, 'face')}${row.action === 'recognize.marked' ? `, ${plural(Array.isArray(d.marked) ? d.marked.filter(Boolean).length : 0, 'mark')}` : ''}`;
    default: return `${who}: ${row.action}${row.entity ? ` ${row.entity}${row.entityId ? ` #${row.entityId}` : ''}` : ''}`;
  }
}

function slot(value: unknown, lesson: (id: number) => string): string {
  const s = String(value ?? '');
  return s.startsWith('session:') ? ` in ${lesson(Number(s.slice(8)))}` : s === 'day' ? ' (whole day)' : '';
}

/** Looks up, in a handful of queries, every person and thing a page of audit rows names. */
export async function loadAuditNames(ds: DataSource, rows: Row[]): Promise<AuditNames> {
  const ids = (pick: (r: Row, d: Details) => unknown[]) => [...new Set(rows.flatMap((r) => pick(r, parseDetails(r.details)).map(num).filter((n): n is number => n !== null)))];
  const of = (entity: string) => (r: Row) => (r.entity === entity ? [r.entityId] : []);
  const userIds = ids((r) => [r.actorId, ...of('user')(r)]);
  const studentIds = ids((r, d) => [...of('student')(r), d.studentId]);
  const lessonIds = ids((r, d) => [...of('class_session')(r), typeof d.slot === 'string' && d.slot.startsWith('session:') ? d.slot.slice(8) : null]);
  const cameraIds = ids(of('camera'));
  const keyIds = ids(of('api_key'));
  const [users, students, lessons, cameras, keys] = await Promise.all([
    userIds.length ? ds.getRepository(User).find({ where: { id: In(userIds) }, select: { id: true, username: true, displayName: true, role: true } }) : [],
    studentIds.length ? ds.getRepository(Student).find({ where: { id: In(studentIds) }, withDeleted: true, relations: { classGroup: true } }) : [],
    lessonIds.length ? ds.getRepository(ClassSession).find({ where: { id: In(lessonIds) }, relations: { classGroup: true } }) : [],
    cameraIds.length ? ds.getRepository(Camera).find({ where: { id: In(cameraIds) }, select: { id: true, name: true } }) : [],
    keyIds.length ? ds.getRepository(ApiKey).find({ where: { id: In(keyIds) }, select: { id: true, name: true } }) : [],
  ]);
  const days = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
  return {
    users: new Map(users.map((u) => [u.id, { name: u.displayName || u.username, role: u.role }])),
    students: new Map(students.map((s) => [s.id, s.classGroup ? `${s.name} (${s.classGroup.name})` : s.name])),
    lessons: new Map(lessons.map((l) => [l.id, `${l.classGroup?.name ?? 'a class'} ${l.subject ?? 'lesson'} (${days[l.weekday - 1]} ${l.startTime})`])),
    cameras: new Map(cameras.map((c) => [c.id, `camera ${c.name}`])),
    apiKeys: new Map(keys.map((k) => [k.id, k.name])),
  };
}
