import { describe, expect, it } from 'vitest';
import { BlobPackageStore } from '#shared/adapters/blob-package-store.ts';
import { packageModel } from '#shared/package/content.ts';
import { MemoryBlobStore, sha256Of } from '#shared/store/blob-store.ts';
import { packageSources } from './fixtures.ts';

describe('the frozen package store', () => {
  it('freezes each build as a new version, never overwriting one, with a manifest of every file', async () => {
    const blobs = new MemoryBlobStore();
    const store = new BlobPackageStore(blobs);
    const sources = packageSources();
    const first = await store.freeze(packageModel(sources));
    const second = await store.freeze(
      packageModel({ ...sources, now: new Date(sources.now.getTime() + 60_000) }),
    );
    expect([first.version, second.version]).toEqual([1, 2]);
    expect(second.sha256).not.toBe(first.sha256);

    const base = `cycles/${sources.cycle.id}/package`;
    expect(blobs.keys().filter((k) => k.startsWith(`${base}/v1/`))).toEqual(
      expect.arrayContaining([
        `${base}/v1/package.html`,
        `${base}/v1/email.html`,
        `${base}/v1/package.txt`,
        `${base}/v1/package.pdf`,
        `${base}/v1/manifest.json`,
        `${base}/v1/model.json`,
        `${base}/v1/chart-d1.png`,
      ]),
    );
    expect(sha256Of(await blobs.get(first.manifestKey!))).toBe(first.manifestSha256);
    const manifest = JSON.parse((await blobs.get(first.manifestKey!)).toString('utf8'));
    expect(manifest.contentHash).toBe(first.sha256);
    expect(manifest.inputVersions).toEqual(first.inputVersions);
    for (const [name, file] of Object.entries(manifest.files as Record<string, { sha256: string }>)) {
      expect(sha256Of(await blobs.get(`${base}/v1/${name}`))).toBe(file.sha256);
    }
    expect(blobs.contentTypeOf(first.pdfKey!)).toBe('application/pdf');

    // What the distribution sends: the email body with cid: charts, the text, the PDF and the images.
    const loaded = await store.load(first);
    expect(loaded.html).toContain('src="cid:chart-d1@package.isms-review"');
    expect(loaded.text).toContain(first.sha256);
    expect(loaded.pdf!.subarray(0, 5).toString()).toBe('%PDF-');
    expect(loaded.images!.map((i) => i.cid)).toEqual(first.charts!.map((c) => c.cid));
  }, 30_000);
});
