/**
 * "On site now" for an evacuation roll call: every student a camera saw today (student_presence),
 * with where and when they were last seen, by class. Presence says who came in, not who left.
 */
import type { DataSource } from 'typeorm';
import { StudentPresence, schoolDay } from '@attendance/shared';
import type { GroupScope } from './attendance.service.js';
import { localTime } from './register-export.service.js';

export interface OnSiteStudent { studentId: number; name: string; rollNumber: string; classGroup: string | null; firstSeen: string; lastSeen: string; lastCamera: string | null }

export class OnSiteService {
  constructor(private readonly ds: DataSource, private readonly timeZone: string, private readonly clock: () => Date) {}

  async list(scope: GroupScope): Promise<{ day: string; at: string; students: OnSiteStudent[] }> {
    const now = this.clock();
    const day = schoolDay(now, this.timeZone);
    const rows = await this.ds.getRepository(StudentPresence).find({ where: { day }, relations: { student: { classGroup: true }, camera: true } });
    const byStudent = new Map<number, OnSiteStudent & { first: Date; last: Date }>();
    for (const p of rows) {
      const s = p.student;
      if (!s || !s.active || (scope && !scope.includes(s.classGroupId ?? -1))) continue;
      const had = byStudent.get(s.id);
      const first = had && had.first < p.firstSeenAt ? had.first : p.firstSeenAt;
      const newer = !had || p.lastSeenAt > had.last;
      const last = newer ? p.lastSeenAt : had.last;
      byStudent.set(s.id, {
        studentId: s.id, name: s.name, rollNumber: s.rollNumber, classGroup: s.classGroup?.name ?? null,
        first, last, firstSeen: localTime(first, this.timeZone), lastSeen: localTime(last, this.timeZone),
        lastCamera: newer ? (p.camera?.name ?? (p.cameraId === null ? 'laptop camera' : null)) : had.lastCamera,
      });
    }
    const students = [...byStudent.values()]
      .map(({ first: _f, last: _l, ...rest }) => rest)
      .sort((a, b) => (a.classGroup ?? '~').localeCompare(b.classGroup ?? '~') || a.name.localeCompare(b.name));
    return { day, at: localTime(now, this.timeZone), students };
  }
}

const esc = (s: string | null) => (s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A printable page: one table per class, a box to tick per student, the time it was printed. */
export function onSiteHtml(list: Awaited<ReturnType<OnSiteService['list']>>): string {
  const groups = new Map<string, OnSiteStudent[]>();
  for (const s of list.students) groups.set(s.classGroup ?? 'No class', [...(groups.get(s.classGroup ?? 'No class') ?? []), s]);
  const tables = [...groups].map(([name, students]) => `<h2>${esc(name)} (${students.length})</h2>
<table><thead><tr><th>✓</th><th>Name</th><th>Roll no.</th><th>Last seen</th><th>Where</th></tr></thead><tbody>
${students.map((s) => `<tr><td class="box"></td><td>${esc(s.name)}</td><td>${esc(s.rollNumber)}</td><td>${esc(s.lastSeen.slice(11))}</td><td>${esc(s.lastCamera)}</td></tr>`).join('\n')}
</tbody></table>`).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>On site now: roll call ${esc(list.at)}</title>
<style>body{font:14px system-ui,sans-serif;margin:1.5em}table{border-collapse:collapse;width:100%;margin-bottom:1em}th,td{border:1px solid #999;padding:4px 8px;text-align:left}td.box{width:1.5em}h2{page-break-after:avoid;margin:.8em 0 .3em}@media print{button{display:none}table{page-break-inside:auto}tr{page-break-inside:avoid}}</style></head>
<body><h1>On site now: ${list.students.length} student${list.students.length === 1 ? '' : 's'}</h1>
<p>Seen by a camera today (${esc(list.day)}), as of ${esc(list.at)}. A student who left without being seen leaving is still listed.</p>
<button onclick="window.print()">Print</button>
${tables || '<p>No student has been seen today.</p>'}
</body></html>`;
}
