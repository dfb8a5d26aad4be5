/** `mail ingest --verdicts`: the list SES verdicts are given as, and the usage errors it names. */
import { describe, expect, it } from 'vitest';
import { parseVerdicts } from '../../../cli/commands/mail.ts';
import { UsageError } from '../../../cli/output.ts';

describe('parseVerdicts', () => {
  it.each([
    ['', /is empty/],
    ['spf', /"spf" is not name=STATUS/],
    ['spf=PASS,,dkim=PASS', /"" is not name=STATUS/],
    ['arc=PASS', /"arc=PASS" names no verdict; the names are spf, dkim, dmarc, spam, virus, policy/],
    [
      'dmarc=MAYBE',
      /"dmarc=MAYBE" is not a verdict status; expected one of PASS, FAIL, GRAY, PROCESSING_FAILED, DISABLED/,
    ],
    ['spf=PASS,SPF=FAIL', /"spf" is given twice/],
    ['spf=PA SS', /is not name=STATUS/],
  ])('refuses %j with a usage error naming the bad part', (value, message) => {
    expect(() => parseVerdicts(value)).toThrow(UsageError);
    expect(() => parseVerdicts(value)).toThrow(message);
  });

  it('reads every verdict, in any case and order, with the DMARC policy', () => {
    expect(
      parseVerdicts('virus=pass, spam=GRAY,dmarc=fail,dkim=Processing_Failed,spf=DISABLED,policy=reject'),
    ).toEqual({
      spamVerdict: { status: 'GRAY' },
      virusVerdict: { status: 'PASS' },
      spfVerdict: { status: 'DISABLED' },
      dkimVerdict: { status: 'PROCESSING_FAILED' },
      dmarcVerdict: { status: 'FAIL' },
      dmarcPolicy: 'REJECT',
    });
  });

  it('a verdict not named is DISABLED (not checked); none is no verdicts at all', () => {
    expect(parseVerdicts('dmarc=GRAY,spf=PASS')).toEqual({
      spamVerdict: { status: 'DISABLED' },
      virusVerdict: { status: 'DISABLED' },
      spfVerdict: { status: 'PASS' },
      dkimVerdict: { status: 'DISABLED' },
      dmarcVerdict: { status: 'GRAY' },
    });
    expect(parseVerdicts('none')).toBeUndefined();
    expect(parseVerdicts(' NONE ')).toBeUndefined();
  });
});
