import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { restClaims } from '../../../local/api-gateway';
import { loadOrCreateKeys, localIssuer, signToken, TokenError, verifyToken } from '../../../local/token';

const dataDir = mkdtempSync(path.join(tmpdir(), 'token-test-'));
const keys = loadOrCreateKeys(dataDir);
const issuer = localIssuer(3000);
const NOW = Date.UTC(2026, 0, 2, 15, 4, 5);
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('local user pool tokens', () => {
  it('signs an ID token the verifier accepts, with the claims Cognito sets', () => {
    const token = signToken(keys, { issuer, group: 'marketer', now: NOW });
    const claims = verifyToken(token, keys, { issuer, now: NOW + 1000 });
    expect(claims).toMatchObject({
      sub: 'local-marketer',
      'cognito:groups': ['marketer'],
      iss: 'http://localhost:3000/local-user-pool',
      token_use: 'id',
      exp: NOW / 1000 + 12 * 3600,
    });
    expect(JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString())).toEqual({
      alg: 'RS256',
      kid: keys.kid,
      typ: 'JWT',
    });
  });

  it('uses --user as sub', () => {
    const token = signToken(keys, { issuer, group: 'ops', userId: 'u-42', now: NOW });
    expect(verifyToken(token, keys, { issuer, now: NOW }).sub).toBe('u-42');
  });

  it('keeps one key per data dir, across loads', () => {
    const again = loadOrCreateKeys(dataDir);
    expect(again.kid).toBe(keys.kid);
    const token = signToken(keys, { issuer, group: 'admin', now: NOW });
    expect(() => verifyToken(token, again, { issuer, now: NOW })).not.toThrow();
  });

  it('refuses an expired token', () => {
    const token = signToken(keys, { issuer, group: 'admin', now: NOW, ttlSeconds: 60 });
    expect(() => verifyToken(token, keys, { issuer, now: NOW + 61_000 })).toThrow(
      new TokenError('token expired'),
    );
  });

  it('refuses a token signed by another key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = signToken({ privateKey, publicKey, kid: keys.kid }, { issuer, group: 'admin', now: NOW });
    expect(() => verifyToken(forged, keys, { issuer, now: NOW })).toThrow(new TokenError('bad signature'));
  });

  it('refuses a token whose payload was changed after signing', () => {
    const [header, , signature] = signToken(keys, { issuer, group: 'marketer', now: NOW }).split('.');
    const payload = Buffer.from(
      JSON.stringify({
        sub: 'x',
        'cognito:groups': ['admin'],
        iss: issuer,
        token_use: 'id',
        exp: NOW / 1000 + 60,
      }),
    ).toString('base64url');
    expect(() => verifyToken(`${header}.${payload}.${signature}`, keys, { issuer, now: NOW })).toThrow(
      new TokenError('bad signature'),
    );
  });

  it('refuses a token from another issuer (another port)', () => {
    const token = signToken(keys, { issuer: localIssuer(3001), group: 'admin', now: NOW });
    expect(() => verifyToken(token, keys, { issuer, now: NOW })).toThrow(/wrong issuer/);
  });

  it('refuses an access token where an ID token is required', () => {
    const token = signToken(keys, { issuer, group: 'admin', now: NOW, extraClaims: { token_use: 'access' } });
    expect(() => verifyToken(token, keys, { issuer, now: NOW })).toThrow(/wrong token_use/);
  });

  it('refuses alg none and garbage', () => {
    const [, payload] = signToken(keys, { issuer, group: 'admin', now: NOW }).split('.');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', kid: keys.kid })).toString('base64url')}.${payload}.`;
    expect(() => verifyToken(none, keys, { issuer, now: NOW })).toThrow(/unsupported alg/);
    expect(() => verifyToken('abc', keys, { issuer, now: NOW })).toThrow(/not a JWT/);
  });
});

describe('claims as API Gateway REST passes them to the function', () => {
  it('joins cognito:groups with commas and writes times as Java dates', () => {
    const claims = verifyToken(signToken(keys, { issuer, group: 'ops', now: NOW }), keys, {
      issuer,
      now: NOW,
    });
    const passed = restClaims({ ...claims, 'cognito:groups': ['ops', 'admin'] });
    expect(passed['cognito:groups']).toBe('ops,admin');
    expect(passed.exp).toBe('Sat Jan 03 03:04:05 UTC 2026');
    expect(passed.sub).toBe('local-ops');
    expect(Object.values(passed).every((v) => typeof v === 'string')).toBe(true);
  });
});
