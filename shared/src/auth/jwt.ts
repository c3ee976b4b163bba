import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Role } from '../entities/user.entity.js';
import { UnauthorizedError } from '../errors.js';

/** Who a token is for. The engine accepts `engine`; the admin server's read API accepts `admin-api`. */
export type Audience = 'engine' | 'admin-api';

export interface TokenClaims {
  /** user id as a string, or `apikey:<id>` */
  sub: string;
  username: string;
  role: Role;
  /** A token narrowed to one purpose, e.g. liveness registration of one student. */
  scope?: string;
  studentId?: number;
}

export interface JwtSettings {
  secret: string;
  issuer: string;
}

/** Pinned: `alg: none`, the RS/ES family (key confusion) and every other HMAC are refused. */
const ALGORITHM = 'HS256' as const;

/**
 * The secret as a KeyObject, made once. Given a string, jsonwebtoken first tries to parse it as a PEM key
 * (OpenSSL's decoders) and only then uses it as an HMAC secret: 0.36 ms per verify here against 0.008 ms
 * with a KeyObject, on the engine's thread for every request. Same bytes as jsonwebtoken's own fallback.
 */
const keys = new Map<string, KeyObject>();
function hmacKey(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    if (keys.size >= 8) keys.clear(); // a process sees one or two secrets (rotation); never let this grow
    key = createSecretKey(Buffer.from(secret));
    keys.set(secret, key);
  }
  return key;
}

/** The one place tokens are signed (with `jsonwebtoken`): HS256, issuer, audience, issued-at and expiry always set. */
export async function signToken(s: JwtSettings, claims: TokenClaims, audience: Audience, ttlSeconds: number): Promise<string> {
  return jwt.sign({ ...claims }, hmacKey(s.secret), { algorithm: ALGORITHM, issuer: s.issuer, audience, expiresIn: ttlSeconds, header: { alg: ALGORITHM, typ: 'JWT' } });
}

/**
 * Verifies signature (HS256 only), expiry (required), issuer and audience. Any failure is an
 * UnauthorizedError saying which check failed.
 */
export async function verifyToken(s: JwtSettings, token: string, audience: Audience): Promise<TokenClaims & { exp: number }> {
  let payload: string | jwt.JwtPayload;
  try {
    payload = jwt.verify(token, hmacKey(s.secret), { algorithms: [ALGORITHM], issuer: s.issuer, audience });
  } catch (err) {
    if (err instanceof jwt.TokenExpiredError) throw new UnauthorizedError('token expired');
    const message = err instanceof Error ? err.message : '';
    if (/audience/.test(message)) throw new UnauthorizedError('token aud claim rejected');
    if (/issuer/.test(message)) throw new UnauthorizedError('token iss claim rejected');
    if (/algorithm/.test(message)) throw new UnauthorizedError('token algorithm not allowed');
    throw new UnauthorizedError('invalid token');
  }
  if (typeof payload === 'string' || typeof payload.exp !== 'number') throw new UnauthorizedError('token exp claim missing');
  if (typeof payload.sub !== 'string' || typeof payload.username !== 'string' || typeof payload.role !== 'string') throw new UnauthorizedError('token claims incomplete');
  return payload as unknown as TokenClaims & { exp: number };
}
