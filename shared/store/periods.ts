/** Period claims: one cycle per programme, review type and period. */
import * as z from 'zod';
import { UtcTimestamp } from '../model/common.ts';

/** The record that one cycle holds a programme's period of one review type. */
export const PeriodClaim = z.strictObject({
  /** `<programme>#<type>#<stamp of the occurrence that opens the period>`. */
  periodKey: z.string().min(1),
  /** The occurrence that opens the period (UTC ISO). */
  opensAt: UtcTimestamp,
  cycleId: z.string().min(1),
  /** The execution input the holding cycle was started with. */
  input: z.record(z.string(), z.unknown()),
  claimedAt: UtcTimestamp,
});
export type PeriodClaim = z.infer<typeof PeriodClaim>;

/** Where period claims are kept. */
export interface PeriodClaims {
  /** Stores the claim unless the period is held; returns the claim that holds it (this one or the earlier). */
  claimPeriod(claim: PeriodClaim): Promise<{ claimed: boolean; claim: PeriodClaim }>;
}
