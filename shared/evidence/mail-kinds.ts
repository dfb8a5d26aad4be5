/**
 * What each message a cycle sends is, from its outbox key (shared/notify/*-messages.ts and
 * shared/ingest/answer.ts choose the keys). Every key falls in exactly one kind, `other` taking
 * what no rule names, so counts by kind always add up to the messages sent: the bundle's
 * mail/outbound.csv says the kind of each message, and a summary counts them the same way.
 */

/** Each kind with the keys it covers, tried in order; the first that matches wins. */
const RULES = [
  ['inputRequests', /^input-request:/],
  ['inputReminders', /^input:[^:]+:reminder-/],
  ['inputEscalations', /^input:[^:]+:escalate-/],
  ['package', /^package:v\d+$/],
  ['meetingUpdates', /^meeting:/],
  ['minutesRequests', /^minutes-request$|^minutes:reminder-/],
  ['minutesForms', /^minutes-form:v\d+$/],
  ['minutes', /^minutes:v\d+$/],
  ['approvalRequests', /^(package|minutes)-approval:v\d+:/],
  ['managementDecisions', /^action:[^:]+:(reschedule|reassign|accept-risk):/],
  ['actionReminders', /^action:.+:(remind-|overdue-notice)/],
  ['actionEscalations', /^action:.+:escalate-/],
  ['actionNotices', /^action:/],
  ['answers', /^reply:/],
  ['failures', /^failure:/],
] as const;

export type OutboundMailKind = (typeof RULES)[number][0] | 'other';

/** Every kind, in the order a summary lists them. */
export const OUTBOUND_MAIL_KINDS: readonly OutboundMailKind[] = [...RULES.map(([kind]) => kind), 'other'];

/** The kind of the message sent under outbox key `key`. */
export function outboundMailKind(key: string): OutboundMailKind {
  return RULES.find(([, pattern]) => pattern.test(key))?.[0] ?? 'other';
}

export type OutboundMailCounts = Record<OutboundMailKind, number> & { readonly total: number };

/** How many of the messages sent under `keys` are of each kind, and the total (their sum). */
export function countOutboundMail(keys: readonly string[]): OutboundMailCounts {
  const counts = Object.fromEntries(OUTBOUND_MAIL_KINDS.map((kind) => [kind, 0])) as Record<
    OutboundMailKind,
    number
  >;
  for (const key of keys) counts[outboundMailKind(key)] += 1;
  return { ...counts, total: keys.length };
}

/** The raw messages a bundle holds, from its manifest: sent (mail/outbound/) and received (mail/inbound/). */
export function bundleMailFiles(files: readonly { readonly path: string }[]): {
  readonly sent: number;
  readonly received: number;
} {
  const count = (folder: string) =>
    files.filter((f) => f.path.startsWith(folder) && f.path.endsWith('.eml')).length;
  return { sent: count('mail/outbound/'), received: count('mail/inbound/') };
}
