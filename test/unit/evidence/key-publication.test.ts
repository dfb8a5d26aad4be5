/**
 * The custom resource that publishes the anchoring key's public half at deploy time: it always
 * answers CloudFormation at the pre-signed URL (a real HTTP server here), SUCCESS with the key and
 * its fingerprint, or FAILED with the reason.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverCfnResponse } from '#shared/adapters/cfn-response.ts';
import { FileSigner } from '#shared/adapters/file-signer.ts';
import {
  InvalidKeyPublicationRequest,
  KeyPublicationNotDelivered,
  publishAnchorKey,
  type KeyPublicationDeps,
} from '#shared/evidence/key-publication.ts';
import { formatFingerprint, SigningFailed, type AnchorSigner } from '#shared/evidence/signer.ts';

const KEY_ARN = 'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

interface Received {
  method: string;
  contentType: string | undefined;
  body: Record<string, unknown>;
}

let server: Server;
let base: string;
const received: Received[] = [];
let refuse = false;

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  server = createServer((request, response) => {
    void bodyOf(request).then((text) => {
      received.push({
        method: request.method ?? '',
        contentType: request.headers['content-type'],
        body: JSON.parse(text) as Record<string, unknown>,
      });
      response.statusCode = refuse ? 403 : 200;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();

const request = (overrides: Record<string, unknown> = {}) => ({
  RequestType: 'Create',
  ResponseURL: `${base}/response?X-Amz-Signature=abc`,
  StackId: 'arn:aws:cloudformation:eu-central-1:123456789012:stack/IsmsReview/1',
  RequestId: 'req-1',
  LogicalResourceId: 'AnchorPublicKeyReader',
  ResourceType: 'Custom::AnchorPublicKey',
  ResourceProperties: { ServiceToken: 'arn:aws:lambda:...', KeyId: KEY_ARN },
  ...overrides,
});

const deps = (signer: AnchorSigner = new FileSigner(pem)): KeyPublicationDeps & { asked: string[] } => {
  const asked: string[] = [];
  return {
    asked,
    signerFor: (keyId) => {
      asked.push(keyId);
      return signer;
    },
    deliver: deliverCfnResponse,
  };
};

describe('a bad request', () => {
  it('is answered FAILED at its ResponseURL when it has one, naming what is wrong', async () => {
    received.length = 0;
    const d = deps();
    const response = await publishAnchorKey(
      d,
      request({ ResourceProperties: { KeyId: 'alias/not-an-arn' } }),
    );
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/ResourceProperties\.KeyId: expected the anchoring key ARN/);
    expect(received).toHaveLength(1);
    expect(received[0]!.body).toMatchObject({ Status: 'FAILED', RequestId: 'req-1' });
    expect(d.asked).toEqual([]);
  });

  it('without a ResponseURL is an InvalidKeyPublicationRequest', async () => {
    await expect(publishAnchorKey(deps(), { RequestType: 'Create' })).rejects.toThrow(
      InvalidKeyPublicationRequest,
    );
    await expect(publishAnchorKey(deps(), null)).rejects.toThrow(/not a custom resource request/);
  });
});

describe('create and update', () => {
  it('answer SUCCESS with the base64 SPKI public key and its SHA-256 fingerprint, by PUT without a content type', async () => {
    for (const RequestType of ['Create', 'Update']) {
      received.length = 0;
      const d = deps();
      const response = await publishAnchorKey(d, request({ RequestType }));
      expect(d.asked).toEqual([KEY_ARN]);
      const spki = await new FileSigner(pem).publicKey();
      const fingerprint = createHash('sha256').update(spki).digest('hex');
      expect(response.Data).toEqual({
        PublicKey: spki.toString('base64'),
        Fingerprint: fingerprint,
        FingerprintGrouped: formatFingerprint(fingerprint),
      });
      expect(received).toEqual([
        {
          method: 'PUT',
          contentType: '',
          body: {
            Status: 'SUCCESS',
            PhysicalResourceId: KEY_ARN,
            StackId: request().StackId,
            RequestId: 'req-1',
            LogicalResourceId: 'AnchorPublicKeyReader',
            Data: response.Data,
          },
        },
      ]);
    }
  });

  it('answer FAILED with the reason when the key cannot be read', async () => {
    received.length = 0;
    const denied: AnchorSigner = {
      description: `KMS key ${KEY_ARN}`,
      sign: () => Promise.reject(new SigningFailed('not used')),
      publicKey: () =>
        Promise.reject(new SigningFailed('AccessDeniedException: not allowed kms:GetPublicKey')),
    };
    const response = await publishAnchorKey(deps(denied), request());
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/could not be read: SigningFailed: AccessDeniedException/);
    expect(received[0]!.body).toMatchObject({ Status: 'FAILED', PhysicalResourceId: KEY_ARN });
    expect(received[0]!.body.Data).toBeUndefined();
  });

  it('is an error when CloudFormation refuses the answer', async () => {
    refuse = true;
    try {
      await expect(publishAnchorKey(deps(), request())).rejects.toThrow(KeyPublicationNotDelivered);
    } finally {
      refuse = false;
    }
  });
});

describe('delete', () => {
  it('answers SUCCESS for the same physical id and reads nothing (the key is retained)', async () => {
    received.length = 0;
    const d = deps();
    const response = await publishAnchorKey(
      d,
      request({ RequestType: 'Delete', PhysicalResourceId: KEY_ARN }),
    );
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: KEY_ARN });
    expect(response.Data).toBeUndefined();
    expect(d.asked).toEqual([]);
    expect(received).toHaveLength(1);
  });
});
