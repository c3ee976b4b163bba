import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
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

const ALGORITHMS = ['HS256'];

export async function signToken(s: JwtSettings, claims: TokenClaims, audience: Audience, ttlSeconds: number): Promise<string> {
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(s.issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(new TextEncoder().encode(s.secret));
}

/**
 * Verifies signature (HS256 only: `alg: none` and every other algorithm are refused), expiry,
 * issuer and audience. Any failure is an UnauthorizedError saying which check failed.
 */
export async function verifyToken(s: JwtSettings, token: string, audience: Audience): Promise<TokenClaims & { exp: number }> {
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(s.secret), {
      algorithms: ALGORITHMS,
      issuer: s.issuer,
      audience,
      requiredClaims: ['exp', 'sub'],
    });
    return payload as unknown as TokenClaims & { exp: number };
  } catch (err) {
    if (err instanceof joseErrors.JWTExpired) throw new UnauthorizedError('token expired');
    if (err instanceof joseErrors.JWTClaimValidationFailed) throw new UnauthorizedError(`token ${err.claim} claim rejected`);
    if (err instanceof joseErrors.JOSEAlgNotAllowed) throw new UnauthorizedError('token algorithm not allowed');
    throw new UnauthorizedError('invalid token');
  }
}
