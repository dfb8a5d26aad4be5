import { SendRawEmailCommand } from '@aws-sdk/client-ses';
import MailComposer from 'nodemailer/lib/mail-composer';
import { describe, expect, it } from 'vitest';
import { SESClient } from '@aws-sdk/client-ses';
import { LOCAL_CREDENTIALS } from '#infra/local/emulators/s3.ts';
import { startSes } from '#infra/local/emulators/ses.ts';
import {
  clearMailbox,
  listSentMail,
  MailboxUnavailable,
  MailNotFound,
  theOnlyMail,
} from '#test/support/mailbox.ts';
import { localStack, sesClient, uniqueName } from '#test/support/local-stack.ts';

async function compose(options: ConstructorParameters<typeof MailComposer>[0]): Promise<Buffer> {
  return new MailComposer(options).compile().build();
}

describe('local SES', () => {
  it('rejects raw mail with neither a From header nor a Source', async () => {
    const raw = Buffer.from('To: someone@example.org\r\nSubject: no sender\r\n\r\nbody\r\n');
    await expect(sesClient().send(new SendRawEmailCommand({ RawMessage: { Data: raw } }))).rejects.toThrow();
  });

  it('names an unreachable mailbox', async () => {
    await expect(listSentMail('http://127.0.0.1:9')).rejects.toBeInstanceOf(MailboxUnavailable);
  });

  it('names a missing message', async () => {
    await expect(
      theOnlyMail(localStack().endpoints.ses, { to: `${uniqueName('nobody')}@example.org` }),
    ).rejects.toBeInstanceOf(MailNotFound);
  });

  it('accepts SES v1 SendRawEmail of a MailComposer message and shows it in the mailbox', async () => {
    const { endpoints, env } = localStack();
    const recipient = `${uniqueName('owner')}@example.org`;
    const raw = await compose({
      from: `ISMS review <${env.MAIL_FROM}>`,
      to: `Risk Owner <${recipient}>`,
      cc: 'ciso@example.org',
      replyTo: `in+token@${env.INBOUND_DOMAIN}`,
      subject: 'Management review Q3: your input (f) — risk assessment',
      text: 'Please reply with your input.\nÉchéance: 2025-10-01',
      html: '<p>Please reply with your input.</p><p>&Eacute;ch&eacute;ance: 2025-10-01</p>',
      attachments: [
        { filename: 'template.txt', content: 'Input f\n' },
        {
          filename: 'package.pdf',
          content: Buffer.from('%PDF-1.4\n%fake\n'),
          contentType: 'application/pdf',
        },
      ],
      headers: { 'X-ISMS-Cycle': 'cycle-1' },
    });

    const sent = await sesClient().send(
      new SendRawEmailCommand({
        RawMessage: { Data: raw },
        ConfigurationSetName: env.SES_CONFIGURATION_SET,
        Tags: [{ Name: 'purpose', Value: 'input-request' }],
      }),
    );
    expect(sent.MessageId).toMatch(/\S/);

    const mail = await theOnlyMail(endpoints.ses, { to: recipient });
    expect(mail.messageId).toBe(sent.MessageId);
    expect(mail.from).toBe(env.MAIL_FROM);
    expect(mail.fromHeader).toBe(`"ISMS review" <${env.MAIL_FROM}>`);
    expect(mail.to).toEqual([recipient]);
    expect(mail.cc).toEqual(['ciso@example.org']);
    expect(mail.replyTo).toEqual([`in+token@${env.INBOUND_DOMAIN}`]);
    expect(mail.subject).toBe('Management review Q3: your input (f) — risk assessment');
    expect(mail.text).toContain('Échéance: 2025-10-01');
    expect(mail.html).toContain('<p>Please reply with your input.</p>');
    expect(mail.attachments.map((attachment) => [attachment.filename, attachment.contentType])).toEqual([
      ['template.txt', 'text/plain'],
      ['package.pdf', 'application/pdf'],
    ]);
    expect(mail.attachments[1]?.content.toString()).toBe('%PDF-1.4\n%fake\n');
    // Raw mail headers beyond the addresses are not kept by the emulator.
    expect(mail.headers).toBeUndefined();
  });

  it('clears the mailbox of an emulator of its own (the shared one is filtered, never cleared)', async () => {
    const own = await startSes();
    try {
      const client = new SESClient({
        endpoint: own.endpoint,
        region: 'eu-west-1',
        credentials: LOCAL_CREDENTIALS,
      });
      const raw = await compose({
        from: 'a@example.org',
        to: 'b@example.org',
        subject: 'to clear',
        text: 'x',
      });
      await client.send(new SendRawEmailCommand({ RawMessage: { Data: raw } }));
      expect((await listSentMail(own.endpoint)).map((mail) => mail.subject)).toEqual(['to clear']);
      expect(await fetch(own.mailboxUrl).then((response) => response.headers.get('content-type'))).toMatch(
        /text\/html/,
      );
      await clearMailbox(own.endpoint);
      expect(await listSentMail(own.endpoint)).toEqual([]);
    } finally {
      await own.stop();
    }
  });
});
