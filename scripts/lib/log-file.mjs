// LOG_FILE for `npm start`: the servers write JSON lines to their stdout; start.mjs is the only writer of
// the file, so rotation needs no locking. Size-based: past `maxBytes` the file becomes `<file>.1`, `.1`
// becomes `.2`, …, and the oldest beyond `keep` is deleted.
import fs from 'node:fs';
import path from 'node:path';

/** @param {string} file @param {{ maxBytes?: number, keep?: number }} [opts] */
export function rotatingLog(file, { maxBytes = 20 * 1024 * 1024, keep = 5 } = {}) {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let fd = fs.openSync(file, 'a', 0o600);
  let closed = false;
  let size = fs.fstatSync(fd).size;
  const rotate = () => {
    fs.closeSync(fd);
    fs.rmSync(`${file}.${keep}`, { force: true });
    for (let i = keep - 1; i >= 1; i--) if (fs.existsSync(`${file}.${i}`)) fs.renameSync(`${file}.${i}`, `${file}.${i + 1}`);
    if (keep > 0) fs.renameSync(file, `${file}.1`);
    else fs.rmSync(file, { force: true });
    fd = fs.openSync(file, 'a', 0o600);
    size = 0;
  };
  return {
    /** Writes whole lines only, so a JSON line is never split across two files. */
    write(line) {
      if (closed) return;
      const bytes = Buffer.byteLength(line);
      if (size > 0 && size + bytes > maxBytes) rotate();
      fs.writeSync(fd, line);
      size += bytes;
    },
    close() {
      if (!closed) fs.closeSync(fd);
      closed = true;
    },
  };
}

/** Turns a stream of chunks into whole lines (with their newline) for `onLine`. */
export function splitLines(onLine) {
  let pending = '';
  return (chunk) => {
    pending += chunk.toString();
    let i;
    while ((i = pending.indexOf('\n')) >= 0) {
      onLine(pending.slice(0, i + 1));
      pending = pending.slice(i + 1);
    }
  };
}
