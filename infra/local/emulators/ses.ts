/**
 * The local SES: `aws-ses-v2-local`, run in this process.
 *
 * What it accepts: SES v1 `SendEmail` and `SendRawEmail` (form-encoded POST /, the protocol
 * `@aws-sdk/client-ses` speaks), SES v2 `SendEmail`/`SendBulkEmail` and the v2 template API.
 * Any other v1 action (e.g. `GetSendQuota`) gets no answer at all: callers time out.
 * It does not enforce identities, configuration sets or sending limits, and records no
 * delivery or bounce events.
 *
 * What it keeps, in memory for the life of the process: one record per sent message with
 * from, reply-to, to/cc/bcc (read from the MIME headers for raw mail), subject, text, html
 * and attachments (base64). Raw mail headers other than those are not kept.
 * Its HTTP endpoints besides the SES API:
 *   GET  /            the mailbox web page
 *   GET  /store       JSON { emails: [...] }; ?since=<epoch seconds> filters by time
 *   POST /clear-store empties the store (every test sharing the emulator sees it empty)
 *   GET  /health-check
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sesModule from 'aws-ses-v2-local';
import { LOCAL_HOST } from '../ports.ts';

type StartSesServer = (config?: { host?: string; port?: number }) => Promise<Server>;

/**
 * aws-ses-v2-local is CommonJS with `exports.default`: Node's ESM loader hands over the whole
 * exports object as the default import, bundlers and tsx the function itself.
 */
const startSesServer: StartSesServer =
  typeof sesModule === 'function'
    ? (sesModule as unknown as StartSesServer)
    : (sesModule as unknown as { default: StartSesServer }).default;

export interface SesOptions {
  /** 0 or absent: a free port chosen by the OS. */
  port?: number;
}

export interface RunningSes {
  /** The SES API endpoint (AWS_ENDPOINT_URL_SES). */
  endpoint: string;
  /** The mailbox web page. */
  mailboxUrl: string;
  port: number;
  stop(): Promise<void>;
}

export class SesFailedToStart extends Error {
  override name = 'SesFailedToStart' as const;
}

export async function startSes(options: SesOptions = {}): Promise<RunningSes> {
  let server: Server;
  try {
    server = await listenOrFail(options.port ?? 0);
  } catch (error) {
    throw new SesFailedToStart(
      `The local SES could not listen on ${LOCAL_HOST}:${options.port ?? 0}: ${(error as Error).message}`,
    );
  }
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://${LOCAL_HOST}:${port}`;
  return {
    endpoint,
    mailboxUrl: `${endpoint}/`,
    port,
    stop: () => closeServer(server),
  };
}

/**
 * aws-ses-v2-local resolves even when listening failed (Express 5 hands the error to its
 * callback, which ignores it), so check that the server really listens.
 */
async function listenOrFail(port: number): Promise<Server> {
  const server = await startSesServer({ host: LOCAL_HOST, port });
  if (!server.listening) {
    server.close();
    throw new Error(`port ${port} is in use`);
  }
  return server;
}

export async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
