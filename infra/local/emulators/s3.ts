/**
 * The local S3: `s3rver`, run in this process, addressed path-style
 * (`ISMS_S3_FORCE_PATH_STYLE=true`: http://127.0.0.1:<port>/<bucket>/<key>).
 *
 * Not emulated by s3rver, so not exercised locally: Object Lock (the evidence bucket's WORM
 * retention on AWS), default encryption with KMS, versioning, bucket policies. Code that
 * depends on them is proved by the CDK template tests, not here.
 *
 * s3rver checks the access key id: it must be `S3RVER` (see LOCAL_CREDENTIALS); signatures
 * are not checked.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import S3rver from 's3rver';
import { LOCAL_HOST } from '../ports.ts';

/** The only key pair s3rver knows; the other emulators accept any. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface S3Options {
  /** 0 or absent: a free port chosen by the OS. */
  port?: number;
  /** Folder for the objects; absent: a temporary folder, deleted when stopped. */
  dataDir?: string;
  /** Buckets to create before the server answers (idempotent). */
  buckets?: string[];
}

export interface RunningS3 {
  endpoint: string;
  port: number;
  directory: string;
  stop(): Promise<void>;
}

export class S3FailedToStart extends Error {
  override name = 'S3FailedToStart' as const;
}

export async function startS3(options: S3Options = {}): Promise<RunningS3> {
  const temporary = options.dataDir === undefined;
  const directory = temporary
    ? await mkdtemp(join(tmpdir(), 'isms-s3-'))
    : resolve(options.dataDir as string);
  await mkdir(directory, { recursive: true });
  const server = new S3rver({
    address: LOCAL_HOST,
    port: options.port ?? 0,
    directory,
    silent: true,
    vhostBuckets: false,
    allowMismatchedSignatures: true,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name, configs: [] })),
  });
  let httpServer: Server;
  try {
    await server.run();
    if (server.httpServer === undefined) throw new Error('s3rver reported no HTTP server');
    httpServer = server.httpServer;
  } catch (error) {
    if (temporary) await rm(directory, { recursive: true, force: true });
    throw new S3FailedToStart(
      `The local S3 could not listen on ${LOCAL_HOST}:${options.port ?? 0}: ${(error as Error).message}`,
    );
  }
  const { port } = httpServer.address() as AddressInfo;
  return {
    endpoint: `http://${LOCAL_HOST}:${port}`,
    port,
    directory,
    async stop() {
      await new Promise<void>((done) => {
        server.close(() => done());
        httpServer.closeAllConnections();
      });
      if (temporary) await rm(directory, { recursive: true, force: true });
    },
  };
}
