import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { splitReply, stripQuotes } from '#shared/mail/strip-quotes.ts';

const QUOTE =
  '> Dear Priya,\n>\n> [input d1] Nonconformities\n> period: 2026-07-01 to 2026-09-30\n> summary:\n> [end]';
const ORIGINAL =
  'Dear Priya,\n\n[input d1] Nonconformities\nperiod: 2026-07-01 to 2026-09-30\nsummary:\n[end]';

describe('stripQuotes on empty and quote-only bodies', () => {
  it('gives an empty reply for an empty body, blank lines, or nothing but quoted text', () => {
    expect(stripQuotes('')).toBe('');
    expect(stripQuotes('\n\n \u00a0\n')).toBe('');
    expect(stripQuotes(QUOTE)).toBe('');
    expect(
      stripQuotes(`On Mon, 5 Oct 2026 at 10:02, ISMS Review <review@reply.example.com> wrote:\n${QUOTE}`),
    ).toBe('');
    expect(splitReply(QUOTE)).toEqual({ text: '', quoteRemoved: true, signatureRemoved: false });
  });

  it('leaves a body with no history and no signature exactly as it is, apart from outer blank lines', () => {
    const body = '\n\nDONE  see the policy \u00a0\nwith two  spaces kept\t\n\n  indented line\n\n';
    expect(stripQuotes(body)).toBe('DONE  see the policy \u00a0\nwith two  spaces kept\t\n\n  indented line');
    expect(splitReply(body)).toMatchObject({ quoteRemoved: false, signatureRemoved: false });
  });

  it('does not take ordinary sentences for attributions or header blocks', () => {
    const body = [
      'On the other hand, as the auditor wrote:',
      'the finding is minor.',
      'From: the audit team, with thanks.',
      'On 5 October we met; the notes are below.',
      'Sent: to the board on Friday',
    ].join('\n');
    expect(stripQuotes(body)).toBe(body);
  });

  it('handles Windows and old Mac line ends', () => {
    expect(stripQuotes('DONE x\r\n\r\n> quoted\r\n')).toBe('DONE x');
    expect(stripQuotes('DONE x\r\r> quoted\r')).toBe('DONE x');
  });
});

describe('stripQuotes on hostile text', () => {
  it('reads very long lines and many short ones in linear time', () => {
    const bodies = [
      ' '.repeat(300_000) + 'x',
      `On ${'1 '.repeat(100_000)}wrote`,
      `From: ${'a'.repeat(200_000)}`,
      'From: a\n'.repeat(50_000),
      '> \n'.repeat(100_000) + 'end',
      `Sent from my iPhone${' <'.repeat(100_000)}`,
      `x${'<a@b.c> '.repeat(30_000)}:`,
    ];
    const started = Date.now();
    for (const body of bodies) stripQuotes(body);
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 30_000);
});

describe('stripQuotes on the ways clients quote', () => {
  it('cuts a top-posted reply at an attribution followed by an unquoted original', () => {
    const body = `My answer\n\nOn Tuesday, October 6, 2026 at 09:12:03 AM GMT+2, ISMS Review <r@x.example> wrote:\n\n\n${ORIGINAL}`;
    expect(stripQuotes(body)).toBe('My answer');
  });

  it('removes a bottom-posted quote and keeps the reply below it', () => {
    const body = `On Mon, 5 Oct 2026 at 10:02, ISMS Review <r@x.example> wrote:\n${QUOTE}\n\nMy answer\nsecond line`;
    expect(stripQuotes(body)).toBe('My answer\nsecond line');
  });

  it('keeps inline answers between quoted parts and joins the gaps into one blank line', () => {
    const body = `On 05/10/2026 10:02, ISMS Review wrote:\n> question one\n\nanswer one\n\n> question two\n\n\nanswer two`;
    expect(stripQuotes(body)).toBe('answer one\n\nanswer two');
  });

  it('reads attributions wrapped over two or three lines, with odd spaces and smart quotes', () => {
    const wrapped = `Reply\n\nOn Mon, Oct 5, 2026 at 10:02\u202fAM \u201cISMS Review\u201d <\nreview+abc@reply.example.com>\nwrote:\n\n${QUOTE}`;
    expect(stripQuotes(wrapped)).toBe('Reply');
    const nbsp = `Reply\n\nOn\u00a05\u00a0Oct\u00a02026, at\u00a010:02, ISMS\u00a0Review wrote:\n${QUOTE}`;
    expect(stripQuotes(nbsp)).toBe('Reply');
  });

  it('reads attributions in other languages', () => {
    const cases = [
      'Am 05.10.26 um 10:02 schrieb ISMS Review:',
      'Am Mo., 5. Okt. 2026 um 10:02 Uhr schrieb ISMS Review <review@reply.example.com>:',
      'Le lun. 5 oct. 2026 à 10:02, ISMS Review <review@reply.example.com> a écrit :',
      'Op ma 5 okt 2026 om 10:02 schreef ISMS Review <review@reply.example.com>:',
      'El lun, 5 oct 2026 a las 10:02, ISMS Review (<review@reply.example.com>) escribió:',
      'Il giorno lun 5 ott 2026 alle ore 10:02 ISMS Review <review@reply.example.com> ha scritto:',
      'Den mån 5 okt. 2026 kl 10:02 skrev ISMS Review <review@reply.example.com>:',
      '2026年10月6日(火) 9:12 ISMS Review <review@reply.example.com>:',
      'ISMS Review <review@reply.example.com> wrote:',
    ];
    for (const attribution of cases) {
      expect(stripQuotes(`Mine\n\n${attribution}\n${QUOTE}`), attribution).toBe('Mine');
    }
  });

  it('cuts at Outlook header blocks, with or without the line of underscores, in English and German', () => {
    const outlook = `Mine\n\nFrom: ISMS Review <r@x.example>\nSent: Monday, October 5, 2026 10:02 AM\nTo: Tom <t@x.example>\nSubject: Input\n\n${ORIGINAL}`;
    expect(stripQuotes(outlook)).toBe('Mine');
    const mobile = `Mine\n\nGet Outlook for Android\n________________________________\nFrom: ISMS Review <r@x.example>\nSent: Tuesday, October 6, 2026 9:12:44 AM\nTo: Tom\nSubject: Input\n\n${ORIGINAL}`;
    expect(splitReply(mobile)).toEqual({ text: 'Mine', quoteRemoved: true, signatureRemoved: true });
    const bold = `Mine\n\n*From:* ISMS Review <r@x.example>\n*Sent:* Monday, October 5, 2026 10:02 AM\n*To:* Tom\n*Subject:* Input\n\n${ORIGINAL}`;
    expect(stripQuotes(bold)).toBe('Mine');
    const german = `Meins\n\n-----Ursprüngliche Nachricht-----\nVon: ISMS Review <r@x.example>\nGesendet: Montag, 5. Oktober 2026 10:02\nAn: Jürgen\nBetreff: Input\n\n${ORIGINAL}`;
    expect(stripQuotes(german)).toBe('Meins');
    const mac = `Mine\n\nFrom: ISMS Review <r@x.example>\nDate: Monday, 5 October 2026 at 10:02\nTo: Elena\nSubject: Input\n\n${ORIGINAL}`;
    expect(stripQuotes(mac)).toBe('Mine');
  });

  it('cuts at "-----Original Message-----" and at forwarded-message lines', () => {
    expect(stripQuotes(`Mine\n-----Original Message-----\n${ORIGINAL}`)).toBe('Mine');
    expect(stripQuotes(`Mine\n\n---------- Forwarded message ---------\nFrom: x\n\n${ORIGINAL}`)).toBe(
      'Mine',
    );
    expect(stripQuotes(`Mine\n\nBegin forwarded message:\n\n${ORIGINAL}`)).toBe('Mine');
  });

  it('removes signatures after "-- " and phone signatures, keeping a plain sign-off', () => {
    expect(splitReply('Mine\n\nRegards,\nTom\n-- \nTom Becker\n+44 20 7946 0018')).toEqual({
      text: 'Mine\n\nRegards,\nTom',
      quoteRemoved: false,
      signatureRemoved: true,
    });
    for (const phone of [
      'Sent from my iPhone',
      'Sent from my iPad',
      'Sent from my Galaxy',
      'Sent from Outlook for Android',
      'Get Outlook for iOS<https://aka.ms/o0ukef>',
      'Von meinem iPhone gesendet',
      'Envoyé de mon iPhone',
      'Sent\u00a0from\u00a0my\u00a0iPhone',
    ]) {
      expect(
        stripQuotes(`DONE it is done\n\n${phone}\n\n> On 6 Oct 2026, at 09:12, X <x@y.example> wrote:`),
        phone,
      ).toBe('DONE it is done');
    }
    expect(stripQuotes('I was sent from my iPhone to the meeting.')).toBe(
      'I was sent from my iPhone to the meeting.',
    );
  });
});

const word = fc
  .stringMatching(/^[a-z0-9][a-z0-9,.()%=-]{0,11}$/)
  .filter((w) => !['on', 'am', 'le', 'op', 'el'].includes(w));
const ownLine = fc.array(word, { minLength: 1, maxLength: 10 }).map((words) => words.join(' '));
const ownText = fc
  .array(fc.oneof({ weight: 5, arbitrary: ownLine }, { weight: 1, arbitrary: fc.constant('') }), {
    minLength: 1,
    maxLength: 12,
  })
  .filter((lines) => lines.some((line) => line !== ''));

function trimBlankEnds(lines: readonly string[]): string {
  return lines.join('\n').replace(/^\n+/, '').replace(/\n+$/, '');
}

describe('stripQuotes (properties)', () => {
  it('keeps any reply exactly, whatever history follows it', () => {
    const history = fc.constantFrom(
      `On Mon, 5 Oct 2026 at 10:02, ISMS Review <r@x.example> wrote:\n${QUOTE}`,
      `From: ISMS Review <r@x.example>\nSent: Monday, October 5, 2026 10:02 AM\nTo: A <a@x.example>\nSubject: S\n\n${ORIGINAL}`,
      `-----Original Message-----\n${ORIGINAL}`,
      `-- \nA signature\n\n${QUOTE}`,
      QUOTE,
    );
    fc.assert(
      fc.property(ownText, history, (lines, tail) => {
        expect(stripQuotes(`${lines.join('\n')}\n\n${tail}\n`)).toBe(trimBlankEnds(lines));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps any reply exactly when it is written below the quote', () => {
    fc.assert(
      fc.property(ownText, (lines) => {
        const body = `On 05/10/2026 10:02, ISMS Review wrote:\n${QUOTE}\n\n${lines.join('\n')}\n`;
        expect(stripQuotes(body)).toBe(trimBlankEnds(lines));
      }),
      { numRuns: 300 },
    );
  });
});
