/** PeriodClaims in memory: one claim per programme, review type and period (PERIOD#<key>), never replaced. */
import { parseWith } from '#shared/model/common.ts';
import { periodKeys } from '#shared/store/keys.ts';
import { PeriodClaim, type PeriodClaims } from '#shared/store/periods.ts';
import type { MemoryTables } from './table.ts';

export class MemoryPeriodClaims implements PeriodClaims {
  constructor(private readonly tables: MemoryTables) {}

  async claimPeriod(input: PeriodClaim): Promise<{ claimed: boolean; claim: PeriodClaim }> {
    const claim = parseWith(PeriodClaim, input, 'period claim');
    const key = periodKeys.claim(claim.periodKey);
    const { input: executionInput, ...rest } = claim;
    // The execution input is kept as one string, as on DynamoDB: what is read back is its JSON.
    if (
      this.tables.putIfAbsent({
        ...key,
        entity: 'period',
        ...rest,
        inputJson: JSON.stringify(executionInput),
      })
    ) {
      return { claimed: true, claim };
    }
    const {
      pk: _pk,
      sk: _sk,
      entity: _entity,
      inputJson,
      ...fields
    } = structuredClone(this.tables.main.get(key)!);
    const held = parseWith(
      PeriodClaim,
      { ...fields, input: JSON.parse(String(inputJson)) as unknown },
      `period claim ${claim.periodKey}`,
    );
    return { claimed: false, claim: held };
  }
}
