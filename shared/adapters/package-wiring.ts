/**
 * The package store: renders the review package, hashes it and freezes it in the evidence bucket
 * (Object Lock on AWS) under `cycles/<cycleId>/package/v<n>/`. A rebuild (a late input) makes a new
 * version; versions are never overwritten. The hash is the SHA-256 of the HTML document, which is
 * exactly what the distribution email carries.
 */
import type { PackagePort, StoredPackage } from '../cycle/ports.ts';
import { packageContent, packageDocument } from '../package/content.ts';
import { packageDistribution } from '../mail/templates/index.ts';
import type { BlobStore } from '../store/blob-store.ts';
import { BlobNotFound } from '../store/blob-store.ts';
import { S3BlobStore } from './s3-blob-store.ts';

export class BlobPackageStore implements PackagePort {
  constructor(private readonly blobs: BlobStore) {}

  private async nextVersion(cycleId: string): Promise<number> {
    for (let version = 1; ; version += 1) {
      try {
        await this.blobs.get(`cycles/${cycleId}/package/v${version}/package.html`);
      } catch (error) {
        if (error instanceof BlobNotFound || (error as Error).name === 'NoSuchKey') return version;
        throw error;
      }
    }
  }

  async build(args: Parameters<PackagePort['build']>[0]): Promise<StoredPackage> {
    const content = packageContent(args);
    const rendered = packageDistribution(packageDocument(args, content));
    const version = await this.nextVersion(args.cycle.id);
    const base = `cycles/${args.cycle.id}/package/v${version}`;
    const html = await this.blobs.put(
      `${base}/package.html`,
      Buffer.from(rendered.html, 'utf8'),
      'text/html; charset=utf-8',
    );
    await this.blobs.put(
      `${base}/package.txt`,
      Buffer.from(rendered.text, 'utf8'),
      'text/plain; charset=utf-8',
    );
    return {
      version,
      sha256: html.sha256,
      htmlKey: `${base}/package.html`,
      textKey: `${base}/package.txt`,
      inputVersions: content.inputVersions,
    };
  }

  async load(stored: StoredPackage): Promise<{ html: string; text: string }> {
    const [html, text] = await Promise.all([this.blobs.get(stored.htmlKey), this.blobs.get(stored.textKey)]);
    return { html: html.toString('utf8'), text: text.toString('utf8') };
  }
}

export function createPackageStore({ env }: { env: NodeJS.ProcessEnv }): PackagePort {
  return new BlobPackageStore(S3BlobStore.fromEnv('EVIDENCE_BUCKET', env));
}
