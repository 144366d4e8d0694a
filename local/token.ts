import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The local user pool: an RSA key pair that signs ID tokens the way Cognito does (RS256 JWTs with
 * `iss`, `token_use`, `cognito:groups`), and the check the API's Cognito authorizer applies to them.
 *
 * The key is generated once and kept under the data dir, so tokens printed by `npm run token`
 * stay valid across restarts, and `npm run token` works whether the runtime is running or not.
 * The issuer carries the API port, as a Cognito issuer carries the pool id: a token made for one
 * local runtime is not accepted by another one on a different port.
 */

export type LocalKeys = { privateKey: KeyObject; publicKey: KeyObject; kid: string };

export type TokenClaims = {
  sub: string;
  iss: string;
  token_use: string;
  exp: number;
  iat: number;
  'cognito:groups'?: string[];
  [claim: string]: unknown;
};

/** Cognito ID tokens live at most a day; 12 h covers a working day of local use. */
export const TOKEN_TTL_SECONDS = 12 * 3600;

export function localIssuer(port: number): string {
  return `http://localhost:${port}/local-user-pool`;
}

/** Loads the data dir's key pair, creating it on first use. Safe when two processes race. */
export function loadOrCreateKeys(dataDir: string): LocalKeys {
  const dir = path.join(dataDir, 'keys');
  const file = path.join(dir, 'local-user-pool.pem');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    try {
      // link() fails if the file exists, so a concurrent first start keeps exactly one key.
      linkSync(temp, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      rmSync(temp, { force: true });
    }
  }
  const privateKey = createPrivateKey(readFileSync(file));
  const publicKey = createPublicKey(privateKey);
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const kid = createHash('sha256').update(der).digest('base64url').slice(0, 16);
  return { privateKey, publicKey, kid };
}

/** An ID token for one group, as Cognito would issue it to a member of that group. */
export function signToken(
  keys: LocalKeys,
  options: {
    issuer: string;
    group: string;
    userId?: string;
    now?: number;
    ttlSeconds?: number;
    extraClaims?: Record<string, unknown>;
  },
): string {
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const sub = options.userId ?? `local-${options.group}`;
  const claims: TokenClaims = {
    sub,
    'cognito:groups': [options.group],
    'cognito:username': sub,
    iss: options.issuer,
    aud: 'local-console',
    token_use: 'id',
    auth_time: now,
    iat: now,
    exp: now + (options.ttlSeconds ?? TOKEN_TTL_SECONDS),
    ...options.extraClaims,
  };
  const header = { alg: 'RS256', kid: keys.kid, typ: 'JWT' };
  const signingInput = `${base64url(header)}.${base64url(claims)}`;
  const signature = sign('sha256', Buffer.from(signingInput), keys.privateKey).toString('base64url');
  return `${signingInput}.${signature}`;
}

export class TokenError extends Error {}

/**
 * What API Gateway's Cognito authorizer checks: an RS256 signature by the pool's key, not expired,
 * issued by the pool, and the expected `token_use` (`id` unless the method asks for OAuth scopes).
 * Throws a TokenError saying which check failed; the API answers 401 either way.
 */
export function verifyToken(
  token: string,
  keys: Pick<LocalKeys, 'publicKey' | 'kid'>,
  options: { issuer: string; tokenUse?: 'id' | 'access'; now?: number },
): TokenClaims {
  const parts = token.split('.');
  if (parts.length !== 3) throw new TokenError('not a JWT');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodePart(headerPart) as { alg?: string; kid?: string };
  // Never let the token choose its algorithm (`none`, HS256 with the public key as secret...).
  if (header.alg !== 'RS256') throw new TokenError(`unsupported alg ${String(header.alg)}`);
  if (header.kid !== keys.kid) throw new TokenError('unknown signing key');
  const valid = verify(
    'sha256',
    Buffer.from(`${headerPart}.${payloadPart}`),
    keys.publicKey,
    Buffer.from(signaturePart, 'base64url'),
  );
  if (!valid) throw new TokenError('bad signature');
  const claims = decodePart(payloadPart) as TokenClaims;
  const now = (options.now ?? Date.now()) / 1000;
  if (typeof claims.exp !== 'number' || claims.exp <= now) throw new TokenError('token expired');
  if (claims.iss !== options.issuer) throw new TokenError(`wrong issuer ${String(claims.iss)}`);
  if (claims.token_use !== (options.tokenUse ?? 'id'))
    throw new TokenError(`wrong token_use ${claims.token_use}`);
  if (typeof claims.sub !== 'string') throw new TokenError('no sub');
  return claims;
}

/** The pool's public key as a JWKS document, served at `<issuer>/.well-known/jwks.json`. */
export function jwks(keys: LocalKeys) {
  return { keys: [{ ...keys.publicKey.export({ format: 'jwk' }), kid: keys.kid, alg: 'RS256', use: 'sig' }] };
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodePart(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw new TokenError('not a JWT');
  }
}
