/**
 * What the fault tests start from: a fresh table, the example programme with addresses unique to the
 * test (the local SES mailbox is shared), the handlers' environment pointed at the local stack and
 * that table, and simulated time published the way the local runtime publishes it (ISMS_CLOCK).
 *
 * `FlakyProxy` stands between a client and an emulator over real HTTP: while down it cuts every
 * connection it receives, as an unreachable or failing service does; up, it forwards everything.
 */
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import { DynamoOutboxStore } from '#shared/adapters/outbox-dynamodb.ts';
import { CLOCK_ENV_VAR } from '#shared/clock.ts';
import { canonicalHash } from '#shared/model/canonical-json.ts';
import { cycleIdFor } from '#shared/model/ids.ts';
import { loadProgrammeFile } from '#shared/programme/load.ts';
import type { Programme } from '#shared/programme/schema.ts';
import { resetWiring } from '#shared/wiring/wiring.ts';
import { applyLocalEnv, freshTable } from '#test/support/local-stack.ts';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export interface FaultWorld {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly repo: DynamoDbRepository;
  readonly outbox: DynamoOutboxStore;
  readonly programme: Programme;
  readonly start: Date;
  readonly cycleId: string;
  /** What a scheduled start sends to open-cycle (executionName = cycle id). */
  readonly openRequest: { executionName: string; request: Record<string, unknown> };
}

/** Publishes `at` as the simulated now to every clock built from the environment. */
export function setClock(at: Date): void {
  process.env[CLOCK_ENV_VAR] = JSON.stringify({
    speed: 1,
    realAnchorMs: Date.now(),
    simulatedAnchorMs: at.getTime(),
  });
}

export async function faultWorld(prefix: string): Promise<FaultWorld> {
  applyLocalEnv();
  const { client, tableName } = await freshTable(prefix);
  const base = loadProgrammeFile('programme.example.yaml');
  const suffix = randomUUID().slice(0, 8);
  const programme: Programme = {
    ...base,
    people: base.people.map((person) => ({ ...person, email: `${person.id}.${suffix}@example.com` })),
  };
  Object.assign(process.env, {
    TABLE_NAME: tableName,
    PROGRAMME_ID: programme.organisation.id,
    MAIL_FROM: programme.mail.fromAddress,
    INBOUND_DOMAIN: programme.mail.inboundDomain,
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  resetWiring();
  const repo = new DynamoDbRepository({ client, tableName });
  // A start minute of its own: cycle ids (and their evidence keys in the shared bucket) never collide.
  const start = new Date(Date.UTC(2027, 0, 4, 9, 0) + Math.floor(Math.random() * 500_000) * 60_000);
  await repo.saveProgrammeVersion({
    programmeId: programme.organisation.id,
    version: 1,
    hash: canonicalHash(programme),
    savedAt: new Date(start.getTime() - 86_400_000).toISOString(),
    savedBy: 'alice',
    document: programme as unknown as Record<string, unknown>,
  });
  setClock(start);
  const cycleId = cycleIdFor('quarterly', start);
  return {
    client,
    tableName,
    repo,
    outbox: new DynamoOutboxStore({ client, tableName }),
    programme,
    start,
    cycleId,
    openRequest: {
      executionName: cycleId,
      request: {
        programmeId: programme.organisation.id,
        type: 'quarterly',
        scheduledTime: start.toISOString(),
      },
    },
  };
}

export class FlakyProxy {
  down = false;
  /** Go down by itself once this many requests were forwarded. */
  downAfter = Infinity;
  /** Requests forwarded while up, and requests cut while down. */
  forwarded = 0;
  cut = 0;
  endpoint = '';
  private readonly server: Server;

  private constructor(to: URL) {
    this.server = createServer((req, res) => {
      if (this.down) {
        this.cut += 1;
        req.socket.destroy();
        return;
      }
      this.forwarded += 1;
      if (this.forwarded >= this.downAfter) this.down = true;
      const upstream = httpRequest(
        { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => req.socket.destroy());
      req.pipe(upstream);
    });
  }

  static async start(target: string): Promise<FlakyProxy> {
    const proxy = new FlakyProxy(new URL(target));
    await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
    proxy.endpoint = `http://127.0.0.1:${(proxy.server.address() as AddressInfo).port}`;
    return proxy;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
