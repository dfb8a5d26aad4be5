/**
 * The simulated people of the demo cycle: they read every email the system sends (written to
 * <outputDir>/mail/ as .eml) and answer by real SMTP as a mail client would, following the story in
 * demo/run.ts; run() moves simulated time while the workflow is idle until the cycle closes.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import nodemailer from 'nodemailer';
import type { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import type { DynamoOutboxStore } from '#shared/adapters/outbox-dynamodb.ts';
import type { S3BlobStore } from '#shared/adapters/s3-blob-store.ts';
import { renderInputAnswer } from '#shared/mail/reply-format.ts';
import type { OutboxRecord } from '#shared/mail/outbox.ts';
import type { Cycle } from '#shared/model/cycle.ts';
import type { Metric } from '#shared/model/input.ts';
import { meetingMinutesOf, ownerOf, personById, programmeCatalogue } from '#shared/programme/queries.ts';
import type { Programme } from '#shared/programme/schema.ts';
import type { LocalStack } from '#infra/local/stack.ts';
import type { LocalWorkflow } from '#infra/local/workflow.ts';

const count = (name: string, value: number): Metric => ({ name, value, unit: 'count' });

/**
 * What an owner answers for `key`: a summary that says what happened in the period, the figures the
 * catalogue asks for, objectives with their targets, and for c an item for decision in full.
 */
function demoAnswer(
  key: string,
  period: { from: string; to: string },
): {
  summary: string;
  metrics: Metric[];
  decisionNeeded?: string;
  decisionOptions?: string[];
  recommendation?: string;
  decisionCost?: string;
  riskIfNotDecided?: string;
} {
  const span = `${period.from} to ${period.to}`;
  switch (key) {
    case 'b':
      return {
        summary: `From ${span}: the payments platform moved to a new cloud region, and the NIS2 transposition law now puts us in scope as an important entity.`,
        metrics: [],
      };
    case 'c':
      return {
        summary: `From ${span}: two enterprise customers now require a SOC 2 report or an equivalent supplier assessment before renewal.`,
        metrics: [],
        decisionNeeded: 'Approve budget for a second supplier assessment.',
        decisionOptions: [
          'an external assessor this year',
          'an internal assessment only',
          'wait for next year',
        ],
        recommendation: 'an external assessor this year',
        decisionCost: '£18,000 and 5 person-days',
        riskIfNotDecided: 'both customers may not renew in the spring',
      };
    case 'd1':
      return {
        summary: `From ${span}: three nonconformities raised (two from the internal audit, one from an incident), five closed; one corrective action is overdue (access reviews).`,
        metrics: [
          count('Nonconformities opened', 3),
          count('Nonconformities closed', 5),
          count('Nonconformities overdue', 1),
        ],
      };
    case 'd2':
      return {
        summary: `From ${span}: patch compliance held at target; backup restore tests passed; mean time to close critical vulnerabilities rose to 12 days.`,
        metrics: [
          count('Measures reported', 8),
          count('Measures below target', 2),
          { name: 'Patch compliance', value: 97.5, unit: '%' },
        ],
      };
    case 'd3':
      return {
        summary: `From ${span}: the internal audit of access control and supplier management found two minor nonconformities and three observations; no major finding.`,
        metrics: [
          count('Audits held', 2),
          count('Audit findings major', 0),
          count('Audit findings minor', 2),
          count('Audit observations', 3),
        ],
      };
    case 'd4':
      return {
        summary: `From ${span}: two of three objectives met; the phishing click rate is above target after the spring campaign.`,
        metrics: [
          { name: 'Phishing click rate', value: 7.5, unit: '%', target: 5 },
          { name: 'Staff security training completed', value: 96, unit: '%', target: 95 },
          { name: 'Critical vulnerabilities fixed in 14 days', value: 92, unit: '%', target: 90 },
        ],
      };
    case 'e':
      return {
        summary: `From ${span}: one customer complaint about slow answers to security questionnaires; staff asked for clearer rules on personal devices.`,
        metrics: [
          count('Complaints from customers', 1),
          count('Complaints from staff', 0),
          count('Feedback from regulators', 0),
          count('Feedback from other parties', 2),
        ],
      };
    case 'f':
      return {
        summary: `From ${span}: the risk assessment was updated for the cloud move; two risks stay above appetite (supplier concentration, legacy VPN) and one treatment is late.`,
        metrics: [
          count('Risks above appetite', 2),
          count('Risk treatments late', 1),
          count('Risks accepted', 1),
        ],
      };
    default:
      return {
        summary: `From ${span}: automate the quarterly access review with the identity provider, saving about four person-days a quarter.`,
        metrics: [count('Improvement opportunities', 1)],
      };
  }
}

export class DemoFailed extends Error {
  override name = 'DemoFailed' as const;
}

const DAY_MS = 86_400_000;
/** How far simulated time jumps each time the workflow is idle. */
const STEP_MS = 3 * 3_600_000;
/** A bound on the whole run, in real time. */
const TIMEOUT_MS = 110_000;

/** Who answers their input request at once, who only after the first reminder (the rest never). */
const ANSWER_AT_ONCE = new Set(['risk-owner', 'ciso', 'alice']);
const LATE_OWNER = 'auditor';

const simDate = (at: Date): string => at.toISOString().slice(0, 16).replace('T', ' ');

/** What one simulated person does with one email. */
interface Received {
  readonly record: OutboxRecord;
  readonly mail: ParsedMail;
  readonly raw: Buffer;
}

export class Demo {
  private readonly seen = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private replyCount = 0;
  private readonly problems: string[] = [];
  private readonly mailer;

  constructor(
    private readonly programme: Programme,
    private readonly stack: LocalStack,
    private readonly workflow: LocalWorkflow,
    private readonly repo: DynamoDbRepository,
    private readonly outbox: DynamoOutboxStore,
    private readonly evidence: S3BlobStore,
    readonly cycleId: string,
    private readonly dir: string,
    private readonly log: (line: string) => void,
  ) {
    this.mailer = nodemailer.createTransport({
      host: stack.smtp.host,
      port: stack.smtp.port,
      secure: false,
      ignoreTLS: true,
    });
  }

  get clock(): LocalWorkflow['clock'] {
    return this.workflow.clock;
  }

  private now(): Date {
    return this.workflow.clock.now();
  }

  say(line: string): void {
    this.log(`[${simDate(this.now())}] ${line}`);
  }

  /** Reads the cycle's sent mail and lets each recipient act on what is new. Returns how many were new. */
  async readMail(): Promise<number> {
    const sent = await this.outbox.listSent(this.cycleId);
    let fresh = 0;
    for (const record of sent) {
      if (this.seen.has(record.key)) continue;
      this.seen.add(record.key);
      fresh += 1;
      const raw = await this.evidence.get(record.rawKey!);
      await writeFile(
        join(this.dir, 'mail', `${String(this.seen.size).padStart(3, '0')}-${fileSafe(record.key)}.eml`),
        raw,
      );
      const mail = await simpleParser(raw);
      this.say(`sent  ${record.key.padEnd(44)} to ${record.recipients.join(', ')}`);
      this.react({ record, mail, raw });
    }
    return fresh;
  }

  private react(received: Received): void {
    const { key } = received.record;
    const request = /^input-request:(.+)$/.exec(key);
    if (request && ANSWER_AT_ONCE.has(request[1]!)) {
      this.track(this.answerInputs(request[1]!, received));
      return;
    }
    if (key === `input:${LATE_OWNER}:reminder-1`) {
      this.track(this.answerInputs(LATE_OWNER, received));
      return;
    }
    // The ISMS manager approves the package, the chair the minutes, each on its first request.
    if (/^package-approval:v\d+:request$/.test(key)) {
      this.track(
        this.reply(
          'alice',
          received,
          'APPROVE\nEvery input checked against its owner’s register; ready for the meeting.',
        ),
      );
      return;
    }
    if (/^minutes-approval:v\d+:request$/.test(key)) {
      this.track(this.reply('ceo', received, 'APPROVE\nThe minutes record what we considered and decided.'));
      return;
    }
    if (key === 'minutes-request') {
      // Asked as the meeting starts: the minutes go once it has ended (answerMinutesRequest).
      this.minutesRequest = received;
      return;
    }
    const action = /^action:([^:]+):(?:.+:)?([^:]+)$/.exec(key);
    if (action) {
      const [, actionId, step] = action as unknown as [string, string, string];
      this.track(this.actOn(actionId, step, received));
      return;
    }
  }

  /** The minutes request, until the ISMS manager answers it. */
  private minutesRequest: Received | undefined;

  /** The ISMS manager sends the minutes once the meeting has ended (its planned start plus its length). */
  private async answerMinutesRequest(): Promise<void> {
    const received = this.minutesRequest;
    if (!received) return;
    const cycle = (await this.repo.getCycle(this.cycleId))!;
    const ends = Date.parse(cycle.plannedMeetingAt) + meetingMinutesOf(this.programme, cycle.type) * 60_000;
    if (this.now().getTime() < ends) return;
    this.minutesRequest = undefined;
    this.track(this.sendMinutes(received));
  }

  private track(work: Promise<void>): void {
    const tracked = work
      .catch((error: unknown) => this.problem((error as Error).message))
      .finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  get busy(): boolean {
    return this.inFlight.size > 0;
  }

  problem(text: string): void {
    this.problems.push(text);
    console.error(`problem: ${text}`);
  }

  get failures(): readonly string[] {
    return this.problems;
  }

  /** A reply the way a mail client sends it: to the Reply-To address, threaded, the request quoted. */
  private async reply(fromId: string, received: Received, body: string, quote = true): Promise<void> {
    const person = personById(this.programme, fromId);
    const to = received.mail.replyTo?.value[0]?.address;
    if (!to) throw new DemoFailed(`${received.record.key} has no Reply-To address to answer`);
    const quoted = quote
      ? `\n\nOn ${received.mail.date?.toUTCString() ?? 'an earlier day'}, ${received.mail.from?.text ?? 'the ISMS review'} wrote:\n` +
        (received.mail.text ?? '')
          .split('\n')
          .map((line) => `> ${line}`)
          .join('\n')
      : '';
    const message = {
      from: { name: person.name, address: person.email },
      // Written now in simulated time, as the person's mail client would date it (not the wall clock).
      date: this.now(),
      to,
      subject: `Re: ${received.mail.subject ?? ''}`,
      text: `${body}${quoted}\n`,
      ...(received.mail.messageId
        ? { inReplyTo: received.mail.messageId, references: [received.mail.messageId] }
        : {}),
    };
    const raw = await new Promise<Buffer>((resolve, reject) => {
      nodemailer
        .createTransport({ streamTransport: true, buffer: true })
        .sendMail(message, (error, info) => (error ? reject(error) : resolve(info.message as Buffer)));
    });
    this.replyCount += 1;
    await writeFile(
      join(this.dir, 'replies', `${String(this.replyCount).padStart(3, '0')}-${fromId}.eml`),
      raw,
    );
    await this.mailer.sendMail({ envelope: { from: person.email, to: [to] }, raw });
    this.say(`reply ${`from ${fromId}`.padEnd(44)} to ${received.record.key}`);
  }

  private async answerInputs(ownerId: string, received: Received): Promise<void> {
    const requests = (await this.repo.listInputRequests(this.cycleId)).filter(
      (request) => request.ownerId === ownerId && request.status !== 'SUBMITTED',
    );
    const titles = new Map(programmeCatalogue(this.programme).map((input) => [input.key, input.title]));
    const blocks = requests.map((request) =>
      renderInputAnswer(
        request.inputKey === 'g' && ownerId === 'alice'
          ? {
              key: request.inputKey,
              kind: 'nothing_to_report',
              period: request.periodCovered,
              nothingToReport: 'No opportunities for improvement were raised in the period.',
              metrics: [],
            }
          : {
              key: request.inputKey,
              kind: 'report',
              period: request.periodCovered,
              ...demoAnswer(request.inputKey, request.periodCovered),
            },
        titles.get(request.inputKey),
      ),
    );
    await this.reply(
      ownerId,
      received,
      ['Hello, here is my input.', '', ...blocks].join('\n'),
      ownerId === 'alice',
    );
  }

  private async sendMinutes(received: Received): Promise<void> {
    const cycle = (await this.repo.getCycle(this.cycleId))!;
    const meeting = new Date(cycle.plannedMeetingAt);
    const due = (days: number) => new Date(meeting.getTime() + days * DAY_MS).toISOString().slice(0, 10);
    const local = new Intl.DateTimeFormat('en-GB', {
      timeZone: this.programme.organisation.timeZone,
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(meeting);
    const keys = programmeCatalogue(this.programme).map((input) => input.key);
    const requests = await this.repo.listInputRequests(this.cycleId);
    const unanswered = new Set(
      requests
        .filter((r) => !r.automatic && (r.status === 'NOT_PROVIDED' || r.status === 'REQUESTED'))
        .map((r) => r.inputKey),
    );
    // What the meeting noted: what led to each decision, and what it did about each input nobody provided.
    const note = (key: string): string => {
      if (key === 'c') return 'The risk owner asked for a second supplier assessment; approved as D1.';
      if (unanswered.has(key)) {
        const owner = ownerOf(this.programme, key)?.name ?? 'its owner';
        const decided = key === 'e' ? ' D2 makes it a standing input.' : '';
        return `Not provided; ${owner} to present it at the next review.${decided}`;
      }
      return 'considered, nothing to report';
    };
    const minutes = [
      'meeting:',
      `  date: ${cycle.plannedMeetingAt.slice(0, 10)}`,
      `  time: '${local}'`,
      'attendees:',
      '  - { person: ceo, status: present }',
      '  - { person: cfo, status: present }',
      '  - { person: cto, status: present }',
      '  - { person: alice, status: present }',
      'inputsConsidered:',
      ...keys.map((key) => `  ${key}: ${JSON.stringify(note(key))}`),
      'decisions:',
      '  - { ref: D1, category: risk_treatment, text: Fund a second supplier assessment this quarter, input: c }',
      '  - { ref: D2, category: processes_and_controls, text: Customer feedback is an input owned by Customer Success and must be provided, input: e }',
      'actions:',
      `  - { title: Complete the second supplier assessment, owner: ciso, due: ${due(14)}, decision: D1 }`,
      `  - { title: Set up the customer feedback report for the ISMS review, owner: cto, due: ${due(5)}, decision: D2 }`,
      'changesToTheIsms: Customer feedback becomes a standing input owned by Customer Success (D2).',
      'resourceNeeds: Budget for a second supplier assessment this quarter (D1); no other resources needed.',
      'assessment:',
      '  suitability: { verdict: yes, rationale: The scope still matches the business and its locations. }',
      '  adequacy: { verdict: partly, rationale: Customer feedback was not provided for this review. }',
      '  effectiveness: { verdict: yes, rationale: Security objectives for the quarter were met. }',
      '  alignment: { verdict: yes, rationale: The ISMS supports the growth plan agreed by the board. }',
    ].join('\n');
    await writeFile(join(this.dir, 'minutes-submitted.yaml'), `${minutes}\n`);
    await this.reply('alice', received, minutes, false);
  }

  /** The latest email about each action that its owner can answer (a reply address for the owner). */
  private readonly answerable = new Map<string, Received>();

  private async actOn(actionId: string, step: string, received: Received): Promise<void> {
    const action = await this.repo.getAction(actionId);
    if (!action || ['done', 'verified', 'cancelled'].includes(action.status)) return;
    const owner = action.ownerId;
    const recipient = personById(this.programme, owner).email.toLowerCase();
    if (!received.record.recipients.includes(recipient)) return;
    // The escalation to top management is answered by top management, not by the owner it copies.
    if (received.record.purpose === 'action' && received.mail.replyTo?.value[0]?.address) {
      this.answerable.set(actionId, received);
    }
    if (owner === 'cto' && step === 'escalate-top') {
      const newDate = new Date((received.mail.date?.getTime() ?? Date.now()) + 7 * DAY_MS);
      await this.reply(
        'ceo',
        received,
        `RESCHEDULE ${newDate.toISOString().slice(0, 10)} Łukasz has the data now; one more week, no later.`,
      );
      return;
    }
    const answersNow =
      (owner === 'ciso' && step.startsWith('remind')) ||
      (owner === 'cto' && received.record.key.includes(':reschedule:'));
    const answerTo = this.answerable.get(actionId);
    if (!answersNow || !answerTo) return;
    const evidence =
      owner === 'ciso'
        ? 'Supplier assessment report SA-2027-02 filed in the ISMS register: https://isms.example.com/register/SA-2027-02'
        : 'Customer feedback report set up; first issue sent to the ISMS manager: https://isms.example.com/reports/customer-feedback';
    await this.reply(owner, answerTo, `DONE ${evidence}`);
  }

  /** Moves simulated time on while the workflow sleeps and nobody has anything left to do. */
  async run(): Promise<Cycle> {
    const deadline = Date.now() + TIMEOUT_MS;
    let phase = '';
    for (;;) {
      const sleeping = this.workflow.clock.sleeping > 0;
      const fresh = await this.readMail();
      await this.answerMinutesRequest();
      const cycle = await this.repo.getCycle(this.cycleId);
      if (cycle && cycle.phase !== phase) {
        phase = cycle.phase;
        this.say(`phase ${phase}`);
      }
      if (cycle?.phase === 'FAILED')
        throw new DemoFailed(`the cycle failed: ${JSON.stringify(cycle.failure)}`);
      if (cycle?.phase === 'CLOSED') {
        await Promise.all(this.inFlight);
        await this.readMail();
        return cycle;
      }
      if (Date.now() > deadline)
        throw new DemoFailed(`the cycle did not close within ${TIMEOUT_MS / 1000} s (phase ${phase})`);
      if (sleeping && fresh === 0 && !this.busy && this.workflow.clock.sleeping > 0) {
        this.workflow.clock.advance(STEP_MS);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  close(): void {
    this.mailer.close();
  }
}

function fileSafe(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_');
}
