/**
 * The anchoring key: the local file signer for real (P-256 key pair in the data folder, mode 0600,
 * created once and reused), the KMS adapter's parameters and failures (aws-sdk-client-mock), and
 * the fingerprint forms people type.
 */
import { generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetPublicKeyCommand, KMSClient, KMSServiceException, SignCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  ANCHOR_SIGNING_KEY_FILE,
  FileSigner,
  localSigningKey,
  newSigningKeyPem,
} from '#shared/adapters/file-signer.ts';
import { KmsSigner } from '#shared/adapters/kms-signer.ts';
import {
  anchorKeyFromPem,
  anchorKeyOf,
  formatFingerprint,
  InvalidAnchorKey,
  parseFingerprint,
  SigningFailed,
  verifySignature,
} from '#shared/evidence/signer.ts';

const folders: string[] = [];
afterAll(async () => {
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

describe('the local anchoring key', () => {
  it('is created once in the data folder (mode 0600) and reused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'isms-signer-'));
    folders.push(dir);
    const first = await localSigningKey(dir);
    const file = join(dir, ANCHOR_SIGNING_KEY_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await localSigningKey(dir)).toBe(first);
    expect(await readFile(file, 'utf8')).toBe(first);
  });

  it('signs ECDSA P-256 / SHA-256 signatures that node:crypto verifies with the public key only', async () => {
    const signer = new FileSigner(newSigningKeyPem());
    const key = await anchorKeyOf(signer);
    const data = Buffer.from('{"head":{"hash":"ab","seq":1}}');
    const signature = await signer.sign(data);
    expect(verifySignature(key, data, signature)).toBe(true);
    expect(verifySignature(key, data, signature.toString('base64'))).toBe(true);
    expect(verifySignature(key, Buffer.from('{"head":{"hash":"ac","seq":1}}'), signature)).toBe(false);
    expect(verifySignature(key, data, Buffer.from('not DER'))).toBe(false);
    expect(key.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(anchorKeyFromPem(key.pem).fingerprint).toBe(key.fingerprint);
  });

  it('refuses a key that is not P-256', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    expect(() => new FileSigner(String(privateKey.export({ format: 'pem', type: 'pkcs8' })))).toThrow(
      InvalidAnchorKey,
    );
    expect(() => anchorKeyFromPem(String(publicKey.export({ format: 'pem', type: 'spki' })))).toThrow(
      'the anchoring key is ECDSA on NIST P-256',
    );
    expect(() => new FileSigner('not a key')).toThrow('is not a PEM private key');
  });
});

describe('fingerprints', () => {
  it('are shown grouped and read back in any of the forms people type', () => {
    const hex = 'ab12'.repeat(16);
    expect(formatFingerprint(hex)).toBe(`SHA256:${Array(16).fill('ab12').join(' ')}`);
    expect(parseFingerprint(formatFingerprint(hex))).toBe(hex);
    expect(parseFingerprint(hex.toUpperCase())).toBe(hex);
    expect(parseFingerprint('ab:12'.repeat(16))).toBe(hex);
    expect(parseFingerprint('SHA256:abc')).toBeUndefined();
  });
});

describe('KmsSigner', () => {
  const kms = mockClient(KMSClient);
  afterEach(() => kms.reset());
  const signer = () =>
    new KmsSigner({ client: new KMSClient({ region: 'eu-west-1' }), keyId: 'arn:aws:kms:eu-west-1:1:key/k' });
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ format: 'der', type: 'spki' });

  it('signs the raw message with ECDSA_SHA_256 and returns the DER signature', async () => {
    const data = Buffer.from('anchor bytes');
    const der = cryptoSign('sha256', data, privateKey);
    kms.on(SignCommand).resolves({ Signature: der });
    kms.on(GetPublicKeyCommand).resolves({
      PublicKey: spki,
      KeySpec: 'ECC_NIST_P256',
      SigningAlgorithms: ['ECDSA_SHA_256'],
    });
    const s = signer();
    const signature = await s.sign(data);
    expect(kms.commandCalls(SignCommand)[0]!.args[0].input).toEqual({
      KeyId: 'arn:aws:kms:eu-west-1:1:key/k',
      Message: data,
      MessageType: 'RAW',
      SigningAlgorithm: 'ECDSA_SHA_256',
    });
    const key = await anchorKeyOf(s);
    expect(verifySignature(key, data, signature)).toBe(true);
    await anchorKeyOf(s);
    expect(kms.commandCalls(GetPublicKeyCommand)).toHaveLength(1);
  });

  it('names the key when KMS refuses (a role without kms:Sign), and never signs large messages', async () => {
    kms.on(SignCommand).rejects(
      new KMSServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        message: 'not authorized to perform: kms:Sign',
      }),
    );
    await expect(signer().sign(Buffer.from('x'))).rejects.toThrow(SigningFailed);
    await expect(signer().sign(Buffer.from('x'))).rejects.toThrow(
      'KMS key arn:aws:kms:eu-west-1:1:key/k did not sign: AccessDeniedException: not authorized to perform: kms:Sign',
    );
    await expect(signer().sign(Buffer.alloc(5000))).rejects.toThrow('more than KMS signs as a RAW message');
  });

  it('refuses a key of another spec, and an answer without a signature', async () => {
    kms
      .on(GetPublicKeyCommand)
      .resolves({ PublicKey: spki, KeySpec: 'RSA_2048', SigningAlgorithms: ['RSASSA_PSS_SHA_256'] });
    await expect(signer().publicKey()).rejects.toThrow('the anchoring key must be ECC_NIST_P256');
    kms.on(SignCommand).resolves({});
    await expect(signer().sign(Buffer.from('x'))).rejects.toThrow('returned no signature');
  });
});
