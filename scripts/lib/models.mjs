// Puts the model files of models/models.json in place: copied from a local directory or downloaded,
// each checked against its sha256 before it is moved into place. Plain JS: runs before `npm ci`.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export class ModelFetchError extends Error {}

/** @param {string} file */
export function sha256File(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/**
 * @param {{ manifestFile: string, destDir: string, sourceDir?: string, log?: (msg: string) => void }} opts
 * @returns {Promise<{ present: string[], copied: string[], downloaded: string[] }>}
 */
export async function fetchModels({ manifestFile, destDir, sourceDir, log = () => {} }) {
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
  const result = { present: [], copied: [], downloaded: [] };
  fs.mkdirSync(destDir, { recursive: true });
  for (const model of manifest.models) {
    const dest = path.join(destDir, model.file);
    if (fs.existsSync(dest) && sha256File(dest) === model.sha256) {
      result.present.push(model.file);
      continue;
    }
    const tmp = `${dest}.partial-${process.pid}`;
    try {
      const local = sourceDir ? path.join(sourceDir, model.file) : null;
      let how;
      if (local && fs.existsSync(local)) {
        fs.copyFileSync(local, tmp);
        how = `copied from ${local}`;
        result.copied.push(model.file);
      } else {
        log(`downloading ${model.file} from ${model.url}`);
        const res = await fetch(model.url).catch((err) => {
          throw new ModelFetchError(`cannot download ${model.file} from ${model.url}: ${err.cause?.code ?? err.message}. ` +
            `Put the file in a directory and set MODELS_SOURCE_DIR to it.`);
        });
        if (!res.ok) throw new ModelFetchError(`cannot download ${model.file}: HTTP ${res.status} from ${model.url}`);
        fs.writeFileSync(tmp, Buffer.from(await res.arrayBuffer()));
        how = `downloaded from ${model.url}`;
        result.downloaded.push(model.file);
      }
      const actual = sha256File(tmp);
      if (actual !== model.sha256) {
        throw new ModelFetchError(`sha256 mismatch for ${model.file} (${how}): expected ${model.sha256}, got ${actual}. ` +
          `The file is corrupt or a different version; it was not installed.`);
      }
      fs.renameSync(tmp, dest);
      log(`${model.file}: ${how}, sha256 ok`);
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
  return result;
}
