/**
 * The web app on one machine: web/app.ts served by @hono/node-server on 127.0.0.1, with the same
 * parts as every handler of this process (shared/wiring/web.ts: DynamoDB Local, local SES through the
 * same mailer and outbox, the local workflow runtime). The session keys are derived from the data
 * folder's reply keyring (REPLY_KEY), as on AWS from the keyring secret, so sessions survive a restart.
 * Never used on AWS, where the function behind API Gateway builds the same app.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { webDeps } from '#shared/wiring/web.ts';
import { createWebApp } from '#web/app.ts';
import { LOCAL_HOST } from './ports.ts';

export interface RunningWeb {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Serves the web app for `programmeId` on 127.0.0.1:`port` (0: a free port). */
export async function startLocalWeb(args: { port: number; programmeId: string }): Promise<RunningWeb> {
  const deps = await webDeps();
  let baseUrl = '';
  // The base URL is known once the port is; the app reads it when it sends a link.
  const app = createWebApp({
    ...deps,
    programmeId: args.programmeId,
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
