/** Period claims on DynamoDB: one conditional Put per period. */
import { parseWith } from '../../model/common.ts';
import { periodKeys } from '../../store/keys.ts';
import { PeriodClaim, type PeriodClaims } from '../../store/periods.ts';
import type { DynamoTable } from './table.ts';

export class DynamoPeriodClaims implements PeriodClaims {
  constructor(private readonly table: DynamoTable) {}

  /** Stores the claim unless the period is held (conditional Put); returns the claim that holds it. */
  async claimPeriod(input: PeriodClaim): Promise<{ claimed: boolean; claim: PeriodClaim }> {
    const claim = parseWith(PeriodClaim, input, 'period claim');
    const key = periodKeys.claim(claim.periodKey);
    const { input: executionInput, ...rest } = claim;
    const stored = await this.table.putIfAbsent({
      ...key,
      entity: 'period',
      ...rest,
      // As one string: the execution input is sent to Step Functions exactly as it was claimed.
      inputJson: JSON.stringify(executionInput),
    });
    if (stored) return { claimed: true, claim };
    const item = await this.table.getItem(key);
    // Claims are never deleted; a read that misses one is a race with a table restore: try again.
    if (!item) return this.claimPeriod(claim);
    const { pk: _pk, sk: _sk, entity: _entity, inputJson, ...fields } = item;
    const held = parseWith(
      PeriodClaim,
      { ...fields, input: JSON.parse(String(inputJson)) as unknown },
      `period claim ${claim.periodKey}`,
    );
    return { claimed: false, claim: held };
  }
}
