// `npm run import:faces -- <folder> [--engine URL] [--class-group ID] [--dry-run]`
// Enrolls a folder of `<student>/<photos>` through the running engine: one student per sub-folder
// (name and roll number = the folder name; an existing roll number gets the photos added), with a
// progress bar and a summary of what was rejected and why. Folders starting with `_` are skipped.
// New students need consent: the operator states how it was collected (--consent-method, --policy-version);
// existing students are enrolled only if their consent is on record. Beside `npm start` it finds the engine
// from DATA_DIR/runtime.json. On a terminal it draws a progress bar; in a log, a line every 10 %.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Student, User, ToolError, failTool, loadToolConfig, openDatabase, signToken, type ToolConfig } from '@attendance/shared';

const PHOTO = /\.(jpe?g|png|webp)$/i;
const BATCH = 10;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    engine: { type: 'string' }, 'class-group': { type: 'string' }, 'dry-run': { type: 'boolean', default: false },
    'consent-method': { type: 'string' }, 'policy-version': { type: 'string' },
    'consent-given-by': { type: 'string', default: 'guardian (form on file)' }, relationship: { type: 'string', default: 'guardian' },
  },
});
const root = positionals[0];
if (!root || !fs.statSync(root, { throwIfNoEntry: false })?.isDirectory()) {
  console.error('usage: npm run import:faces -- <folder of <student>/<photos>> --consent-method paper|digital|in_person --policy-version V\n' +
    '         [--consent-given-by TEXT] [--relationship TEXT] [--engine URL] [--class-group ID] [--dry-run]');
  process.exit(2);
}
if (!values['consent-method'] || !values['policy-version']) {
  console.error('refused: say how biometric consent was collected for these students (--consent-method and --policy-version).');
  process.exit(2);
}
const consent = { given_by: values['consent-given-by'], relationship: values.relationship, method: values['consent-method'], policy_version: values['policy-version'] };

let config: ToolConfig;
try {
  ({ config } = loadToolConfig());
  const health = await fetch(`${values.engine ?? config.ENGINE_URL}/health`).catch(() => null);
  if (!health?.ok) {
    throw new ToolError(`no engine answers at ${values.engine ?? config.ENGINE_URL} (start it with \`npm start\`, or give --engine URL)`);
  }
} catch (err) {
  failTool('import:faces', err);
}
const engineUrl = values.engine ?? config.ENGINE_URL;
const folders = fs.readdirSync(root)
  .filter((name) => !name.startsWith('_') && !name.startsWith('.') && fs.statSync(path.join(root, name)).isDirectory()) // follows links
  .map((name) => ({ name, photos: fs.readdirSync(path.join(root, name)).filter((f) => PHOTO.test(f)).sort() }))
  .filter((f) => f.photos.length);

const { dataSource } = await openDatabase(config, { migrate: false });
const admin = await dataSource.getRepository(User).findOneBy({ role: 'admin', active: true });
if (!admin) throw new Error('no active admin user to act as');
// The import acts as the first admin, with a token that lives only as long as the import.
const token = await signToken({ secret: config.JWT_SECRET, issuer: config.JWT_ISSUER }, { sub: String(admin.id), username: admin.username, role: 'admin' }, 'engine', 3600);

const summary = { students: 0, templates: 0, rejectedPhotos: new Map<string, string[]>(), failed: [] as string[] };
const total = folders.reduce((n, f) => n + f.photos.length, 0);
let done = 0;
let reportedTenth = -1;
const bar = (label: string) => {
  if (!process.stderr.isTTY) {
    const tenth = Math.floor((done / Math.max(total, 1)) * 10);
    if (tenth > reportedTenth) process.stderr.write(`[import:faces] ${done}/${total} photos (${tenth * 10} %)\n`);
    reportedTenth = tenth;
    return;
  }
  const width = 30;
  const filled = Math.round((done / Math.max(total, 1)) * width);
  process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} photos  ${label.padEnd(30).slice(0, 30)}`);
};

for (const folder of folders) {
  bar(folder.name);
  const existing = await dataSource.getRepository(Student).findOneBy({ rollNumber: folder.name });
  let studentId = existing?.id;
  let added = 0;
  for (let i = 0; i < folder.photos.length; i += BATCH) {
    const batch = folder.photos.slice(i, i + BATCH);
    if (values['dry-run']) { done += batch.length; continue; }
    const body = {
      ...(studentId ? { student_id: studentId } : { name: folder.name, roll_number: folder.name, consent }),
      ...(values['class-group'] ? { class_group_id: Number(values['class-group']) } : {}),
      photos: batch.map((f) => fs.readFileSync(path.join(root, folder.name, f)).toString('base64')),
    };
    const res = await fetch(`${engineUrl}/api/v1/enroll`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = (await res.json()) as { student_id?: number; templates?: number; rejected?: Array<{ index: number; reasons: string[] }>; message?: string; details?: { rejected?: Array<{ index: number; reasons: string[] }> } };
    for (const r of json.rejected ?? json.details?.rejected ?? []) summary.rejectedPhotos.set(`${folder.name}/${batch[r.index]}`, r.reasons);
    if (res.status === 201) {
      studentId = json.student_id;
      added += json.templates ?? 0;
    } else if (res.status !== 422) {
      summary.failed.push(`${folder.name}: ${res.status} ${json.message}`);
      done += folder.photos.length - i;
      break;
    }
    done += batch.length;
    bar(folder.name);
  }
  if (added) { summary.students++; summary.templates += added; }
}
await dataSource.destroy();
if (process.stderr.isTTY) process.stderr.write('\n');

console.log(`${values['dry-run'] ? '[dry run] ' : ''}${folders.length} folders, ${total} photos: ${summary.students} students enrolled with ${summary.templates} templates.`);
if (summary.rejectedPhotos.size) {
  console.log(`${summary.rejectedPhotos.size} photos rejected:`);
  for (const [file, reasons] of summary.rejectedPhotos) console.log(`  ${file}: ${reasons.join(', ')}`);
}
if (summary.failed.length) {
  console.log(`${summary.failed.length} students not enrolled:`);
  for (const f of summary.failed) console.log(`  ${f}`);
  process.exitCode = 1;
}
