/**
 * The web app on one machine: web/app.ts served by @hono/node-server on 127.0.0.1, with the same
 * parts as every handler of this process (shared/wiring/web.ts: DynamoDB Local, local SES through the
 * same mailer and outbox, the local workflow runtime). The session key is generated once into the
 * data folder (`web-session-key.hex`, readable by its owner only) so sessions survive a restart.
 * Never used on AWS, where the function behind API Gateway builds the same app.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { sessionKey } from '#shared/web/session.ts';
import { webDeps } from '#shared/wiring/web.ts';
import { createWebApp } from '#web/app.ts';
import { LOCAL_HOST } from './ports.ts';

export const WEB_SESSION_KEY_FILE = 'web-session-key.hex';

export interface RunningWeb {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** The data folder's session key, generated on first use. */
export async function localSessionKey(dataDir: string): Promise<Buffer> {
  const file = join(dataDir, WEB_SESSION_KEY_FILE);
  try {
    return sessionKey((await readFile(file, 'utf8')).trim());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const key = randomBytes(32);
  await writeFile(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' }).catch(
    async (error: unknown) => {
      // Another process wrote it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    },
  );
  return sessionKey((await readFile(file, 'utf8')).trim());
}

/** Serves the web app for `programmeId` on 127.0.0.1:`port` (0: a free port). */
export async function startLocalWeb(args: {
  port: number;
  dataDir: string;
  programmeId: string;
}): Promise<RunningWeb> {
  const key = await localSessionKey(args.dataDir);
  const deps = await webDeps();
  let baseUrl = '';
  // The base URL is known once the port is; the app reads it when it sends a link.
  const app = createWebApp({
    ...deps,
    programmeId: args.programmeId,
    sessionKey: key,
    get baseUrl() {
      return baseUrl;
    },
    clientAddress: (c) => getConnInfo(c).remote.address ?? 'unknown',
  });
  const server: ServerType = await new Promise((resolve, reject) => {
    const started = serve({ fetch: app.fetch, port: args.port, hostname: LOCAL_HOST }, () =>
      resolve(started),
    );
    started.once('error', reject);
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${LOCAL_HOST}:${port}`;
  return {
    url: `${baseUrl}/`,
    port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
