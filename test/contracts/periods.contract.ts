/** What every PeriodClaims does: one cycle per programme, review type and period; the first claim holds. */
import { describe, expect, it } from 'vitest';
import { InvalidData } from '#shared/model/common.ts';
import { aPeriodClaim, rejection, type MakeRepository } from './records.ts';

export function periodClaimsContract(name: string, makeRepo: MakeRepository): void {
  describe(`PeriodClaims contract: ${name}`, () => {
    it('refuses a claim out of schema, and holds nothing', async () => {
      const repo = await makeRepo();
      const error = await rejection(repo.claimPeriod(aPeriodClaim({ opensAt: 'the first of October' })));
      expect(error).toBeInstanceOf(InvalidData);
      expect(error.message).toContain('period claim is not valid: opensAt:');
      expect(await repo.claimPeriod(aPeriodClaim())).toEqual({ claimed: true, claim: aPeriodClaim() });
    });

    it('the first claim holds the period; a later one is told which cycle holds it, with its input', async () => {
      const repo = await makeRepo();
      const first = aPeriodClaim({
        input: { programmeId: 'example-ltd', nested: { list: [1, 'two'], flag: true } },
      });
      expect(await repo.claimPeriod(first)).toEqual({ claimed: true, claim: first });
      const later = aPeriodClaim({
        cycleId: 'C-20261001T0900Z-Q',
        claimedAt: '2026-10-01T09:00:00.000Z',
        input: {},
      });
      expect(await repo.claimPeriod(later)).toEqual({ claimed: false, claim: first });
      expect(await repo.claimPeriod(first)).toEqual({ claimed: false, claim: first });
    });

    it('claims racing for one period: exactly one holds it, and every racer is told the same holder', async () => {
      const repo = await makeRepo();
      const racers = ['C-20261001T0800Z-Q', 'C-20261001T0801Z-Q', 'C-20261001T0802Z-Q'].map((cycleId) =>
        aPeriodClaim({ cycleId, input: { cycleId } }),
      );
      const results = await Promise.all(racers.map((claim) => repo.claimPeriod(claim)));
      expect(results.filter((result) => result.claimed)).toHaveLength(1);
      const holder = results.find((result) => result.claimed)!.claim;
      expect(results.map((result) => result.claim)).toEqual([holder, holder, holder]);
    });

    it('keeps periods, types and programmes apart', async () => {
      const repo = await makeRepo();
      await repo.claimPeriod(aPeriodClaim());
      for (const periodKey of [
        'example-ltd#quarterly#2027-01-01T08:00:00.000Z',
        'example-ltd#annual#2026-10-01T08:00:00.000Z',
        'other-org#quarterly#2026-10-01T08:00:00.000Z',
      ]) {
        expect((await repo.claimPeriod(aPeriodClaim({ periodKey }))).claimed).toBe(true);
      }
    });
  });
}
