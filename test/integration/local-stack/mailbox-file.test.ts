/**
 * The local SES keeps its mailbox in the data folder, so that mail sent before a restart (or a
 * kill -9) is still on the mailbox page afterwards.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import MailComposer from 'nodemailer/lib/mail-composer';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '#infra/local/emulators/s3.ts';
import { MAILBOX_FILE, startSes, type RunningSes } from '#infra/local/emulators/ses.ts';
import { clearMailbox, listSentMail } from '#test/support/mailbox.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function send(ses: RunningSes, subject: string): Promise<string> {
  const client = new SESClient({
    endpoint: ses.endpoint,
    region: 'eu-west-1',
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    const raw = await new MailComposer({
      from: 'isms-review@example.org',
      to: 'owner@example.org',
      subject,
      text: 'body',
    })
      .compile()
      .build();
    const sent = await client.send(new SendRawEmailCommand({ RawMessage: { Data: raw } }));
    return sent.MessageId!;
  } finally {
    client.destroy();
  }
}

describe('the local SES mailbox in the data folder', () => {
  it('survives a restart, skips a torn last line, and is emptied by clear-store', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'isms-mailbox-'));
    dirs.push(dir);
    const first = await startSes({ dataDir: dir });
    let firstId: string;
    try {
      firstId = await send(first, 'before the restart');
      // On file as soon as SES has answered.
      expect(readFileSync(join(dir, MAILBOX_FILE), 'utf8')).toContain(firstId);
    } finally {
      await first.stop();
    }
    // A write cut short by a kill leaves half a line.
    appendFileSync(join(dir, MAILBOX_FILE), '{"messageId":"torn');

    const second = await startSes({ dataDir: dir });
    try {
      const kept = await listSentMail(second.endpoint);
      expect(kept.map((mail) => [mail.messageId, mail.subject])).toEqual([[firstId, 'before the restart']]);
      const secondId = await send(second, 'after the restart');
      expect((await listSentMail(second.endpoint)).map((mail) => mail.messageId)).toEqual([
        firstId,
        secondId,
      ]);
      // Filtering by time works on mail loaded from the file too.
      expect(await listSentMail(second.endpoint, { since: new Date(Date.now() + 60_000) })).toEqual([]);

      await clearMailbox(second.endpoint);
      expect(await listSentMail(second.endpoint)).toEqual([]);
      expect(readFileSync(join(dir, MAILBOX_FILE), 'utf8')).toBe('');
      appendFileSync(join(dir, MAILBOX_FILE), '{"messageId":"torn again');
    } finally {
      await second.stop();
    }

    // After a torn line, the next message is still read back after a restart.
    const third = await startSes({ dataDir: dir });
    try {
      expect(await listSentMail(third.endpoint)).toEqual([]);
      const thirdId = await send(third, 'after clearing');
      expect(readFileSync(join(dir, MAILBOX_FILE), 'utf8')).toContain(thirdId);
    } finally {
      await third.stop();
    }
    const fourth = await startSes({ dataDir: dir });
    try {
      expect((await listSentMail(fourth.endpoint)).map((mail) => mail.subject)).toEqual(['after clearing']);
    } finally {
      await fourth.stop();
    }
  });
});
