/**
 * Authentication of the From domain (checkAuthentication): SES gives only verdicts, so alignment
 * with the From domain is judged here. DMARC PASS is aligned by definition. Otherwise SPF PASS
 * counts only when the envelope sender (MAIL FROM, SES `mail.source`) is in the same organisational
 * domain as From, and DKIM PASS only when every DKIM-Signature `d=` domain is (SES does not say which
 * signature passed, so one unaligned signer leaves DKIM out of it); a domain the programme names in
 * `mail.authExceptions` is accepted without alignment (never after DMARC FAIL). The organisational
 * domain is the registrable domain by the Public Suffix List (organisationalDomain).
 */
import { getDomain } from 'tldts';
import type { InboundMessage } from './inbound.ts';

/** The domain of an address, lower case, without a trailing dot; '' when there is none. */
export function domainOf(address: string | undefined): string {
  const text = (address ?? '').trim().replace(/^<|>$/g, '');
  const at = text.lastIndexOf('@');
  return at < 0
    ? ''
    : text
        .slice(at + 1)
        .toLowerCase()
        .replace(/\.$/, '');
}

/**
 * The organisational (registrable) domain of `domain` (RFC 7489 section 3.2): one label below its
 * public suffix, by the Public Suffix List (tldts), private suffixes included, so that two tenants
 * of a shared hosting domain (`a.herokuapp.com`, `b.herokuapp.com`) or two companies under a
 * ccTLD's second level (`a.com.pt`, `b.com.pt`) are never taken for one organisation. A name the
 * list cannot place (an IP literal, a single label) is its own organisational domain.
 */
export function organisationalDomain(domain: string): string {
  const name = domain.trim().toLowerCase().replace(/\.$/, '');
  return getDomain(name, { allowPrivateDomains: true }) ?? name;
}

/** Relaxed alignment (RFC 7489): the same organisational domain. */
export function aligned(a: string, b: string): boolean {
  const left = organisationalDomain(a);
  return left !== '' && left.includes('.') && left === organisationalDomain(b);
}

export interface AuthException {
  readonly domain: string;
  readonly reason: string;
}

export type AuthDecision =
  | {
      readonly ok: true;
      /** What authenticated the From domain. */
      readonly by: 'dmarc' | 'spf-aligned' | 'dkim-aligned' | 'exception' | 'released';
      readonly domain: string;
    }
  | { readonly ok: false; readonly action: 'hold'; readonly reason: string };

/**
 * Whether the From domain is authenticated (see the module note): DMARC PASS; or SPF PASS with the
 * envelope sender aligned; or DKIM PASS with a signing domain aligned; or a programme exception.
 * Anything else is held: the From may be forged.
 */
export function checkAuthentication(
  msg: Pick<InboundMessage, 'from' | 'envelope' | 'headers' | 'dkimDomains' | 'verdicts'>,
  options: { exceptions?: readonly AuthException[] } = {},
): AuthDecision {
  const fromDomain = domainOf(msg.from.address);
  const hold = (reason: string): AuthDecision => ({ ok: false, action: 'hold', reason });
  const v = msg.verdicts;
  if (!v) {
    return hold(
      `the sender could not be authenticated: no SPF, DKIM or DMARC verdicts came with the message for ${fromDomain}`,
    );
  }
  if (v.dmarcVerdict.status === 'FAIL') {
    return hold(
      `the message failed DMARC${v.dmarcPolicy ? ` (policy ${v.dmarcPolicy})` : ''}: it does not prove it comes from ${fromDomain}`,
    );
  }
  if (v.dmarcVerdict.status === 'PASS') return { ok: true, by: 'dmarc', domain: fromDomain };
  const envelopeDomain = domainOf(
    msg.envelope.mailFrom !== undefined ? msg.envelope.mailFrom : msg.headers.returnPath,
  );
  if (v.spfVerdict.status === 'PASS' && envelopeDomain && aligned(envelopeDomain, fromDomain)) {
    return { ok: true, by: 'spf-aligned', domain: fromDomain };
  }
  // SES says only that a signature passed, not whose: DKIM counts when every signing domain in the
  // message is aligned, so a forger cannot pair their own valid signature with a broken one of ours.
  const dkimDomains = msg.dkimDomains;
  if (
    v.dkimVerdict.status === 'PASS' &&
    dkimDomains.length > 0 &&
    dkimDomains.every((d) => aligned(d, fromDomain))
  ) {
    return { ok: true, by: 'dkim-aligned', domain: fromDomain };
  }
  if ((options.exceptions ?? []).some((e) => e.domain.trim().toLowerCase() === fromDomain)) {
    return { ok: true, by: 'exception', domain: fromDomain };
  }
  return hold(
    `the sender could not be authenticated (SPF ${v.spfVerdict.status}, DKIM ${v.dkimVerdict.status}, DMARC ${v.dmarcVerdict.status}): ` +
      `nothing that passed is aligned with ${fromDomain} (envelope sender domain ${envelopeDomain || 'none'}, ` +
      `signed by ${msg.dkimDomains.join(', ') || 'no one'})`,
  );
}
