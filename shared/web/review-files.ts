/**
 * The frozen files of a review as the web app lists and serves them: every package version (its
 * files as its own manifest lists them) and every accepted version of the minutes (HTML and PDF as
 * archived), each checked against the hash the cycle's log recorded before a byte is served.
 *
 * The chain of trust is the evidence bundle's (shared/evidence/export-package.ts): the
 * `package.built` event commits the manifest's SHA-256 (`manifestSha256`) and the content hash (the
 * SHA-256 of model.json); the manifest commits every other file's SHA-256. The `minutes.rendered`
 * event commits the SHA-256 of minutes.html and minutes.pdf. A file whose bytes do not hash to what
 * was committed is refused (FileAltered), never served.
 */
import * as z from 'zod';
import type { CycleEvent } from '../model/event.ts';
import { BlobNotFound, sha256Of, type BlobStore } from '../store/blob-store.ts';

/** A stored file does not hash to what the cycle's log (or the package's manifest) recorded. */
export class FileAltered extends Error {
  override name = 'FileAltered' as const;
}

/** The record names a file the evidence store does not hold. */
export class FileMissing extends Error {
  override name = 'FileMissing' as const;
}

/** No such version or file of this review (a wrong or foreign name in the URL). */
export class NoSuchFile extends Error {
  override name = 'NoSuchFile' as const;
}

export type EvidenceReader = Pick<BlobStore, 'get'>;

/** A file name as the package and minutes folders hold them: a-z, 0-9, dot, dash, underscore. */
export const FILE_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export interface FrozenFile {
  readonly name: string;
  readonly sha256: string;
  readonly size?: number;
}

export interface FrozenPackage {
  readonly version: number;
  /** The content hash printed in the package (SHA-256 of model.json). */
  readonly sha256: string;
  readonly builtAt: string;
  /** Its files, manifest.json included; empty when `problem` says why. */
  readonly files: readonly FrozenFile[];
  /** Why the files cannot be listed (the manifest is missing or altered). */
  readonly problem?: string;
}

export interface FrozenMinutes {
  readonly version: number;
  readonly renderedAt: string;
  readonly files: readonly FrozenFile[];
}

/** A file ready to serve: its bytes hash to what was recorded. */
export interface Download {
  readonly body: Buffer;
  /** A safe file name for Content-Disposition (letters, digits, dot, dash). */
  readonly filename: string;
  readonly contentType: string;
  readonly sha256: string;
}

const CONTENT_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  html: 'text/html; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  json: 'application/json',
  png: 'image/png',
  zip: 'application/zip',
};

export const contentTypeOf = (name: string): string =>
  CONTENT_TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream';

const Built = z.looseObject({
  version: z.number().int().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  manifestKey: z.string().optional(),
  manifestSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});

const Manifest = z.looseObject({
  version: z.number().int(),
  files: z.record(z.string(), z.looseObject({ sha256: z.string(), size: z.number().optional() })),
});

const Rendered = z.looseObject({
  version: z.number().int().min(1),
  htmlKey: z.string(),
  htmlSha256: z.string(),
  pdfKey: z.string(),
  pdfSha256: z.string(),
});

async function read(evidence: EvidenceReader, key: string, what: string): Promise<Buffer> {
  try {
    return await evidence.get(key);
  } catch (error) {
    if (error instanceof BlobNotFound || (error as Error).name === 'NoSuchKey') {
      throw new FileMissing(`${what} is not in the evidence store, although the review's log records it`);
    }
    throw error;
  }
}

function checked(body: Buffer, expected: string, what: string): Buffer {
  const actual = sha256Of(body);
  if (actual !== expected) {
    throw new FileAltered(
      `${what} does not match the hash the review recorded (SHA-256 ${actual.slice(0, 16)}…, recorded ${expected.slice(0, 16)}…): it was altered after it was frozen, and is not served. Tell the ISMS manager`,
    );
  }
  return body;
}

/** The last `package.built` event of each version, oldest version first. */
function builtEvents(
  events: readonly CycleEvent[],
): Map<number, { event: CycleEvent; data: z.infer<typeof Built> }> {
  const built = new Map<number, { event: CycleEvent; data: z.infer<typeof Built> }>();
  for (const event of events) {
    if (event.type !== 'package.built') continue;
    const data = Built.safeParse(event.data);
    if (data.success) built.set(data.data.version, { event, data: data.data });
  }
  return built;
}

/** The package's manifest, checked against the hash its event committed. */
async function manifestOf(
  evidence: EvidenceReader,
  data: z.infer<typeof Built>,
): Promise<{ folder: string; files: Map<string, FrozenFile>; bytes: Buffer }> {
  const what = `manifest.json of package version ${data.version}`;
  if (!data.manifestKey || !data.manifestSha256) {
    throw new FileMissing(
      `package version ${data.version} was frozen without a manifest; its files cannot be checked`,
    );
  }
  const bytes = checked(await read(evidence, data.manifestKey, what), data.manifestSha256, what);
  const parsed = Manifest.safeParse(JSON.parse(bytes.toString('utf8')));
  if (!parsed.success || parsed.data.version !== data.version) {
    throw new FileAltered(`${what} is not the manifest of that version`);
  }
  const files = new Map<string, FrozenFile>();
  for (const [name, file] of Object.entries(parsed.data.files)) {
    if (!FILE_NAME.test(name)) continue;
    // model.json is committed by the event itself (the content hash).
    const sha256 = name === 'model.json' ? data.sha256 : file.sha256;
    files.set(name, { name, sha256, ...(file.size === undefined ? {} : { size: file.size }) });
  }
  files.set('manifest.json', { name: 'manifest.json', sha256: data.manifestSha256, size: bytes.length });
  return { folder: data.manifestKey.slice(0, data.manifestKey.lastIndexOf('/')), files, bytes };
}

/** Every package version the log records, with its files (see the module note). */
export async function frozenPackages(
  evidence: EvidenceReader,
  events: readonly CycleEvent[],
): Promise<FrozenPackage[]> {
  const out: FrozenPackage[] = [];
  for (const { event, data } of builtEvents(events).values()) {
    const base = { version: data.version, sha256: data.sha256, builtAt: event.at };
    try {
      const { files } = await manifestOf(evidence, data);
      out.push({ ...base, files: [...files.values()].sort((a, b) => a.name.localeCompare(b.name)) });
    } catch (error) {
      if (!(error instanceof FileAltered) && !(error instanceof FileMissing)) throw error;
      out.push({ ...base, files: [], problem: error.message });
    }
  }
  return out.sort((a, b) => a.version - b.version);
}

const versionOf = (raw: string): number => {
  const match = /^v([1-9]\d{0,3})$/.exec(raw);
  if (!match) throw new NoSuchFile('there is no such version: versions look like v1, v2');
  return Number(match[1]);
};

/** One file of a package version, checked; `versionText` and `name` as the URL gives them. */
export async function packageDownload(
  evidence: EvidenceReader,
  events: readonly CycleEvent[],
  args: { cycleId: string; versionText: string; name: string },
): Promise<Download> {
  const version = versionOf(args.versionText);
  const built = builtEvents(events).get(version);
  if (!built) throw new NoSuchFile(`this review has no package version ${version}`);
  if (!FILE_NAME.test(args.name)) throw new NoSuchFile('there is no such file in the package');
  const { folder, files, bytes } = await manifestOf(evidence, built.data);
  const file = files.get(args.name);
  if (!file) throw new NoSuchFile(`package version ${version} has no file ${args.name}`);
  const what = `${args.name} of package version ${version}`;
  const body =
    args.name === 'manifest.json'
      ? bytes
      : checked(await read(evidence, `${folder}/${args.name}`, what), file.sha256, what);
  return {
    body,
    filename: `review-package-${args.cycleId}-v${version}-${args.name}`,
    contentType: contentTypeOf(args.name),
    sha256: file.sha256,
  };
}

/** The model.json of the newest package version, checked, parsed; undefined before a package is built. */
export async function newestPackageModel(
  evidence: EvidenceReader,
  events: readonly CycleEvent[],
): Promise<{ version: number; model: unknown } | undefined> {
  const newest = [...builtEvents(events).values()].at(-1);
  if (!newest) return undefined;
  const { folder } = await manifestOf(evidence, newest.data);
  const what = `model.json of package version ${newest.data.version}`;
  const body = checked(await read(evidence, `${folder}/model.json`, what), newest.data.sha256, what);
  return { version: newest.data.version, model: JSON.parse(body.toString('utf8')) as unknown };
}

function renderedEvents(
  events: readonly CycleEvent[],
): Map<number, { event: CycleEvent; data: z.infer<typeof Rendered> }> {
  const rendered = new Map<number, { event: CycleEvent; data: z.infer<typeof Rendered> }>();
  for (const event of events) {
    if (event.type !== 'minutes.rendered') continue;
    const data = Rendered.safeParse(event.data);
    if (data.success && !rendered.has(data.data.version))
      rendered.set(data.data.version, { event, data: data.data });
  }
  return rendered;
}

/** Every version of the minutes archived (rendered once each), oldest first. */
export function frozenMinutes(events: readonly CycleEvent[]): FrozenMinutes[] {
  return [...renderedEvents(events).values()]
    .map(({ event, data }) => ({
      version: data.version,
      renderedAt: event.at,
      files: [
        { name: 'minutes.pdf', sha256: data.pdfSha256 },
        { name: 'minutes.html', sha256: data.htmlSha256 },
      ],
    }))
    .sort((a, b) => a.version - b.version);
}

/** minutes.pdf or minutes.html of an archived version, checked. */
export async function minutesDownload(
  evidence: EvidenceReader,
  events: readonly CycleEvent[],
  args: { cycleId: string; versionText: string; name: string },
): Promise<Download> {
  const version = versionOf(args.versionText);
  const rendered = renderedEvents(events).get(version);
  if (!rendered) throw new NoSuchFile(`the minutes of this review have no archived version ${version}`);
  const { data } = rendered;
  const file =
    args.name === 'minutes.pdf'
      ? { key: data.pdfKey, sha256: data.pdfSha256 }
      : args.name === 'minutes.html'
        ? { key: data.htmlKey, sha256: data.htmlSha256 }
        : undefined;
  if (!file) throw new NoSuchFile('the minutes are kept as minutes.pdf and minutes.html only');
  const what = `${args.name} of the minutes version ${version}`;
  return {
    body: checked(await read(evidence, file.key, what), file.sha256, what),
    filename: `minutes-${args.cycleId}-v${version}.${args.name.slice('minutes.'.length)}`,
    contentType: contentTypeOf(args.name),
    sha256: file.sha256,
  };
}
