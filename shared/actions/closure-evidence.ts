/**
 * What counts as evidence that an action is done: a file attached to the DONE reply (or given on
 * the command line), or a web link (http:// or https://) in the DONE text or given on the command
 * line. The owner's word alone ("DONE finished it") is not evidence. Other "links" (javascript:,
 * ftp:, file:, data:, ...) are not followed by anyone and do not count.
 */
import { isWebLink, MAX_EVIDENCE_LINK_LENGTH } from '../model/action.ts';
import type { Attachment } from '../model/input.ts';
import type { UpdateSource } from '../model/action.ts';
import { attachmentProblem } from '../mail/attachment-checks.ts';
import { DEFAULT_MAIL_LIMITS, type MailLimits } from '../mail/mail-limits.ts';
import { sha256Of, type BlobStore } from '../store/blob-store.ts';
import { InvalidActionChange } from './action-change.ts';

/** The most links kept from one DONE. */
export const MAX_EVIDENCE_LINKS = 20;

/** Something written like a link, up to the next space or bracket. */
const LINK_LIKE = /\b([a-z][a-z0-9+.-]{1,15}):(\/\/)?[^\s<>"'`()[\]{}]+/gi;
/** Schemes people may write that are not web links. */
const NOT_WEB = new Set([
  'javascript',
  'vbscript',
  'data',
  'file',
  'ftp',
  'ftps',
  'sftp',
  'smb',
  'ssh',
  'telnet',
  'gopher',
  'ldap',
]);

/** Trailing punctuation that ends a sentence, not the link. */
const trimEnd = (link: string) => link.replace(/[.,;:!?]+$/, '');

export interface LinksInText {
  /** The web links, in order, each once. */
  readonly links: string[];
  /** What looked like a link but is not a web link (javascript:, ftp:, ...). */
  readonly refused: string[];
}

/** The web links written in `text`, and what looked like a link but is not one. */
export function linksIn(text: string): LinksInText {
  const links: string[] = [];
  const refused: string[] = [];
  for (const match of text.matchAll(LINK_LIKE)) {
    const scheme = (match[1] ?? '').toLowerCase();
    const candidate = trimEnd(match[0]);
    if (scheme === 'http' || scheme === 'https') {
      if (isWebLink(candidate)) {
        if (!links.includes(candidate)) links.push(candidate);
      } else refused.push(candidate.slice(0, 80));
    } else if (NOT_WEB.has(scheme)) {
      // Named as written, up to the next space (a script's brackets included).
      const written = /^\S+/.exec(text.slice(match.index))?.[0] ?? candidate;
      refused.push(trimEnd(written).slice(0, 80));
    }
  }
  return { links, refused };
}

export interface DoneEvidence {
  /** The web links kept (from the text and those given apart). */
  readonly links: string[];
}

/**
 * The links of a DONE, or the change fails saying what to attach or link: a DONE needs at least one
 * attachment or one web link; a link given apart (the command line's --evidence-url) must be one.
 */
export function checkDoneEvidence(args: {
  readonly label: string;
  readonly text: string;
  readonly links?: readonly string[];
  readonly attachments?: readonly Attachment[];
  readonly source: UpdateSource;
}): DoneEvidence {
  const given = (args.links ?? []).map((link) => link.trim());
  const bad = given.find((link) => !isWebLink(link));
  if (bad !== undefined) {
    throw new InvalidActionChange(
      `"${bad.slice(0, 80)}" is not a web link; give the evidence as an http:// or https:// address (at most ${MAX_EVIDENCE_LINK_LENGTH} characters)`,
    );
  }
  const written = linksIn(args.text);
  const links = [...new Set([...given, ...written.links])];
  if (links.length > MAX_EVIDENCE_LINKS) {
    throw new InvalidActionChange(
      `DONE has ${links.length} links; at most ${MAX_EVIDENCE_LINKS} are kept. Link to a page or folder that lists the rest`,
    );
  }
  if (links.length > 0 || (args.attachments?.length ?? 0) > 0) return { links };
  const how =
    args.source.channel === 'cli'
      ? 'give --evidence-url <https://...> (where the result can be seen) or --evidence-file <file> (a PDF, CSV or XLSX that shows it)'
      : args.source.channel === 'web'
        ? 'give the link to where the result can be seen (https://...); to attach a document (a PDF, CSV or XLSX) instead, reply to the reminder email with DONE and the file'
        : 'attach the document that shows it (a PDF, CSV or XLSX) to your reply, or put a link to where it can be seen (https://...) in the DONE line, e.g. DONE policy v2 published at https://intranet.example.com/policies/v2';
  const refused =
    written.refused.length > 0
      ? ` ${written.refused.map((link) => `"${link}"`).join(', ')} ${written.refused.length === 1 ? 'is' : 'are'} not a web link (only http:// and https:// links count).`
      : '';
  throw new InvalidActionChange(
    `${args.label} was not marked done: closing an action needs evidence someone else can look at, and none was given.${refused} To close it, ${how}`,
  );
}

/** A file given as evidence on the command line is refused by the same checks as an attachment. */
export class EvidenceFileRefused extends Error {
  override name = 'EvidenceFileRefused' as const;
}

/** Where a file given as an action's evidence (not by email) is kept in the evidence bucket. */
export function actionEvidenceKey(cycleId: string, actionId: string, sha256: string): string {
  return `cycles/${cycleId}/actions/${actionId}/${sha256}`;
}

const CONTENT_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/**
 * Keeps a file given as an action's evidence on the command line as an email attachment is kept:
 * checked like one (PDF, CSV or XLSX; size; no archives), stored once in the evidence bucket under
 * its SHA-256, and described as an attachment of the closure evidence.
 */
export async function keepEvidenceFile(
  evidence: BlobStore,
  args: {
    readonly cycleId: string;
    readonly actionId: string;
    readonly name: string;
    readonly content: Buffer;
  },
  limits: MailLimits = DEFAULT_MAIL_LIMITS,
): Promise<Attachment> {
  const extension = /\.([A-Za-z0-9]+)$/.exec(args.name)?.[1]?.toLowerCase() ?? '';
  const contentType = CONTENT_TYPES[extension] ?? 'application/octet-stream';
  const sha256 = sha256Of(args.content);
  const problem = attachmentProblem(
    {
      filename: args.name,
      contentType,
      size: args.content.length,
      content: args.content,
      sha256,
      inline: false,
    },
    limits,
  );
  if (problem) throw new EvidenceFileRefused(`the evidence file was not kept: ${problem}`);
  const s3Key = actionEvidenceKey(args.cycleId, args.actionId, sha256);
  const stored = await evidence.putIfAbsent(s3Key, args.content, contentType);
  return { name: args.name, sha256: stored.sha256, size: stored.size, s3Key };
}
