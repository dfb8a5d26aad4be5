/**
 * What IsmsReviewStack is built from: the parts of the review programme it reads, the checks they
 * must pass before anything is created, and the error that names a bad input.
 */

/** The parts of the review programme (programme.yaml) the stack is built from. */
export interface StackProgramme {
  readonly organisation: { readonly id: string; readonly name: string; readonly timeZone: string };
  readonly schedule: {
    readonly reviews: ReadonlyArray<{
      readonly type: string;
      readonly cron: string;
      readonly meetingAfterDays: number;
      readonly comprehensive?: boolean | undefined;
    }>;
  };
  readonly mail: {
    readonly fromAddress: string;
    readonly inboundDomain: string;
    /** When mail the system starts may go out (default Monday to Friday from 09:00). */
    readonly businessHours?: { readonly days: readonly string[]; readonly start: string } | undefined;
  };
  readonly evidence: { readonly retentionDays: number };
}

export class InvalidStackInput extends Error {
  override name = 'InvalidStackInput' as const;
}

/** Checks the programme's mail domains and evidence retention; returns the sending domain. */
export function checkProgramme(programme: StackProgramme): { readonly fromDomain: string } {
  const fromDomain = domainOf(programme.mail.fromAddress);
  checkDomain(programme.mail.inboundDomain, 'mail.inboundDomain');
  if (!Number.isInteger(programme.evidence.retentionDays) || programme.evidence.retentionDays < 1) {
    throw new InvalidStackInput(
      `evidence.retentionDays must be a whole number of days (at least 1), got ${programme.evidence.retentionDays}`,
    );
  }
  return { fromDomain };
}

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

function checkDomain(domain: string, field: string): string {
  if (!DOMAIN.test(domain)) {
    throw new InvalidStackInput(
      `${field}: "${domain}" is not a domain name; expected e.g. reply.example.com`,
    );
  }
  return domain;
}

function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  if (at < 1) {
    throw new InvalidStackInput(
      `mail.fromAddress: "${address}" is not an email address; expected name@domain`,
    );
  }
  return checkDomain(address.slice(at + 1), 'mail.fromAddress');
}

/** A construct id from a kebab-case id (`ingest-email` gives `IngestEmail`). */
export function pascalCase(id: string): string {
  return id
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
