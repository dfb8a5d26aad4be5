import { describe, expect, it } from 'vitest';
import { answerAddress } from '#shared/ingest/answer.ts';
import { localVerdicts } from '#shared/mail/local-verdicts.ts';
import { heldMailDigest } from '#shared/mail/templates/held-mail-digest.ts';
import { heldMailId, HeldMail } from '#shared/store/held-mail.ts';
import { rawMail, replyHeaders } from '#test/unit/inbound/builders.ts';

describe('localVerdicts (the local SMTP server)', () => {
  it('fails SPF for a stranger’s envelope, is GRAY for a bounce, and never claims DKIM or DMARC', async () => {
    const raw = rawMail(replyHeaders());
    expect((await localVerdicts(raw, 'mallory@attacker.example.net')).spfVerdict.status).toBe('FAIL');
    expect((await localVerdicts(raw, 'priya@examp1e.com')).spfVerdict.status).toBe('FAIL');
    expect((await localVerdicts(raw, '')).spfVerdict.status).toBe('GRAY');
    expect(
      (await localVerdicts(Buffer.from('not mail at all'), 'priya.shah@example.com')).spfVerdict.status,
    ).toBe('FAIL');
    const verdicts = await localVerdicts(raw, 'priya.shah@example.com');
    expect(verdicts).toEqual({
      spamVerdict: { status: 'PASS' },
      virusVerdict: { status: 'PASS' },
      spfVerdict: { status: 'PASS' },
      dkimVerdict: { status: 'GRAY' },
      dmarcVerdict: { status: 'GRAY' },
    });
  });

  it('passes SPF for an envelope sender in the From address’s own organisation, whatever its case', async () => {
    const raw = rawMail(replyHeaders());
    expect((await localVerdicts(raw, 'BOUNCES@MAIL.EXAMPLE.COM')).spfVerdict.status).toBe('PASS');
  });
});

describe('answerAddress', () => {
  it('never answers a third party’s envelope address; falls back to From', () => {
    const from = { address: 'priya.shah@example.com', name: 'Priya' };
    expect(
      answerAddress({ from, envelope: { mailFrom: 'bounce@sendgrid.example.net', recipients: [] } }),
    ).toBe('priya.shah@example.com');
    expect(answerAddress({ from, envelope: { mailFrom: '', recipients: [] } })).toBe(
      'priya.shah@example.com',
    );
    expect(answerAddress({ from, envelope: { mailFrom: undefined, recipients: [] } })).toBe(
      'priya.shah@example.com',
    );
  });

  it('answers the envelope sender when it is in the same organisation (RFC 3834)', () => {
    const from = { address: 'priya.shah@example.com', name: 'Priya' };
    expect(answerAddress({ from, envelope: { mailFrom: '<Priya.Shah@Example.com>', recipients: [] } })).toBe(
      'priya.shah@example.com',
    );
    expect(
      answerAddress({ from, envelope: { mailFrom: 'priya+bounces@eu.example.com', recipients: [] } }),
    ).toBe('priya+bounces@eu.example.com');
  });
});

describe('held mail records and their digest', () => {
  it('refuses a record that is not one, and makes sortable ids', () => {
    expect(HeldMail.safeParse({ id: 'H-1' }).success).toBe(false);
    expect(heldMailId('2026-10-06T08:00:00.123Z', 'ab'.repeat(32))).toBe(
      'H-20261006T080000Z-abababababababab',
    );
    expect(
      heldMailId('2026-10-06T08:00:01.000Z', '0'.repeat(64)) >
        heldMailId('2026-10-06T08:00:00.999Z', 'f'.repeat(64)),
    ).toBe(true);
  });

  it('escapes what the sender wrote and says how to release each message', () => {
    const mail = heldMailDigest({
      organisation: 'Acme Ltd',
      timeZone: 'Europe/London',
      recipient: { name: 'Alice Example', email: 'alice@example.com' },
      since: '2026-09-22T08:00:00.000Z',
      until: '2026-10-06T08:00:00.000Z',
      entries: [
        {
          id: 'H-20261006T080000Z-0123456789abcdef',
          receivedAt: '2026-10-06T07:00:00.000Z',
          from: 'mallory@attacker.example.net',
          sender: [],
          subject: '<script>alert(1)</script> Re: input',
          reason: 'the message failed DMARC',
        },
      ],
      more: 2,
    });
    expect(mail.subject).toBe('Held mail: 3 messages to review replies not recorded');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;');
    expect(mail.text).toContain('isms-review mail release H-20261006T080000Z-0123456789abcdef');
    expect(mail.text).toContain('2 more are not listed here');
  });
});
