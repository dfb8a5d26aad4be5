/**
 * An input answered in the web app's form: the same use case as `isms-review input submit`
 * (shared/cycle/submit-input.ts: the same answer block, parser, substance checks, owner-or-delegate
 * rule, `input.submitted` event and workflow resume), recorded with the source `web`. The person
 * gets the same confirmation as for a reply by email: on the page, and as the same email
 * (shared/mail/templates/ingest-confirmation.ts), sent once per submission through the outbox.
 */
import type { WaitingDeps } from '../cycle/ports.ts';
import { submitInput, type SubmitInputResult } from '../cycle/submit-input.ts';
import type { Outbox } from '../mail/outbox.ts';
import { ingestConfirmation } from '../mail/templates/ingest-confirmation.ts';
import { cycleTitle, type Cycle } from '../model/cycle.ts';
import { ismsManager } from '../programme/queries.ts';
import type { Programme } from '../programme/schema.ts';
import type { Viewer } from './viewer.ts';

/** The longest answer the form takes (a reply by email is limited by the mail size limits). */
export const MAX_ANSWER_CHARS = 20_000;

/** What the confirmation says was recorded: the fields of the email's confirmation. */
export interface WebConfirmation {
  readonly recordedAs: string;
  readonly reference: string;
  readonly fields: { label: string; value: string }[];
  readonly replaces?: string;
  readonly note?: string;
  /** Nothing new was recorded: the same answer was recorded before. */
  readonly repeated: boolean;
}

export type WebAnswerResult =
  | {
      readonly ok: true;
      readonly confirmation: WebConfirmation;
      readonly result: SubmitInputResult & { ok: true };
    }
  | {
      readonly ok: false;
      readonly problems: { where?: string; problem: string }[];
      readonly template: string;
    };

/** The confirmation of a recorded answer, worded as the email path words it (shared/ingest/purposes.ts). */
export function confirmationOf(result: SubmitInputResult & { ok: true }): WebConfirmation {
  const key = result.request.inputKey;
  const note = result.late
    ? 'This answer arrived after the review package was compiled: it is recorded, but it is not in the package already compiled, and the ISMS manager was told (copied on this email).'
    : result.thin.length > 0
      ? `Your answer is recorded; the ISMS manager will see before the package is compiled that it is thin (input ${key}: ${result.thin.join('; ')}), and a fuller answer helps management decide.`
      : undefined;
  return {
    recordedAs: `your input ${key}`,
    reference: result.submission.id,
    fields: [{ label: `Input ${key}: ${result.request.title}`, value: result.echo }],
    ...(result.submission.supersedes ? { replaces: result.submission.supersedes } : {}),
    ...(note ? { note } : {}),
    repeated: result.repeated,
  };
}

export async function answerInputOnWeb(
  deps: WaitingDeps & { readonly outbox: Pick<Outbox, 'sendOnce'> },
  args: { cycle: Cycle; programme: Programme; viewer: Viewer; inputKey: string; text: string },
): Promise<WebAnswerResult> {
  const result = await submitInput(deps, {
    cycleId: args.cycle.id,
    inputKey: args.inputKey,
    text: args.text,
    as: args.viewer.person.email,
    channel: 'web',
  });
  if (!result.ok) return { ok: false, problems: result.problems, template: result.template };
  const confirmation = confirmationOf(result);
  if (!result.repeated) {
    const manager = ismsManager(args.programme);
    const person = args.viewer.person;
    const to = person.email.toLowerCase();
    const cc = result.late && manager.email.toLowerCase() !== to ? [manager.email] : [];
    const rendered = ingestConfirmation({
      organisation: args.programme.organisation.name,
      timeZone: args.viewer.timeZone,
      cycle: { id: args.cycle.id, title: cycleTitle(args.cycle) },
      recipient: { name: person.name, email: person.email },
      receivedAt: result.submission.receivedAt,
      originalSubject: `Answer to input ${args.inputKey} in the web app`,
      recordedAs: confirmation.recordedAs,
      reference: confirmation.reference,
      fields: confirmation.fields,
      attachments: [],
      ...(confirmation.replaces ? { replaces: confirmation.replaces } : {}),
      ...(confirmation.note
        ? {
            howToCorrect: `${confirmation.note} To correct it, answer again in the web app or reply to the original request: the newest answer is the one recorded.`,
          }
        : {}),
      ismsManager: { name: manager.name, email: manager.email, role: manager.role },
    });
    await deps.outbox.sendOnce({
      key: `web-answer:${result.submission.id}`,
      cycleId: args.cycle.id,
      purpose: 'reply',
      recipients: [to, ...cc],
      build: async () => ({
        from: {
          name: `${args.programme.organisation.name} management review`,
          address: args.programme.mail.fromAddress,
        },
        to: [person.email],
        cc,
        subject: rendered.subject.replace(/[\r\n]+/g, ' ').slice(0, 250),
        text: rendered.text,
        html: rendered.html,
        autoSubmitted: 'auto-replied',
      }),
    });
  }
  return { ok: true, confirmation, result };
}
