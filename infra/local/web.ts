/**
 * The web app on one machine: web/app.ts served by @hono/node-server on 127.0.0.1, with the same
 * parts as every handler of this process (shared/wiring/web.ts: DynamoDB Local, local SES through the
 * same mailer and outbox, the local workflow runtime; held mail released by the inbound mail pipeline
 * in this process, where on AWS the ingest function releases it). The session keys are derived from the data
 * folder's reply keyring (REPLY_KEY), as on AWS from the keyring secret, so sessions survive a restart.
 * Never used on AWS, where the function behind API Gateway builds the same app.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { ingestReleaser } from '#shared/wiring/ingest.ts';
import { webParts } from '#shared/wiring/web.ts';
import { wire } from '#shared/wiring/wiring.ts';
import { createWebApp } from '#web/app.ts';
import { LOCAL_HOST } from './ports.ts';

export interface RunningWeb {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** The web app's parts on one machine: held mail is released by the pipeline in this process. */
const localWebDeps = wire({ ...webParts, heldMailReleaser: ingestReleaser });

/** Serves the web app for `programmeId` on 127.0.0.1:`port` (0: a free port). */
export async function startLocalWeb(args: { port: number; programmeId: string }): Promise<RunningWeb> {
  const deps = await localWebDeps();
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
