/**
 * Evidence kept at ingest, on the emulators: a real reply with two attachments through the pipeline
 * keeps its raw message and its files in the evidence bucket under the server's message id (files
 * by their SHA-256), written once, and its `mail.received` event names the copy. A later message
 * reusing the Message-ID overwrites nothing. The bundle holds the raw message from that copy, and a
 * bundle from which it was removed (manifest rewritten to match) fails to verify: a gap in the raw mail.
 */
import { randomUUID } from 'node:crypto';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { beforeEach, describe, expect, it } from 'vitest';
import { buildEvidenceBundle } from '#shared/evidence/export.ts';
import { verifyBundle } from '#shared/evidence/verify.ts';
import { ingest } from '#shared/ingest/pipeline.ts';
import { MemoryBlobStore, sha256Of } from '#shared/store/blob-store.ts';
import { fixture, issueToken, NOW, PASS, world, type World } from '../ingest/support.ts';

describe('inbound mail kept as evidence', () => {
  let w: World;
  let raw: Buffer;
  let id: string;
  const rawMail = new MemoryBlobStore();

  beforeEach(async () => {
    w = await world();
    const token = await issueToken(w, 'auditor');
    raw = fixture('apple-mail-pdf-and-csv.eml', {
      '{{reply_token}}': token,
      'marc.dubois@example.com': w.email('auditor'),
    });
    id = randomUUID();
    await rawMail.put(`inbound/${id}`, raw, 'message/rfc822');
  });

  it('keeps the raw message and each attachment once, by server message id and content hash', async () => {
    const result = await ingest(w.deps, {
      raw,
      rawS3Key: `inbound/${id}`,
      sesVerdicts: PASS,
      receivedAt: NOW.toISOString(),
    });
    expect(result).toMatchObject({ outcome: 'accepted' });

    const prefix = `cycles/${w.cycle.id}/inbound/${id}/`;
    expect(await w.deps.evidence.get(`${prefix}message.eml`)).toEqual(raw);
    const [submission] = await w.repo.listSubmissions(w.cycle.id, 'd3');
    expect(submission!.attachments).toHaveLength(2);
    for (const attachment of submission!.attachments) {
      expect(attachment.s3Key).toBe(`${prefix}${attachment.sha256}`);
      expect(sha256Of(await w.deps.evidence.get(attachment.s3Key))).toBe(attachment.sha256);
    }
    const received = (await w.repo.listEvents(w.cycle.id)).filter((e) => e.type === 'mail.received');
    expect(received).toHaveLength(1);
    expect(received[0]!.data).toMatchObject({
      rawS3Key: `inbound/${id}`,
      evidenceKey: `${prefix}message.eml`,
      rawSha256: sha256Of(raw),
    });

    // Another message with the same Message-ID (a reuse, or a forgery) arrives under its own id.
    const other = randomUUID();
    const reused = Buffer.from(
      raw.toString('latin1').replace('Audit findings minor = 3', 'Audit findings minor = 0'),
      'latin1',
    );
    await ingest(w.deps, {
      raw: reused,
      rawS3Key: `inbound/${other}`,
      sesVerdicts: PASS,
      receivedAt: new Date(NOW.getTime() + 60_000).toISOString(),
    });
    expect(await w.deps.evidence.get(`${prefix}message.eml`)).toEqual(raw);
    for (const attachment of submission!.attachments) {
      expect(sha256Of(await w.deps.evidence.get(attachment.s3Key))).toBe(attachment.sha256);
    }
    // Written once: the same key with other bytes is refused and left as it was.
    await expect(
      w.deps.evidence.putIfAbsent(`${prefix}message.eml`, reused, 'message/rfc822'),
    ).rejects.toThrow('already holds other bytes');
    expect(await w.deps.evidence.get(`${prefix}message.eml`)).toEqual(raw);
  });

  it('puts the kept message in the bundle, and a bundle without it fails: a gap in the raw mail', async () => {
    await ingest(w.deps, {
      raw,
      rawS3Key: `inbound/${id}`,
      sesVerdicts: PASS,
      receivedAt: NOW.toISOString(),
    });
    const { zip } = await buildEvidenceBundle(
      { repo: w.repo, outbox: w.outboxStore, evidence: w.deps.evidence, rawMail, clock: w.deps.clock },
      w.cycle.id,
    );
    const files = unzipSync(zip);
    const path = Object.keys(files).find((p) => p.startsWith('mail/inbound/') && p.endsWith(`${id}.eml`));
    expect(path).toBeDefined();
    expect(Buffer.from(files[path!]!)).toEqual(raw);
    const intact = verifyBundle(zip);
    expect(intact.problems).toEqual([]);
    expect(intact.held.join('\n')).toContain('raw messages received for the cycle are in the bundle');

    // The insider's edit: remove the message and its manifest line, keeping every format.
    const manifest = JSON.parse(strFromU8(files['manifest.json']!)) as { files: { path: string }[] };
    manifest.files = manifest.files.filter((f) => f.path !== path);
    const { [path!]: _removed, ...rest } = files;
    const tampered = zipSync({ ...rest, 'manifest.json': strToU8(`${JSON.stringify(manifest, null, 2)}\n`) });
    const check = verifyBundle(tampered);
    expect(check.ok).toBe(false);
    expect(check.problems).toContainEqual({
      place: path,
      message: expect.stringContaining('a gap in the raw mail'),
    });

    // Or its bytes changed, manifest updated to match.
    const changed = Buffer.from(
      raw.toString('latin1').replace('Audit findings minor = 3', 'Audit findings minor = 0'),
      'latin1',
    );
    const listed = JSON.parse(strFromU8(files['manifest.json']!)) as {
      files: { path: string; sha256: string; size: number }[];
    };
    for (const f of listed.files)
      if (f.path === path) Object.assign(f, { sha256: sha256Of(changed), size: changed.length });
    const altered = zipSync({
      ...files,
      [path!]: new Uint8Array(changed),
      'manifest.json': strToU8(`${JSON.stringify(listed, null, 2)}\n`),
    });
    const alteredCheck = verifyBundle(altered);
    expect(alteredCheck.ok).toBe(false);
    expect(
      alteredCheck.problems
        .filter((p) => p.place === path)
        .map((p) => p.message)
        .join('\n'),
    ).toMatch(/event seq \d+ \(mail\.received\)/);
  });
});
