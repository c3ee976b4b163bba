// `npm run rotate-key [-- --dry-run]`: re-encrypts every face template not yet under the current key
// (TEMPLATE_ENCRYPTION_KEY / TEMPLATE_KEY_ID), reading old rows with TEMPLATE_OLD_KEYS.
// `npm run rotate-key -- --generate` prints a fresh key to start a rotation. See README, "Privacy".
import crypto from 'node:crypto';
import { parseArgs } from 'node:util';
import { Not } from 'typeorm';
import { FaceTemplate, TemplateCipher, loadToolConfig, openDatabase, writeAudit } from '@attendance/shared';

const { values } = parseArgs({ options: { 'dry-run': { type: 'boolean', default: false }, generate: { type: 'boolean', default: false } } });
if (values.generate) {
  console.log(crypto.randomBytes(32).toString('base64'));
  process.exit(0);
}

const { config } = loadToolConfig(); // beside npm start: its settings from DATA_DIR/runtime.json; no Redis needed
const cipher = new TemplateCipher(config.templateKey, config.TEMPLATE_KEY_ID, config.oldTemplateKeys);
const { dataSource } = await openDatabase(config, { migrate: false });
try {
  const rows = await dataSource.getRepository(FaceTemplate).findBy({ keyId: Not(config.TEMPLATE_KEY_ID) });
  const unknown = [...new Set(rows.map((r) => r.keyId).filter((id) => !cipher.knows(id)))];
  if (unknown.length) {
    throw new Error(`templates are encrypted under key id(s) ${unknown.join(', ')}, which TEMPLATE_OLD_KEYS does not hold: nothing was changed`);
  }
  console.log(`${rows.length} template(s) to re-encrypt under key ${config.TEMPLATE_KEY_ID}${values['dry-run'] ? ' (dry run)' : ''}`);
  if (!values['dry-run'] && rows.length) {
    // One transaction: a failure leaves every row as it was, readable with the old keys.
    await dataSource.transaction(async (tx) => {
      for (const r of rows) {
        const vector = cipher.decrypt(r.ciphertext, r.studentId, r.id, r.keyId);
        await tx.getRepository(FaceTemplate).update(r.id, { keyId: cipher.keyId, ciphertext: cipher.encrypt(vector, r.studentId, r.id) });
      }
      await writeAudit(tx, { action: 'templates.key_rotated', actor: { id: null, name: 'rotate-key' }, details: { templates: rows.length, keyId: cipher.keyId, from: [...new Set(rows.map((r) => r.keyId))] } });
    });
    console.log('done: every template is under the current key. Remove TEMPLATE_OLD_KEYS and restart the engines.');
  }
} finally {
  await dataSource.destroy();
}
