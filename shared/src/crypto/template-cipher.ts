import crypto from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM for face templates. The authenticated data binds a ciphertext to its student and
 * template id: a row copied onto another student, or edited, fails to decrypt instead of matching.
 */
export class TemplateCipher {
  private readonly keys: ReadonlyMap<string, Buffer>;

  /**
   * `key`/`keyId` encrypt; `previous` keys (by id) only decrypt, for rows not yet re-encrypted
   * during a key rotation.
   */
  constructor(private readonly key: Buffer, readonly keyId: string, previous: ReadonlyMap<string, Buffer> = new Map()) {
    for (const k of [key, ...previous.values()]) if (k.length !== 32) throw new RangeError('template keys must be 32 bytes');
    this.keys = new Map([...previous, [keyId, key]]);
  }

  /** Whether a row encrypted under `keyId` can be read. */
  knows(keyId: string): boolean { return this.keys.has(keyId); }

  encrypt(vector: Float32Array, studentId: number, templateId: string): Buffer {
    const iv = crypto.randomBytes(IV_BYTES);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(aad(studentId, templateId));
    const body = Buffer.concat([cipher.update(Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength)), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }

  /** Throws if the key, the student id, the template id or the bytes are not the ones encrypted. */
  decrypt(blob: Buffer, studentId: number, templateId: string, keyId: string = this.keyId): Float32Array {
    const key = this.keys.get(keyId);
    if (!key) throw new Error(`no template key with id ${keyId}`);
    const iv = blob.subarray(0, IV_BYTES);
    const tag = blob.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(aad(studentId, templateId));
    decipher.setAuthTag(tag);
    const plain = Buffer.concat([decipher.update(blob.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    // Copy into an aligned buffer: a Float32Array view needs a 4-byte-aligned offset.
    return new Float32Array(new Uint8Array(plain).buffer);
  }
}

function aad(studentId: number, templateId: string): Buffer {
  return Buffer.from(`face-template:v1:${studentId}:${templateId}`);
}
