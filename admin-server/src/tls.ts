import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, type Config } from '@attendance/shared';

export interface TlsFiles { cert: Buffer; key: Buffer; certFile: string; names: string[] }

/** Host names and addresses this machine answers to on the school network (and locally). */
export function machineNames(extra: readonly string[] = []): string[] {
  const host = os.hostname();
  // IPv4 only: schools type 192.168.x.y; an IPv6 address (often temporary) would force a new certificate on each change.
  const addresses = Object.values(os.networkInterfaces()).flat().filter((i) => i && !i.internal && i.family === 'IPv4').map((i) => i!.address);
  return [...new Set([...extra, host, `${host}.local`, 'localhost', '127.0.0.1', ...addresses].filter(Boolean))];
}

/**
 * The certificate the HTTPS panel serves: the school's own (TLS_CERT_FILE + TLS_KEY_FILE), or with
 * TLS_SELF_SIGNED a certificate generated once into DATA_DIR/tls for this machine's names (and TLS_HOSTNAMES),
 * regenerated when a name is missing. null when HTTPS is off.
 */
export function loadTls(config: Config): TlsFiles | null {
  if (config.TLS_CERT_FILE && config.TLS_KEY_FILE) {
    return { cert: fs.readFileSync(config.TLS_CERT_FILE), key: fs.readFileSync(config.TLS_KEY_FILE), certFile: config.TLS_CERT_FILE, names: [] };
  }
  if (config.TLS_CERT_FILE || config.TLS_KEY_FILE) throw new ConfigError('TLS_CERT_FILE and TLS_KEY_FILE go together: set both, or neither', ['TLS_CERT_FILE', 'TLS_KEY_FILE']);
  if (!config.TLS_SELF_SIGNED) return null;
  const names = machineNames(config.TLS_HOSTNAMES.split(',').map((n) => n.trim()));
  const dir = path.join(config.DATA_DIR, 'tls');
  const certFile = path.join(dir, 'panel-certificate.crt');
  const keyFile = path.join(dir, 'panel-key.pem');
  if (!fs.existsSync(certFile) || !coversAll(fs.readFileSync(certFile), names)) generateSelfSigned(certFile, keyFile, names);
  return { cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile), certFile, names };
}

function coversAll(pem: Buffer, names: string[]): boolean {
  const san = new crypto.X509Certificate(pem).subjectAltName ?? '';
  return names.every((n) => san.includes(net.isIP(n) ? `IP Address:${n}` : `DNS:${n}`));
}

/**
 * A self-signed certificate that is also its own CA, so a school can install it once as trusted on its
 * devices (or accept the browser's warning once). Made with the `openssl` command every Debian has.
 */
function generateSelfSigned(certFile: string, keyFile: string, names: string[]): void {
  fs.mkdirSync(path.dirname(certFile), { recursive: true, mode: 0o700 });
  const san = names.map((n) => (net.isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '825',
      '-subj', `/CN=${names[0]}/O=Face Attendance (self-signed)`, '-keyout', keyFile, '-out', certFile,
      '-addext', `subjectAltName=${san}`, '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0',
      '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign', '-addext', 'extendedKeyUsage=serverAuth'], { stdio: 'pipe' });
  } catch (err) {
    throw new ConfigError(`TLS_SELF_SIGNED: could not generate a certificate with openssl (${(err as Error).message.split('\n')[0]}). Install openssl, or give TLS_CERT_FILE and TLS_KEY_FILE.`, ['TLS_SELF_SIGNED']);
  }
  fs.chmodSync(keyFile, 0o600);
}
