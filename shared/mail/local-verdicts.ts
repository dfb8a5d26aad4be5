/**
 * The verdicts the local SMTP server gives, standing in for SES's: it checks what it can without
 * DNS. SPF: the envelope sender (MAIL FROM) in the same organisational domain as the From address
 * passes, any other fails, an empty one (a bounce) is GRAY. DKIM is not verified locally (GRAY),
 * and there is no DMARC record to look up (GRAY). Spam and virus are not scanned (PASS). So a
 * reply is accepted locally only when its envelope sender is aligned with From, which is how the
 * pipeline's authentication rule (mail-checks.ts checkAuthentication) reads DMARC GRAY plus SPF.
 */
import { parseInbound, type SesVerdicts } from './inbound.ts';
import { aligned, domainOf } from './mail-checks.ts';

/** The verdicts for one raw message received with `mailFrom` as its envelope sender. */
export async function localVerdicts(raw: Buffer, mailFrom: string): Promise<SesVerdicts> {
  const envelopeDomain = domainOf(mailFrom);
  let fromDomain = '';
  try {
    fromDomain = domainOf((await parseInbound(raw)).from.address);
  } catch {
    fromDomain = ''; // unreadable or no From: the pipeline says why
  }
  const spf =
    envelopeDomain === ''
      ? 'GRAY'
      : fromDomain !== '' && aligned(envelopeDomain, fromDomain)
        ? 'PASS'
        : 'FAIL';
  return {
    spamVerdict: { status: 'PASS' },
    virusVerdict: { status: 'PASS' },
    spfVerdict: { status: spf },
    dkimVerdict: { status: 'GRAY' },
    dmarcVerdict: { status: 'GRAY' },
  };
}
