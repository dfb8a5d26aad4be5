/**
 * The kinds of message a cycle sends, and the counts the demo's summary.json prints: every key
 * has exactly one kind, so the counts add up to the messages sent, and those are the messages the
 * evidence bundle holds.
 */
import fc from 'fast-check';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { buildEvidenceBundle } from '#shared/evidence/export.ts';
import {
  bundleMailFiles,
  countOutboundMail,
  OUTBOUND_MAIL_KINDS,
  outboundMailKind,
} from '#shared/evidence/mail-kinds.ts';
import { aTrailFixture } from './trail-fixture.ts';

describe('outboundMailKind', () => {
  it('names the kind of every message the notifier and the ingest send', () => {
    const cases: [string, string][] = [
      ['input-request:ciso', 'inputRequests'],
      ['input:auditor:reminder-1', 'inputReminders'],
      ['input:customer-lead:escalate-chair', 'inputEscalations'],
      ['package:v2', 'package'],
      ['meeting:seq1', 'meetingUpdates'],
      ['minutes-request', 'minutesRequests'],
      ['minutes:reminder-2', 'minutesRequests'],
      ['minutes:v1', 'minutes'],
      ['minutes-form:v1', 'minutesForms'],
      ['package-approval:v1:request', 'approvalRequests'],
      ['package-approval:v2:reminder-1', 'approvalRequests'],
      ['minutes-approval:v1:request', 'approvalRequests'],
      ['action:A-20270101T0900Z-Q-002:2027-02-03:remind-7d', 'actionReminders'],
      ['action:A-20270101T0900Z-Q-002:2027-02-03:overdue-notice', 'actionReminders'],
      ['action:A-20270101T0900Z-Q-002:2027-02-03:escalate-top', 'actionEscalations'],
      ['action:A-20270101T0900Z-Q-002:reschedule:2027-02-14T00:00:22.506Z', 'managementDecisions'],
      ['action:A-20270101T0900Z-Q-002:accept-risk:2027-02-14T00:00:22.506Z', 'managementDecisions'],
      ['action:A-20270101T0900Z-Q-002:extension:2027-02-10T10:00:00.000Z', 'actionNotices'],
      ['reply:59a53023d3ab5f9a09c033e05f2e5b49', 'answers'],
      ['failure:CompilePackage:Error', 'failures'],
      ['something-new', 'other'],
    ];
    for (const [key, kind] of cases) expect(outboundMailKind(key), key).toBe(kind);
  });

  it('counts add up to the messages counted, whatever the keys (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string()), (keys) => {
        const counts = countOutboundMail(keys);
        const sum = OUTBOUND_MAIL_KINDS.reduce((total, kind) => total + counts[kind], 0);
        expect(sum).toBe(keys.length);
        expect(counts.total).toBe(keys.length);
      }),
    );
  });
});

describe('the mail counts and the bundle', () => {
  it('count exactly the messages the bundle holds, sent and received', async () => {
    const fixture = await aTrailFixture();
    const { zip, manifest } = await buildEvidenceBundle(fixture.source, fixture.cycle.id);
    const sent = await fixture.source.outbox.listSent(fixture.cycle.id);
    const counts = countOutboundMail(sent.map((record) => record.key));
    const held = bundleMailFiles(manifest.files);
    expect(held).toEqual({ sent: counts.total, received: 1 });
    expect(counts).toMatchObject({ inputRequests: 1, total: 1 });
    // mail/outbound.csv says the kind of each message, as the counts do.
    const files = unzipSync(zip);
    expect(strFromU8(files['mail/outbound.csv']!)).toContain('input-request:auditor,inputRequests,');
  });
});
