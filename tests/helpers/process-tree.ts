import fs from 'node:fs';

/** Every live descendant of `pid` (children, grandchildren, …), read from /proc. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (!stat) continue;
    const ppid = Number(stat.split(' ')[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
  }
  const out: number[] = [];
  const walk = (p: number) => { for (const c of children.get(p) ?? []) { out.push(c); walk(c); } };
  walk(pid);
  return out;
}

/** The fields of /proc/<pid>/stat after the command name (state, ppid, …), or null once the process is gone. */
function readStat(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: the fields after the last ')' are safe.
    return stat.slice(stat.lastIndexOf(')') + 2);
  } catch {
    return null; // the process ended between listing and reading
  }
}

/** Whether a process runs (a zombie waiting for its parent to reap it counts as gone). */
export function alive(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== null && !stat.startsWith('Z');
}

/** The command line of a process, for assertion messages. */
export function commandOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return `(pid ${pid} gone)`;
  }
}
