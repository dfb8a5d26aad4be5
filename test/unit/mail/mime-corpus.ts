/**
 * Messages that exercise every part of the MIME writer: hostile text and names, every script,
 * long lines, many and binary files, inline images, invitations. Shared by the composer's tests.
 */
import type { MessageSpec } from '#shared/mail/compose.ts';

export const base: MessageSpec = {
  from: { name: 'ISMS review', address: 'review@isms.example.org' },
  to: [{ name: 'Carol Risk', address: 'carol@example.com' }],
  subject: 'Input needed for the Q4 2026 management review',
  text: 'Please reply with your input.',
  date: new Date('2026-10-01T08:00:00.000Z'),
};

export const ics = (method: 'REQUEST' | 'CANCEL', summary = 'Management review') =>
  [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//isms-review//EN',
    `METHOD:${method}`,
    'BEGIN:VEVENT',
    'UID:C-20261001T0800Z-Q@isms.example.org',
    'SEQUENCE:1',
    'DTSTART:20261105T100000Z',
    `SUMMARY:${summary}`,
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');

export const binary = Buffer.from(Array.from({ length: 3000 }, (_, index) => (index * 7919) % 256));
export const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');

export const corpus: Record<string, Partial<MessageSpec>> = {
  'hostile text: lines starting with "From " or ".", lone CR and LF, a boundary look-alike': {
    text: 'From the ISMS manager\n.\n..two dots\nlone CR\rhere\nmixed\r\nends\n--=_1_abc\n=?UTF-8?Q?x?=\n',
    html: '<p>From here</p>\n.<p>dot</p>\r<p>cr</p>',
  },
  'hostile names: quotes, commas, backslashes': {
    to: [
      { name: 'Dana "The Chair" O\'Neil', address: 'dana@example.com' },
      { name: 'Risk, Carol', address: 'carol@example.com' },
      { name: 'C:\\Users\\bob', address: 'bob@example.com' },
    ],
    cc: ['ciso@example.com', { name: '', address: 'empty-name@example.com' }],
  },
  'plain ASCII, text only': {},
  'accents: subject, names, text, html': {
    from: { name: 'Revue de direction — Société Générale', address: 'review@isms.example.org' },
    to: [{ name: 'Zoë Müller-Lüdenscheidt', address: 'zoe@example.com' }],
    subject: 'Décision requise : revue de direction T4, échéance vendredi',
    text: 'Bonjour Zoë,\nÉchéance : vendredi 16 octobre 2026, 17:00 (Europe/Paris).\n',
    html: '<p>Bonjour Zoë,</p><p>Échéance : <b>vendredi</b></p>',
  },
  CJK: {
    to: [{ name: '山田 太郎', address: 'yamada@example.jp' }],
    subject: 'マネジメントレビューへの入力のお願い（2026年第4四半期）',
    text: '山田様\n\n第4四半期のマネジメントレビューに向けて、入力をお願いします。'.repeat(4),
    html: '<p>山田様</p><p>入力をお願いします。</p>',
  },
  'emoji and combining sequences': {
    subject: 'Ready ✅ — 👩🏽‍💼 approves 🇬🇧 review 🎉',
    text: '👍🏾 thanks\n🧑‍🤝‍🧑 together',
    to: [{ name: '🦊 Fox', address: 'fox@example.com' }],
  },
  'long subject (250 characters) and long lines': {
    subject: `${'A rather long subject line for the management review '.repeat(4)}end`.slice(0, 250),
    text: `${'x'.repeat(200)}\n${'word '.repeat(80)}\n${'é'.repeat(120)}\n    trailing spaces    \n\ttab\t`,
    html: `<p>${'long html '.repeat(50)}</p>`,
  },
  'a subject that is one long ASCII word': {
    subject: `https://isms.example.org/cycles/C-20261001T0800Z-Q/inputs/${'d'.repeat(90)}`,
  },
  'empty html': { html: '' },
  'many attachments, binary, non-ASCII file names': {
    html: '<p>See the files.</p>',
    attachments: [
      { filename: 'package.pdf', content: binary, contentType: 'application/pdf' },
      { filename: 'données.csv', content: Buffer.from('a;b\n1;2\n'), contentType: 'text/csv' },
      {
        filename: '議事録 第4四半期.xlsx',
        content: binary.subarray(0, 100),
        contentType: 'application/octet-stream',
      },
      { filename: 'rapport "final" (v2).txt', content: Buffer.from('final\r\n'), contentType: 'text/plain' },
      {
        filename: `${'very-long-name-'.repeat(12)}é.txt`,
        content: Buffer.alloc(0),
        contentType: 'text/plain',
      },
      ...Array.from({ length: 10 }, (_, index) => ({
        filename: `evidence-${index}.bin`,
        content: binary.subarray(index, index + 57 * index),
        contentType: 'application/octet-stream',
      })),
    ],
  },
  'an inline image in the HTML (multipart/related) and a file': {
    html: '<p>Trend:</p><img src="cid:chart-d1@isms.example.org">',
    attachments: [
      { filename: 'chart.png', content: png, contentType: 'image/png', cid: 'chart-d1@isms.example.org' },
      { filename: 'inputs.csv', content: Buffer.from('id,status\n'), contentType: 'text/csv' },
    ],
  },
  'an image with a Content-ID but no HTML': {
    attachments: [
      { filename: 'chart.png', content: png, contentType: 'image/png', cid: 'chart@example.org' },
    ],
  },
  'invitation (REQUEST) with html and files': {
    html: '<p>The package is attached.</p>',
    attachments: [{ filename: 'package.pdf', content: binary, contentType: 'application/pdf' }],
    icalEvent: { method: 'REQUEST', content: ics('REQUEST', 'Revue de direction — T4 (Zoë)') },
  },
  'invitation (REQUEST), text only': { icalEvent: { method: 'REQUEST', content: ics('REQUEST') } },
  'cancellation (CANCEL) with html': {
    html: '<p>The meeting is cancelled.</p>',
    icalEvent: { method: 'CANCEL', content: ics('CANCEL') },
  },
  'threading and custom headers, ASCII and not': {
    replyTo: { name: 'Reply here', address: 'in+tok3n@reply.isms.example.org' },
    inReplyTo: '<original@mail.example.com>',
    references: ['<first@mail.example.com>', '<second@mail.example.com>', '<original@mail.example.com>'],
    headers: {
      'X-Isms-Cycle': 'C-20261001T0800Z-Q',
      'X-Isms-Review-Evidence-Key': 'SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU',
      'X-Isms-Note': 'Société — 山田',
    },
    autoSubmitted: 'auto-replied',
    messageId: '<fixed-1@isms.example.org>',
  },
};
