/**
 * functions/web.ts: the web app as the Lambda function serves it behind the HTTP API. An event that
 * is not an HTTP API request is refused before anything is built; bad settings are named; the session
 * key is read from its secret once per execution environment; a fixture request for the sign-in page
 * gets the page with the security headers, an anonymous request elsewhere is sent to sign in.
 */
import { readFileSync } from 'node:fs';
import type { Context } from 'aws-lambda';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type * as WebFunction from '#functions/web.ts';
import { WebSettingInvalid } from '#shared/web/errors.ts';
import { newSession, sealSession, SESSION_COOKIE } from '#shared/web/session.ts';
import { Wiring, type Parts } from '#shared/wiring/wiring.ts';
import { memoryWorld, type MemoryWorld } from '#test/support/memory-world.ts';
import { CONTENT_SECURITY_POLICY } from '#web/app.ts';
import { webProgramme } from './support.ts';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:WebSessionKey-AbCdEf';
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

/** A Secrets Manager stand-in holding one secret; it counts the reads. */
function secretsHolding(value: string | undefined) {
  const reads: unknown[] = [];
  const secrets = {
    send: async (command: { input: { SecretId?: string } }) => {
      reads.push(command.input.SecretId);
      if (command.input.SecretId !== SECRET_ARN) throw new Error(`no secret ${command.input.SecretId}`);
      return { SecretString: value };
    },
  } as unknown as Parts['secrets'];
  return { secrets, reads };
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

/** The handler on the world's parts, with the settings and the secret given. */
function handlerOn(settings: Record<string, string>, secrets: Parts['secrets']) {
  const wiring = new Wiring({
    env: {
      ...w.wiring.env,
      PROGRAMME_ID: w.programme.organisation.id,
      WEB_BASE_URL: BASE_URL,
      WEB_SESSION_KEY_SECRET_ARN: SECRET_ARN,
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
      replyKey: w.replyKey,
      secrets,
    },
  });
  return fn.webHandler(() => wiring);
}

describe('the web function', () => {
  it('refuses an event that is not an HTTP API request before building anything', async () => {
    const { secrets, reads } = secretsHolding(KEY_HEX);
    const handler = handlerOn({}, secrets);
    await expect(handler({ cycleId: 'C-20270301T0900Z-Q' }, context)).rejects.toBeInstanceOf(
      fn.InvalidWebEvent,
    );
    // A REST API (payload 1.0) event is not what the HTTP API sends.
    const restEvent = { httpMethod: 'GET', path: '/sign-in', headers: {}, requestContext: {} };
    await expect(handler(restEvent, context)).rejects.toThrow(/not an API Gateway HTTP API request.*version/);
    await expect(handler({ ...signInEvent, rawPath: 'sign-in' }, context)).rejects.toThrow(/rawPath/);
    expect(reads).toEqual([]);
  });

  it('names a session key secret that holds no usable key, and reads it again next time', async () => {
    const notHex = secretsHolding('not a key at all');
    await expect(handlerOn({}, notHex.secrets)(signInEvent, context)).rejects.toThrow(WebSettingInvalid);
    await expect(handlerOn({}, notHex.secrets)(signInEvent, context)).rejects.toThrow(
      /the WEB_SESSION_KEY_SECRET_ARN secret: the web session key must be at least 32 random bytes/,
    );
    const tooShort = secretsHolding('ab'.repeat(16));
    await expect(handlerOn({}, tooShort.secrets)(signInEvent, context)).rejects.toThrow(/at least 32/);
    const empty = secretsHolding(undefined);
    await expect(handlerOn({}, empty.secrets)(signInEvent, context)).rejects.toThrow(/has no text value/);
    // A part that failed is built again by the next request (the secret may be fixed meanwhile).
    const handler = handlerOn({}, empty.secrets);
    await expect(handler(signInEvent, context)).rejects.toThrow(WebSettingInvalid);
    await expect(handler(signInEvent, context)).rejects.toThrow(WebSettingInvalid);
    expect(empty.reads).toHaveLength(3);
  });

  it('names a missing or bad base URL, programme id or secret setting', async () => {
    const { secrets } = secretsHolding(KEY_HEX);
    const run = (settings: Record<string, string>) => handlerOn(settings, secrets)(signInEvent, context);
    await expect(run({ WEB_BASE_URL: '' })).rejects.toThrow(/WEB_BASE_URL is not set/);
    await expect(run({ WEB_BASE_URL: 'http://review.example.com' })).rejects.toThrow(
      /WEB_BASE_URL "http:\/\/review.example.com" must start with https:\/\//,
    );
    await expect(run({ WEB_BASE_URL: 'https://review.example.com/?a=1' })).rejects.toThrow(/no query/);
    await expect(run({ PROGRAMME_ID: 'Not An Id' })).rejects.toThrow(
      /PROGRAMME_ID "Not An Id" is not a programme id/,
    );
    await expect(run({ PROGRAMME_ID: '' })).rejects.toThrow(/PROGRAMME_ID is not set/);
    await expect(run({ WEB_SESSION_KEY_SECRET_ARN: '' })).rejects.toThrow(
      /no web session key: set WEB_SESSION_KEY_SECRET_ARN/,
    );
  });

  it('answers GET /sign-in with the page and the security headers, reading the secret once', async () => {
    const { secrets, reads } = secretsHolding(KEY_HEX);
    const handler = handlerOn({}, secrets);
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
    expect(reads).toEqual([SECRET_ARN]);
  });

  it('sends an anonymous GET / to the sign-in page, and no data', async () => {
    const { secrets } = secretsHolding(KEY_HEX);
    const response = await handlerOn({}, secrets)(eventFor('GET', '/'), context);
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/sign-in');
    expect(response.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(response.body).not.toContain(w.cycleId);
  });

  it('opens a session sealed with the key from the secret, and no session sealed with another', async () => {
    const { secrets } = secretsHolding(KEY_HEX);
    const handler = handlerOn({}, secrets);
    const sealed = (key: Buffer) =>
      `${SESSION_COOKIE}=${sealSession(
        key,
        newSession({
          personId: w.programme.roles.ismsManager,
          programmeId: w.programme.organisation.id,
          now: w.clock.now(),
        }),
      )}`;
    const signedIn = await handler(eventFor('GET', '/', [sealed(Buffer.from(KEY_HEX, 'hex'))]), context);
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.body).toContain(w.cycleId);
    const forged = await handler(eventFor('GET', '/', [sealed(Buffer.alloc(32, 1))]), context);
    expect(forged.statusCode).toBe(303);
    expect(forged.headers.location).toBe('/sign-in');
  });
});
