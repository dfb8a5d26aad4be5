/**
 * `isms-review web sign-in <email> --json` against the local stack (DynamoDB Local, local SES): it
 * prints a link to the web app that signs in once, after which the start page shows the open
 * cycle; a second use fails; a stranger's address gets no link (exit 1). The web app is served
 * here, in process, with @hono/node-server on the same table, as `npm start` serves it.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import { systemClock } from '#shared/clock.ts';
import { snapshotRefOf } from '#shared/model/programme-ref.ts';
import type { Mailer } from '#shared/mail/outbox.ts';
import { singleKeyring } from '#shared/mail/reply-keyring.ts';
import { deriveSessionKeys } from '#shared/web/session.ts';
import { freshTable } from '#test/support/local-stack.ts';
import { aCycle } from '#test/unit/model/builders.ts';
import { createWebApp, type WebAppDeps } from '#web/app.ts';
import { cli, dataDirFor } from '../cli/support.ts';

let env: Record<string, string>;
let server: ServerType;
let cycleId: string;
let remove: () => Promise<void>;

const unused = new Proxy({}, { get: () => () => Promise.reject(new Error('not used by sign-in')) });

beforeEach(async () => {
  const table = await freshTable('web-sign-in');
  const repo = new DynamoDbRepository({ client: table.client, tableName: table.tableName });
  const app = createWebApp({
    repo,
    clock: systemClock,
    mailer: unused as Mailer,
    outbox: unused as WebAppDeps['outbox'],
    notifier: unused as WebAppDeps['notifier'],
    workflow: unused as WebAppDeps['workflow'],
    evidenceSource: unused as WebAppDeps['evidenceSource'],
    starter: unused as WebAppDeps['starter'],
    env: {},
    heldMailReleaser: unused as WebAppDeps['heldMailReleaser'],
    programmeId: 'example-ltd',
    baseUrl: 'http://127.0.0.1',
    sessionKeys: deriveSessionKeys(singleKeyring(Buffer.alloc(32, 5))),
  });
  server = await new Promise((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const data = await dataDirFor({ env: { ISMS_WEB_URL: url } });
  remove = data.remove;
  env = { ISMS_DATA_DIR: data.dir, TABLE_NAME: table.tableName };
  expect((await cli(['programme', 'apply', 'programme.example.yaml'], { env })).code).toBe(0);
  const programme = snapshotRefOf((await repo.getCurrentProgramme('example-ltd'))!);
  const cycle = aCycle({ programmeId: 'example-ltd', programme, phase: 'AWAITING_INPUTS' });
  await repo.createCycle(cycle, []);
  cycleId = cycle.id;
});

afterEach(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await remove();
});

const setCookie = (response: Response, name: string) =>
  response.headers
    .getSetCookie()
    .find((c) => c.startsWith(`${name}=`))
    ?.split(';')[0];
const csrf = async (response: Response) =>
  /name="_csrf" value="([^"]+)"/.exec(await response.text())?.[1] ?? '';

describe('web sign-in from the CLI', () => {
  it('refuses a careless argument and a stranger’s address (exit 1, no link)', async () => {
    expect((await cli(['web', 'sign-in'], { env })).code).toBe(2);
    expect((await cli(['web', 'sign-in', 'not an address'], { env })).code).toBe(2);
    const stranger = await cli(['web', 'sign-in', 'mallory@evil.example', '--json'], { env });
    expect(stranger.code).toBe(1);
    expect(stranger.out.errors.join('\n')).toContain(
      'mallory@evil.example is not the address of anyone in programme example-ltd',
    );
    expect(JSON.stringify(stranger.out.results)).not.toContain('/sign-in/');
  });

  it('prints a link that signs the ISMS manager in once; the start page then shows the open cycle', async () => {
    const run = await cli(['web', 'sign-in', 'alice.morgan@example.com', '--json'], { env });
    expect(run.out.errors).toEqual([]);
    expect(run.code).toBe(0);
    const { url } = run.out.result1<{ url: string }>();
    expect(run.out.results).toEqual([{ url }]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/sign-in\/[A-Za-z0-9_-]{43}$/);

    const anonymous = await fetch(new URL('/', url), { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(await anonymous.text()).not.toContain(cycleId);

    const redeem = async () => {
      const page = await fetch(url);
      const pre = setCookie(page, 'isms_presession')!;
      return fetch(url, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: pre, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: await csrf(page) }).toString(),
      });
    };
    const first = await redeem();
    expect(first.status).toBe(303);
    const session = setCookie(first, 'isms_session')!;
    const start = await fetch(new URL('/', url), { headers: { cookie: session } });
    expect(start.status).toBe(200);
    expect(await start.text()).toContain(cycleId);

    const second = await redeem();
    expect(second.status).toBe(410);
    expect(setCookie(second, 'isms_session')).toBeUndefined();
  });
});
