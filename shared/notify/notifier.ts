/**
 * Every message the review cycle sends, from the cycle's records to a rendered template, a signed
 * reply address where an answer is expected, and the exactly-once outbox. Each message's outbox key
 * names the business step (`input-request:<owner>`, `action:<id>:<step>`), so a retried or resumed
 * step never sends twice; each sent message is recorded as a `mail.sent` event in the cycle's log.
 */
import type { Clock } from '../clock.ts';
import type { LoadedPackage, NotifierPort, StoredPackage } from '../cycle/ports.ts';
import type { Cycle } from '../model/cycle.ts';
import type { Action } from '../model/action.ts';
import type { InputRequest } from '../model/input.ts';
import { DECISION_CATEGORY_TITLES } from '../model/meeting.ts';
import type { ActionMessage } from '../actions/ports.ts';
import { catalogueInput, clauseLabel } from '../catalogue/catalogue.ts';
import type { Programme, Person as ProgrammePerson } from '../programme/schema.ts';
import { executiveOf, ismsManager, personById, topManagement } from '../programme/queries.ts';
import type { ReviewRepository } from '../store/repository.ts';
import { cycleTitle } from '../package/content.ts';
import { meetingInvitation } from '../mail/ics.ts';
import type { MessageSpec } from '../mail/compose.ts';
import type { Outbox } from '../mail/outbox.ts';
import { decodeReplyAddress, newReplyId, signReplyAddress } from '../mail/reply-address.ts';
import { MAX_REPLY_TOKEN_DAYS, type ReplyKeyring } from '../mail/reply-keyring.ts';
import { DEFAULT_MAIL_LIMITS } from '../mail/mail-checks.ts';
import {
  MANAGEMENT_COMMANDS,
  renderActionCommandLines,
  renderInputBlocks,
  renderInputTemplate,
} from '../mail/reply-format.ts';
import * as templates from '../mail/templates/index.ts';
import { meetingMoved } from '../mail/templates/package-distribution.ts';
import { withEvidenceKeyHtml, withEvidenceKeyText } from '../mail/templates/evidence-key.ts';

export interface NotifierOptions {
  readonly outbox: Outbox;
  readonly repo: ReviewRepository;
  readonly clock: Clock;
  /** The reply-address HMAC keyring; its current key signs. Never log it. */
  readonly replyKey: ReplyKeyring;
  /** The minutes template for the ISMS manager (the minutes module renders it). */
  readonly minutesTemplate?: (cycle: Cycle, programme: Programme) => string;
  /** Loads a frozen package's HTML and text bodies. */
  readonly loadPackage: (stored: StoredPackage) => Promise<LoadedPackage>;
  /** The meeting length put in the calendar invitation. */
  readonly meetingMinutes?: number;
  /**
   * The fingerprint of the evidence anchoring key (formatted, `SHA256:…`), named in the package and
   * minutes emails so top management's inboxes witness it; absent or undefined: no line.
   */
  readonly anchorKeyFingerprint?: () => Promise<string | undefined>;
}

const DAY = 86_400_000;
const person = (p: ProgrammePerson): templates.Person => ({ name: p.name, email: p.email, role: p.role });
const mailbox = (p: ProgrammePerson) => ({ name: p.name, address: p.email });

/** The token id in one of our reply addresses, or undefined for any other Reply-To. */
function tokenIdOf(replyTo: MessageSpec['replyTo'], programme: Programme): string | undefined {
  if (!replyTo) return undefined;
  try {
    return decodeReplyAddress(typeof replyTo === 'string' ? replyTo : replyTo.address, {
      localPart: programme.mail.replyLocalPart,
      domain: programme.mail.inboundDomain,
    }).id;
  } catch {
    return undefined;
  }
}

export class CycleNotifier implements NotifierPort {
  constructor(private readonly options: NotifierOptions) {}

  private context(programme: Programme, recipient?: ProgrammePerson) {
    return {
      organisation: programme.organisation.name,
      timeZone: recipient?.timeZone ?? programme.organisation.timeZone,
    };
  }

  private cycleRef(cycle: Cycle) {
    return { id: cycle.id, title: cycleTitle(cycle) };
  }

  /** A signed reply address for `recipient`, stored so the ingest can tell what a reply answers. */
  private async replyAddress(args: {
    cycle: Cycle;
    programme: Programme;
    purpose: string;
    recipient: ProgrammePerson;
    ref?: string;
    expiresAt: Date;
  }): Promise<string> {
    const now = this.options.clock.now();
    const tokenId = newReplyId();
    await this.options.repo.putReplyToken({
      tokenId,
      cycleId: args.cycle.id,
      purpose: args.purpose,
      recipientId: args.recipient.id,
      ...(args.ref ? { ref: args.ref } : {}),
      issuedAt: now.toISOString(),
      // At least a day; at most MAX_REPLY_TOKEN_DAYS, so rotation knows when a retired key has signed
      // its last valid token (a later reminder carries a fresh token).
      expiresAt: new Date(
        Math.min(
          Math.max(args.expiresAt.getTime(), now.getTime() + DAY),
          now.getTime() + MAX_REPLY_TOKEN_DAYS * DAY,
        ),
      ).toISOString(),
    });
    return signReplyAddress({
      localPart: args.programme.mail.replyLocalPart,
      id: tokenId,
      keys: this.options.replyKey,
      purpose: args.purpose,
      recipient: args.recipient.email,
      domain: args.programme.mail.inboundDomain,
    });
  }

  private async send(args: {
    cycle: Cycle;
    programme: Programme;
    key: string;
    purpose: string;
    to: readonly ProgrammePerson[];
    cc?: readonly ProgrammePerson[];
    build: () => Promise<Omit<MessageSpec, 'from' | 'to' | 'cc'>>;
  }): Promise<void> {
    const { cycle, programme } = args;
    const to = [...new Map(args.to.map((p) => [p.email.toLowerCase(), p])).values()];
    const cc = (args.cc ?? []).filter(
      (p) => !to.some((t) => t.email.toLowerCase() === p.email.toLowerCase()),
    );
    // The reply token the message carries, linked to its Message-ID once sent, so that a reply whose
    // client dropped the +token part is still tied to it through In-Reply-To or References.
    let replyTokenId: string | undefined;
    await this.options.outbox.sendOnce({
      key: args.key,
      cycleId: cycle.id,
      purpose: args.purpose,
      recipients: [...to, ...cc].map((p) => p.email),
      build: async () => ({
        from: {
          name: `${programme.organisation.name} management review`,
          address: programme.mail.fromAddress,
        },
        to: to.map(mailbox),
        cc: cc.map(mailbox),
        date: this.options.clock.now(),
        ...(await args.build().then((spec) => {
          replyTokenId = tokenIdOf(spec.replyTo, programme);
          return spec;
        })),
      }),
      onSent: async (sent) => {
        if (replyTokenId && sent.messageId) {
          await this.options.repo.linkReplyToken(sent.messageId, replyTokenId);
        }
        await this.options.repo.appendEvent(cycle.id, {
          type: 'mail.sent',
          at: sent.sentAt || this.options.clock.now().toISOString(),
          actor: 'system',
          data: {
            key: sent.key,
            purpose: sent.purpose,
            recipients: sent.recipients,
            messageId: sent.messageId,
            sesMessageId: sent.sesMessageId,
            sha256: sent.sha256,
            rawKey: sent.rawKey,
          },
        });
      },
    });
  }

  private requestedInputs(programme: Programme, requests: readonly InputRequest[]) {
    return requests.map((r) => ({
      key: r.inputKey,
      title: r.title,
      clauses: (catalogueInput(programme.managementSystems, r.inputKey)?.clauses ?? []).map(clauseLabel),
      asked: catalogueInput(programme.managementSystems, r.inputKey)?.prompt ?? r.title,
      period: r.periodCovered,
    }));
  }

  async inputRequest({
    cycle,
    programme,
    owner,
    requests,
    previous,
  }: Parameters<NotifierPort['inputRequest']>[0]) {
    const manager = ismsManager(programme);
    await this.send({
      cycle,
      programme,
      key: `input-request:${owner.id}`,
      purpose: 'inputs',
      to: [owner],
      build: async () => {
        // The previous answers' reviews, by their titles (e.g. "Q2 2026 management review").
        const earlier = new Map<string, string>();
        for (const cycleId of new Set([...previous.values()].map((answer) => answer.cycleId))) {
          const found = await this.options.repo.getCycle(cycleId);
          earlier.set(cycleId, found ? cycleTitle(found) : `review ${cycleId}`);
        }
        const rendered = templates.inputRequest({
          ...this.context(programme, owner),
          cycle: this.cycleRef(cycle),
          recipient: person(owner),
          inputs: this.requestedInputs(programme, requests).map((input) => {
            const last = previous.get(input.key);
            return last
              ? {
                  ...input,
                  previousAnswer: {
                    cycleTitle: earlier.get(last.cycleId) ?? `review ${last.cycleId}`,
                    receivedAt: last.receivedAt,
                    summary: last.summary,
                    nothingToReport: last.kind === 'nothing_to_report',
                  },
                }
              : input;
          }),
          deadline: cycle.inputsDueAt,
          meetingAt: cycle.plannedMeetingAt,
          // The email explains the fields itself ("How to answer"): the block alone is to copy.
          replyTemplate: renderInputBlocks(
            requests.map((r) => ({ key: r.inputKey, title: r.title, period: r.periodCovered })),
          ),
          maxAttachmentMb: Math.floor(DEFAULT_MAIL_LIMITS.maxMessageBytes / (1024 * 1024)),
          ismsManager: person(manager),
        });
        return {
          ...rendered,
          replyTo: await this.replyAddress({
            cycle,
            programme,
            purpose: 'inputs',
            recipient: owner,
            expiresAt: new Date(Date.parse(cycle.plannedMeetingAt) + 30 * DAY),
          }),
        };
      },
    });
  }

  async inputFollowUp({
    cycle,
    programme,
    owner,
    requests,
    step,
  }: Parameters<NotifierPort['inputFollowUp']>[0]) {
    const manager = ismsManager(programme);
    const chair = topManagement(programme).chair;
    const key = `input:${owner.id}:${step.id}`;
    if (step.kind === 'reminder') {
      await this.send({
        cycle,
        programme,
        key,
        purpose: 'inputs',
        to: [owner],
        build: async () => ({
          ...templates.inputReminder({
            ...this.context(programme, owner),
            cycle: this.cycleRef(cycle),
            recipient: person(owner),
            missing: requests.map((r) => ({ key: r.inputKey, title: r.title, period: r.periodCovered })),
            requestedAt: requests[0]?.requestedAt ?? cycle.openedAt,
            deadline: cycle.inputsDueAt,
            reminderNumber: Number(step.id.split('-')[1] ?? 1),
            replyTemplate: renderInputTemplate(
              requests.map((r) => ({ key: r.inputKey, title: r.title, period: r.periodCovered })),
            ),
            ismsManager: person(manager),
          }),
          replyTo: await this.replyAddress({
            cycle,
            programme,
            purpose: 'inputs',
            recipient: owner,
            expiresAt: new Date(Date.parse(cycle.plannedMeetingAt) + 30 * DAY),
          }),
        }),
      });
      return;
    }
    const toChair = step.kind === 'escalate-chair';
    const recipient = toChair ? chair : manager;
    await this.send({
      cycle,
      programme,
      key,
      purpose: 'inputs',
      to: [recipient],
      cc: toChair ? [manager, owner] : [owner],
      build: async () =>
        templates.inputEscalation({
          ...this.context(programme, recipient),
          level: toChair ? 'chair' : 'isms-manager',
          cycle: this.cycleRef(cycle),
          recipient: person(recipient),
          missing: requests.map((r) => ({
            key: r.inputKey,
            title: r.title,
            owner: person(owner),
            requestedAt: r.requestedAt,
            remindersSent: r.remindersSent,
          })),
          deadline: cycle.inputsDueAt,
          meetingAt: cycle.plannedMeetingAt,
          ismsManager: person(manager),
        }),
    });
  }

  async packageDistribution({
    cycle,
    programme,
    stored,
    recipients,
  }: Parameters<NotifierPort['packageDistribution']>[0]) {
    const body = await this.options.loadPackage(stored);
    const invitation = this.invitation(
      cycle,
      programme,
      recipients,
      stored.version - 1,
      `Package ${stored.sha256}.`,
    );
    await this.send({
      cycle,
      programme,
      key: `package:v${stored.version}`,
      purpose: 'package',
      to: recipients,
      build: async () => {
        const fingerprint = await this.options.anchorKeyFingerprint?.();
        return {
          subject: `Management review package: ${cycleTitle(cycle)}`,
          text: withEvidenceKeyText(body.text, fingerprint),
          html: withEvidenceKeyHtml(body.html, fingerprint),
          headers: {
            'X-Isms-Review-Package-Sha256': stored.sha256,
            ...(fingerprint ? { 'X-Isms-Review-Evidence-Key': fingerprint } : {}),
          },
          attachments: [
            ...(body.pdf
              ? [
                  {
                    filename: `review-package-${cycle.id}-v${stored.version}.pdf`,
                    content: body.pdf,
                    contentType: 'application/pdf',
                  },
                ]
              : []),
            ...(body.images ?? []).map((image) => ({
              filename: image.filename,
              content: image.content,
              contentType: 'image/png',
              cid: image.cid,
            })),
            // The minutes template, to fill in at the meeting and send back (reply or minutes submit).
            ...(this.options.minutesTemplate
              ? [
                  {
                    filename: `minutes-template-${cycle.id}.yaml`,
                    content: Buffer.from(this.options.minutesTemplate(cycle, programme), 'utf8'),
                    contentType: 'text/plain',
                  },
                ]
              : []),
          ],
          icalEvent: { method: 'REQUEST', content: invitation },
        };
      },
    });
  }

  /** The meeting's calendar invitation: one UID per cycle, so every update replaces the last. */
  private invitation(
    cycle: Cycle,
    programme: Programme,
    recipients: readonly ProgrammePerson[],
    sequence: number,
    note: string,
  ): string {
    const manager = ismsManager(programme);
    return meetingInvitation({
      uid: `${cycle.id}@${programme.mail.fromAddress.split('@')[1]}`,
      sequence,
      start: new Date(cycle.plannedMeetingAt),
      timeZone: programme.organisation.timeZone,
      durationMinutes: this.options.meetingMinutes ?? 90,
      summary: cycleTitle(cycle),
      description: `Management review (ISO/IEC 27001 clause 9.3) of ${programme.organisation.name}. ${note}`,
      organizer: { name: manager.name, email: manager.email },
      attendees: recipients.map((p) => ({ name: p.name, email: p.email })),
      stamp: this.options.clock.now(),
    });
  }

  async meetingUpdate({
    cycle,
    programme,
    recipients,
    sequence,
    previousAt,
  }: Parameters<NotifierPort['meetingUpdate']>[0]) {
    const manager = ismsManager(programme);
    await this.send({
      cycle,
      programme,
      key: `meeting:seq${sequence}`,
      purpose: 'package',
      to: recipients,
      build: async () => ({
        ...meetingMoved({
          ...this.context(programme),
          cycle: this.cycleRef(cycle),
          recipient: { name: 'members of the management review' },
          previousAt,
          meetingAt: cycle.plannedMeetingAt,
          ...(cycle.packageHash ? { packageSha256: cycle.packageHash } : {}),
          ismsManager: person(manager),
        }),
        icalEvent: {
          method: 'REQUEST',
          content: this.invitation(cycle, programme, recipients, sequence, 'The meeting has moved.'),
        },
      }),
    });
  }

  async minutesRequest({ cycle, programme, reminder }: Parameters<NotifierPort['minutesRequest']>[0]) {
    const manager = ismsManager(programme);
    const chair = topManagement(programme).chair;
    const escalated = reminder > 2;
    await this.send({
      cycle,
      programme,
      key: reminder === 0 ? 'minutes-request' : `minutes:reminder-${reminder}`,
      purpose: 'minutes',
      to: [manager],
      ...(escalated ? { cc: [chair] } : {}),
      build: async () => {
        const requests = await this.options.repo.listInputRequests(cycle.id);
        const rendered = templates.minutesRequest({
          ...this.context(programme, manager),
          cycle: this.cycleRef(cycle),
          recipient: person(manager),
          meetingAt: cycle.plannedMeetingAt,
          deadline: new Date(Date.parse(cycle.plannedMeetingAt) + 7 * DAY).toISOString(),
          replyTemplate: this.options.minutesTemplate?.(cycle, programme) ?? '',
          inputs: requests.map((r) => ({ key: r.inputKey, title: r.title })),
          alternative: `npx isms-review minutes submit ${cycle.id} --file minutes.yaml`,
        });
        return {
          ...rendered,
          subject: reminder === 0 ? rendered.subject : `Reminder ${reminder}: ${rendered.subject}`,
          replyTo: await this.replyAddress({
            cycle,
            programme,
            purpose: 'minutes',
            recipient: manager,
            expiresAt: new Date(Date.parse(cycle.plannedMeetingAt) + 90 * DAY),
          }),
        };
      },
    });
  }

  async minutesDistribution({
    cycle,
    programme,
    recipients,
    pdf,
  }: Parameters<NotifierPort['minutesDistribution']>[0]) {
    const manager = ismsManager(programme);
    const minutes = await this.options.repo.getMinutes(cycle.id);
    if (!minutes) return;
    const actions = await this.options.repo.listActionsOfCycle(cycle.id);
    const content = minutes.content;
    const name = (id: string) => personById(programme, id).name;
    await this.send({
      cycle,
      programme,
      key: `minutes:v${minutes.version}`,
      purpose: 'minutes',
      to: recipients,
      build: async () => {
        const message = templates.minutesDistribution({
          ...this.context(programme),
          cycle: this.cycleRef(cycle),
          recipient: { name: 'members of the management review' },
          meetingAt: cycle.heldAt ?? cycle.plannedMeetingAt,
          recordedAt: minutes.acceptedAt,
          attendees: content.attendance
            .filter((a) => a.status !== 'absent')
            .map((a) => ({
              name: name(a.personId),
              role: a.role,
              ...(a.proxyFor ? { proxyFor: name(a.proxyFor) } : {}),
            })),
          absent: content.attendance
            .filter((a) => a.status === 'absent')
            .map((a) => ({ name: name(a.personId), role: a.role })),
          inputsConsidered: content.inputsConsidered.map((i) => ({ key: i.key, title: i.title ?? i.key })),
          decisions: content.decisions.map((d) => ({ id: d.id, category: d.category, text: d.text })),
          actions: actions.map((a) => ({
            id: a.id,
            title: a.title,
            owner: person(personById(programme, a.ownerId)),
            dueDate: a.dueDate,
          })),
          assessment: content.assessment,
          ismsManager: person(manager),
        });
        const fingerprint = await this.options.anchorKeyFingerprint?.();
        return {
          ...message,
          text: withEvidenceKeyText(message.text, fingerprint),
          html: withEvidenceKeyHtml(message.html, fingerprint),
          ...(fingerprint ? { headers: { 'X-Isms-Review-Evidence-Key': fingerprint } } : {}),
          attachments: [
            {
              filename: `minutes-${cycle.id}-v${minutes.version}.pdf`,
              content: pdf,
              contentType: 'application/pdf',
            },
          ],
        };
      },
    });
  }

  /** The decision an action carries out, in the minutes' words, e.g. `D1 (Resource allocation): Fund ...`. */
  private async decisionText(action: Action): Promise<string | undefined> {
    if (!action.decisionId) return action.description;
    const minutes = await this.options.repo.getMinutes(action.cycleId);
    const decision = minutes?.content.decisions.find((d) => d.id === action.decisionId);
    if (!decision) return action.description;
    const ref = minutes?.content.decisionRefs[decision.id] ?? decision.id;
    return `${ref} (${DECISION_CATEGORY_TITLES[decision.category]}): ${decision.text}`;
  }

  private async actionDetails(
    cycle: Cycle,
    programme: Programme,
    action: Action,
  ): Promise<templates.ActionRef> {
    const ref = this.actionRef(cycle, programme, action);
    const decisionText = await this.decisionText(action);
    return decisionText ? { ...ref, decisionText } : ref;
  }

  private actionRef(cycle: Cycle, programme: Programme, action: Action): templates.ActionRef {
    // The last update a person made (not the notices the system sent, nor the creation).
    const lastUpdate = action.history.slice(1).findLast((entry) => entry.by !== 'system');
    return {
      id: action.id,
      title: action.title,
      owner: person(personById(programme, action.ownerId)),
      dueDate: action.dueDate,
      status: action.status.replace('_', ' '),
      decidedIn: {
        cycleTitle: cycleTitle(cycle),
        meetingDate: (cycle.heldAt ?? cycle.plannedMeetingAt).slice(0, 10),
      },
      ...(action.description ? { decisionText: action.description } : {}),
      ...(lastUpdate ? { lastUpdate: { at: lastUpdate.at, note: lastUpdate.change } } : {}),
    };
  }

  async actionStep({
    cycle,
    programme,
    action,
    step,
    daysOverdue,
  }: Parameters<NotifierPort['actionStep']>[0]) {
    const owner = personById(programme, action.ownerId);
    const manager = ismsManager(programme);
    const key = `action:${action.id}:${action.dueDate}:${step.id}`;
    const ref = await this.actionDetails(cycle, programme, action);
    const ownerReply = () =>
      this.replyAddress({
        cycle,
        programme,
        purpose: 'action',
        recipient: owner,
        ref: action.id,
        expiresAt: new Date(Date.parse(`${action.dueDate}T00:00:00Z`) + 365 * DAY),
      });
    if (step.kind === 'reminder') {
      const daysLeft = Math.max(
        0,
        Math.round((Date.parse(`${action.dueDate}T00:00:00Z`) - this.options.clock.now().getTime()) / DAY),
      );
      await this.send({
        cycle,
        programme,
        key,
        purpose: 'action',
        to: [owner],
        build: async () => ({
          ...templates.actionReminder({
            ...this.context(programme, owner),
            cycle: this.cycleRef(cycle),
            recipient: person(owner),
            action: ref,
            daysLeft,
            ismsManager: person(manager),
          }),
          replyTo: await ownerReply(),
        }),
      });
      return;
    }
    if (step.kind === 'overdue-notice') {
      await this.send({
        cycle,
        programme,
        key,
        purpose: 'action',
        to: [owner],
        build: async () => ({
          ...templates.actionOverdue({
            ...this.context(programme, owner),
            cycle: this.cycleRef(cycle),
            recipient: person(owner),
            action: ref,
            daysOverdue,
            ismsManager: person(manager),
          }),
          replyTo: await ownerReply(),
        }),
      });
      return;
    }
    const toTop = step.kind === 'escalate-top';
    const chair = topManagement(programme).chair;
    const executive = executiveOf(programme, owner.id);
    // The owner's executive may be the chair: one recipient, greeted once.
    const to = toTop ? [chair, ...(executive && executive.id !== chair.id ? [executive] : [])] : [manager];
    await this.send({
      cycle,
      programme,
      key,
      purpose: toTop ? 'decision' : 'action',
      to,
      cc: toTop ? [manager, owner] : [owner],
      build: async () => ({
        ...templates.actionEscalation({
          ...this.context(programme, to[0]),
          // Top management answers with its decision by reply (any member may; the chair is asked).
          ...(toTop ? { replyTemplate: renderActionCommandLines(MANAGEMENT_COMMANDS) } : {}),
          level: toTop ? 'top-management' : 'isms-manager',
          cycle: this.cycleRef(cycle),
          recipient: toTop ? { name: to.map((p) => p.name).join(' and ') } : person(manager),
          actions: [
            {
              ...ref,
              daysOverdue,
              ...(action.stepsSent?.['overdue-notice']
                ? { ownerToldAt: action.stepsSent['overdue-notice'] }
                : {}),
              ...(toTop && action.stepsSent?.['escalate-manager']
                ? { managerToldAt: action.stepsSent['escalate-manager'] }
                : {}),
              ...(action.extensionsGranted ? { extensionsGranted: action.extensionsGranted } : {}),
            },
          ],
          ismsManager: person(manager),
        }),
        ...(toTop
          ? { replyTo: await this.actionReply({ cycle, programme, action }, 'decision', chair) }
          : {}),
      }),
    });
  }

  /** A reply address for an action's person (owner, checker or chair), valid for a year. */
  private actionReply(message: ActionMessage, purpose: string, recipient: ProgrammePerson) {
    return this.replyAddress({
      cycle: message.cycle,
      programme: message.programme,
      purpose,
      recipient,
      ref: message.action.id,
      expiresAt: new Date(this.options.clock.now().getTime() + 365 * DAY),
    });
  }

  async effectivenessCheckRequest(message: ActionMessage & { overdue?: boolean }) {
    const { cycle, programme, action } = message;
    const overdue = message.overdue === true;
    const check = action.effectivenessCheck;
    if (action.status !== 'done' || !check || check.result || !action.closureEvidence) return;
    const checker = personById(programme, check.assigneeId);
    const manager = ismsManager(programme);
    await this.send({
      cycle,
      programme,
      key: `action:${action.id}:check:${action.closureEvidence.at}${overdue ? ':overdue' : ''}`,
      purpose: 'effectiveness',
      to: [checker],
      ...(overdue ? { cc: [manager] } : {}),
      build: async () => ({
        ...templates.effectivenessCheck({
          ...this.context(programme, checker),
          cycle: this.cycleRef(cycle),
          recipient: person(checker),
          action: await this.actionDetails(cycle, programme, action),
          closure: { text: action.closureEvidence!.text, at: action.closureEvidence!.at },
          checkDueDate: check.dueDate,
          ...(overdue ? { overdue } : {}),
          ismsManager: person(manager),
        }),
        replyTo: await this.actionReply(message, 'effectiveness', checker),
      }),
    });
  }

  async extensionRequest(message: ActionMessage) {
    const { cycle, programme, action } = message;
    const pending = action.extensionRequest;
    if (!pending) return;
    const chair = topManagement(programme).chair;
    const manager = ismsManager(programme);
    await this.send({
      cycle,
      programme,
      key: `action:${action.id}:extension:${pending.requestedAt}`,
      purpose: 'extension',
      to: [chair],
      cc: [manager],
      build: async () => ({
        ...templates.extensionRequest({
          ...this.context(programme, chair),
          cycle: this.cycleRef(cycle),
          recipient: person(chair),
          action: await this.actionDetails(cycle, programme, action),
          requestedAt: pending.requestedAt,
          requestedDueDate: pending.dueDate,
          reason: pending.reason,
          previousExtensions: action.extensionsGranted ?? 0,
          ismsManager: person(manager),
        }),
        replyTo: await this.actionReply(message, 'extension', chair),
      }),
    });
  }

  async extensionDecision(message: Parameters<NotifierPort['extensionDecision']>[0]) {
    const { cycle, programme, action } = message;
    const owner = personById(programme, action.ownerId);
    const chair = topManagement(programme).chair;
    const manager = ismsManager(programme);
    await this.send({
      cycle,
      programme,
      key: `action:${action.id}:extension-decision:${message.requestedAt}`,
      purpose: 'action',
      to: [owner],
      cc: [manager],
      build: async () => ({
        ...templates.extensionDecision({
          ...this.context(programme, owner),
          cycle: this.cycleRef(cycle),
          recipient: person(owner),
          action: await this.actionDetails(cycle, programme, action),
          approved: message.approved,
          requestedDueDate: message.requestedDueDate,
          previousDueDate: message.previousDueDate,
          ...(message.reason ? { reason: message.reason } : {}),
          chair: person(chair),
          ismsManager: person(manager),
        }),
        replyTo: await this.actionReply(message, 'action', owner),
      }),
    });
  }

  async actionReopened(message: Parameters<NotifierPort['actionReopened']>[0]) {
    const { cycle, programme, action } = message;
    const owner = personById(programme, action.ownerId);
    const manager = ismsManager(programme);
    await this.send({
      cycle,
      programme,
      key: `action:${action.id}:reopened:${action.effectivenessCheck?.checkedAt ?? action.updatedAt}`,
      purpose: 'action',
      to: [owner],
      cc: [manager],
      build: async () => ({
        ...templates.actionReopened({
          ...this.context(programme, owner),
          cycle: this.cycleRef(cycle),
          recipient: person(owner),
          action: await this.actionDetails(cycle, programme, action),
          finding: message.finding,
          checkedBy: person(personById(programme, message.checkedBy)),
          ismsManager: person(manager),
        }),
        replyTo: await this.actionReply(message, 'action', owner),
      }),
    });
  }

  async managementDecision(message: Parameters<NotifierPort['managementDecision']>[0]) {
    const { cycle, programme, action } = message;
    const owner = personById(programme, action.ownerId);
    const previousOwner = personById(programme, message.previousOwnerId);
    const manager = ismsManager(programme);
    const open = message.decision !== 'accept-risk';
    await this.send({
      cycle,
      programme,
      key: `action:${action.id}:${message.decision}:${message.decidedAt}`,
      purpose: 'action',
      to: [owner],
      cc: [previousOwner, manager].filter(
        (p, i, all) => p.id !== owner.id && all.findIndex((q) => q.id === p.id) === i,
      ),
      build: async () => ({
        ...templates.managementDecision({
          ...this.context(programme, owner),
          cycle: this.cycleRef(cycle),
          recipient: person(owner),
          action: await this.actionDetails(cycle, programme, action),
          decision: message.decision,
          reason: message.reason,
          decidedBy: person(personById(programme, message.decidedBy)),
          previousOwner: person(previousOwner),
          previousDueDate: message.previousDueDate,
          ismsManager: person(manager),
        }),
        ...(open ? { replyTo: await this.actionReply(message, 'action', owner) } : {}),
      }),
    });
  }

  async failure({ cycle, programme, error, cause, state }: Parameters<NotifierPort['failure']>[0]) {
    const manager = ismsManager(programme);
    await this.send({
      cycle,
      programme,
      key: `failure:${state}:${error}`.slice(0, 190),
      purpose: 'failure',
      to: [manager],
      build: async () =>
        templates.workflowFailure({
          ...this.context(programme, manager),
          cycle: this.cycleRef(cycle),
          recipient: person(manager),
          step: state,
          error: { name: error, message: cause },
          occurredAt: this.options.clock.now().toISOString(),
          executionName: cycle.id,
          consequence: 'The review cycle has stopped at this step; nothing after it has been sent.',
          whatToDo: [
            'Check the cause above and fix it (for example the programme, a mail identity or a permission).',
            `Then restart the step: \`npx isms-review cycle show ${cycle.id}\` shows where it stopped.`,
          ],
        }),
    });
  }
}
