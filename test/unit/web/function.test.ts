/**
 * functions/web.ts: the web app as the Lambda function serves it behind the HTTP API. An event that
 * is not an HTTP API request is refused before anything is built; bad settings are named; the session
 * keys are derived from the reply keyring (REPLY_KEY here, its secret on AWS) once per execution
 * environment; a fixture request for the sign-in page gets the page with the security headers, an
 * anonymous request elsewhere is sent to sign in.
 */
import { readFileSync } from 'node:fs';
import type { Context } from 'aws-lambda';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type * as WebFunction from '#functions/web.ts';
import { MissingReplyKey } from '#shared/adapters/reply-key-secret.ts';
import {
  rotateReplyKeyring,
  serializeReplyKeyring,
  singleKeyring,
  type ReplyKeyring,
} from '#shared/mail/reply-keyring.ts';
import { deriveSessionKeys, newSession, sealSession, SESSION_COOKIE } from '#shared/web/session.ts';
import { Wiring } from '#shared/wiring/wiring.ts';
import { memoryWorld, type MemoryWorld } from '#test/support/memory-world.ts';
import { CONTENT_SECURITY_POLICY } from '#web/app.ts';
import { webProgramme } from './support.ts';

const KEY_HEX = 'a1'.repeat(32);
const BASE_URL = 'https://abcdef1234.execute-api.eu-central-1.amazonaws.com';
const context = { functionName: 'web', awsRequestId: 'r-1' } as Context;

/** The fixture: GET /sign-in as the HTTP API hands it to the function (payload format 2.0). */
const signInEvent = JSON.parse(
  readFileSync(new URL('../../fixtures/web/http-api-get-sign-in.json', import.meta.url), 'utf8'),
) as Record<string, unknown> & { requestContext: { http: Record<string, unknown> } };

/** The fixture for another method and path, with cookies as the HTTP API passes them. */
function eventFor(method: string, path: string, cookies?: string[]) {
  return {
    ...signInEvent,
    rawPath: path,
    requestContext: {
      ...signInEvent.requestContext,
      http: { ...signInEvent.requestContext.http, method, path },
    },
    ...(cookies ? { cookies } : {}),
  };
}

let fn: typeof WebFunction;
let w: MemoryWorld;

beforeAll(async () => {
  // No metrics output from these invocations (read when the metrics object is made).
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'CRITICAL';
  fn = await import('#functions/web.ts');
});

beforeEach(async () => {
  w = await memoryWorld({ programme: webProgramme() });
});

/** The handler on the world's parts, with the settings given (REPLY_KEY: the keyring's text). */
function handlerOn(settings: Record<string, string>) {
  const wiring = new Wiring({
    env: {
      ...w.wiring.env,
      PROGRAMME_ID: w.programme.organisation.id,
      WEB_BASE_URL: BASE_URL,
      REPLY_KEY: KEY_HEX,
      ...settings,
    },
    overrides: {
      repo: w.repo,
      clock: w.clock,
      workflow: w.workflow,
      evidence: w.evidence,
      rawMail: w.rawMail,
      mailer: w.mailer,
      outbox: w.outbox,
    },
  });
  return fn.webHandler(() => wiring);
}

/** The keyring REPLY_KEY holds by default. */
const ring = () => singleKeyring(Buffer.from(KEY_HEX, 'hex'));

/** A session cookie of the ISMS manager, sealed under the session keys of `keyring`. */
const sealedUnder = (keyring: ReplyKeyring) =>
  `${SESSION_COOKIE}=${sealSession(
    deriveSessionKeys(keyring),
    newSession({
      personId: w.programme.roles.ismsManager,
      programmeId: w.programme.organisation.id,
      now: w.clock.now(),
    }),
  )}`;

describe('the web function', () => {
  it('refuses an event that is not an HTTP API request before building anything', async () => {
    // No reply keyring at all: an event refused first never gets as far as the keys.
    const handler = handlerOn({ REPLY_KEY: '' });
    await expect(handler({ cycleId: 'C-20270301T0900Z-Q' }, context)).rejects.toBeInstanceOf(
      fn.InvalidWebEvent,
    );
    // A REST API (payload 1.0) event is not what the HTTP API sends.
    const restEvent = { httpMethod: 'GET', path: '/sign-in', headers: {}, requestContext: {} };
    await expect(handler(restEvent, context)).rejects.toThrow(/not an API Gateway HTTP API request.*version/);
    await expect(handler({ ...signInEvent, rawPath: 'sign-in' }, context)).rejects.toThrow(/rawPath/);
  });

  it('names a reply keyring that gives no session keys, missing or unusable', async () => {
    const run = (settings: Record<string, string>) => handlerOn(settings)(signInEvent, context);
    await expect(run({ REPLY_KEY: 'not a key at all' })).rejects.toThrow(MissingReplyKey);
    await expect(run({ REPLY_KEY: 'not a key at all' })).rejects.toThrow(
      /no usable reply-token key in REPLY_KEY/,
    );
    await expect(run({ REPLY_KEY: 'ab'.repeat(8) })).rejects.toThrow(/at least 32/);
    await expect(run({ REPLY_KEY: '' })).rejects.toThrow(/no reply-token key: set REPLY_KEY_SECRET_ARN/);
  });

  it('names a missing or bad base URL or programme id', async () => {
    const run = (settings: Record<string, string>) => handlerOn(settings)(signInEvent, context);
    await expect(run({ WEB_BASE_URL: '' })).rejects.toThrow(/WEB_BASE_URL is not set/);
    await expect(run({ WEB_BASE_URL: 'http://review.example.com' })).rejects.toThrow(
      /WEB_BASE_URL "http:\/\/review.example.com" must start with https:\/\//,
    );
    await expect(run({ WEB_BASE_URL: 'https://review.example.com/?a=1' })).rejects.toThrow(/no query/);
    await expect(run({ PROGRAMME_ID: 'Not An Id' })).rejects.toThrow(
      /PROGRAMME_ID "Not An Id" is not a programme id/,
    );
    await expect(run({ PROGRAMME_ID: '' })).rejects.toThrow(/PROGRAMME_ID is not set/);
  });

  it('answers GET /sign-in with the page and the security headers', async () => {
    const handler = handlerOn({});
    const response = await handler(signInEvent, context);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.isBase64Encoded).toBe(false);
    expect(response.body).toContain('name="_csrf"');
    // The form's nonce cookie comes back in the payload 2.0 `cookies` list, HttpOnly and Secure.
    const cookies = (response as { cookies?: string[] }).cookies ?? [];
    expect(
      cookies.some((c) => c.startsWith('isms_presession=') && /HttpOnly/i.test(c) && /Secure/i.test(c)),
    ).toBe(true);
    expect((await handler(signInEvent, context)).statusCode).toBe(200);
  });

  it('sends an anonymous GET / to the sign-in page, and no data', async () => {
    const response = await handlerOn({})(eventFor('GET', '/'), context);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/sign-in');
    expect(response.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(response.body).not.toContain(w.cycleId);
  });

  it('opens a session sealed under its reply keyring, and none sealed under another', async () => {
    const handler = handlerOn({});
    const forged = await handler(
      eventFor('GET', '/', [sealedUnder(singleKeyring(Buffer.alloc(32, 1)))]),
      context,
    );
    expect(forged.statusCode).toBe(303);
    expect(forged.headers.location).toBe('/sign-in');
    const signedIn = await handler(eventFor('GET', '/', [sealedUnder(ring())]), context);
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.body).toContain(w.cycleId);
  });

  it('after a rotation of the keyring, opens sessions sealed under the old key and under the new one', async () => {
    // Two rotations: generation c signs, b is retired but kept while addresses it signed may return.
    const random = (size: number) => Buffer.alloc(size, 2);
    const now = w.clock.now();
    const rotated = rotateReplyKeyring(rotateReplyKeyring(ring(), { now, random }), { now, random });
    expect(rotated.current).toBe('c');
    const handler = handlerOn({ REPLY_KEY: serializeReplyKeyring(rotated) });
    expect((await handler(eventFor('GET', '/', [sealedUnder(ring())]), context)).statusCode).toBe(200);
    expect((await handler(eventFor('GET', '/', [sealedUnder(rotated)]), context)).statusCode).toBe(200);
  });
});
