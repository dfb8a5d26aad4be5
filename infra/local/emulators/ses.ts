/**
 * The local SES: `aws-ses-v2-local`, run in this process.
 *
 * What it accepts: SES v1 `SendEmail` and `SendRawEmail` (form-encoded POST /, the protocol
 * `@aws-sdk/client-ses` speaks), SES v2 `SendEmail`/`SendBulkEmail` and the v2 template API.
 * Any other v1 action (e.g. `GetSendQuota`) gets no answer at all: callers time out.
 * It does not enforce identities, configuration sets or sending limits, and records no
 * delivery or bounce events.
 *
 * What it keeps, in memory for the life of the process (and, with `dataDir`, in a file that the
 * next run loads: see keepMailboxIn): one record per sent message with from, reply-to, to/cc/bcc
 * (read from the MIME headers for raw mail), subject, text, html and attachments (base64). Raw
 * mail headers other than those are not kept.
 * Its HTTP endpoints besides the SES API:
 *   GET  /            the mailbox web page
 *   GET  /store       JSON { emails: [...] }; ?since=<epoch seconds> filters by time
 *   POST /clear-store empties the store (every test sharing the emulator sees it empty)
 *   GET  /health-check
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import sesModule from 'aws-ses-v2-local';
import { getStoreReadonly, type Email } from 'aws-ses-v2-local/dist/store.js';
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
  /**
   * Folder where the mailbox is kept (`mailbox.jsonl`), so that what was sent is still on the
   * mailbox page after a restart, or a crash; absent: in memory only. See `keepMailboxIn`.
   */
  dataDir?: string;
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
  if (options.dataDir !== undefined) keepMailboxIn(options.dataDir);
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

export const MAILBOX_FILE = 'mailbox.jsonl';

/**
 * Keeps the emulator's mailbox in `<dataDir>/mailbox.jsonl`: loads what an earlier run sent, and
 * appends every message as the emulator stores it, before the SES call answers (a synchronous
 * append), so a message SES accepted is on file even if the process is killed at once after.
 * POST /clear-store empties the file too.
 *
 * aws-ses-v2-local keeps its mailbox in one module-level store for the whole process, so there is
 * one mailbox per process: the last folder given wins. A line that cannot be read (the tail of a
 * write cut short by a kill) is skipped.
 */
export function keepMailboxIn(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, MAILBOX_FILE);
  const loaded: Email[] = [];
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      loaded.push(JSON.parse(line) as Email);
    } catch {
      // A torn last line: that message's send never answered.
    }
  }
  const lines = (items: readonly Email[]) => items.map((item) => `${JSON.stringify(item)}\n`).join('');
  // Drop a torn line now, so that the next message starts on a line of its own.
  if (text !== lines(loaded)) writeFileSync(file, lines(loaded));
  const persisted = (emails: Email[]): Email[] => {
    const push = Array.prototype.push;
    Object.defineProperty(emails, 'push', {
      enumerable: false,
      value: (...items: Email[]): number => {
        appendFileSync(file, lines(items));
        return push.apply(emails, items);
      },
    });
    return emails;
  };
  const store = getStoreReadonly();
  let emails = persisted(loaded);
  Object.defineProperty(store, 'emails', {
    configurable: true,
    enumerable: true,
    get: () => emails,
    // clearStore() assigns a new, empty array.
    set: (next: Email[]) => {
      writeFileSync(file, lines(next));
      emails = persisted([...next]);
    },
  });
}
