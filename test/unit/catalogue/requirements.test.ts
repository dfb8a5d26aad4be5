/**
 * The requirements of a review, from the catalogue: the clause index of the evidence bundle has
 * one row for each, and follows the catalogue when it changes.
 */
import { describe, expect, it } from 'vitest';
import { catalogueFor, normaliseStandards } from '#shared/catalogue/catalogue.ts';
import { compareClauses, parentItem, reviewRequirements } from '#shared/catalogue/requirements.ts';

describe('reviewRequirements', () => {
  it('lists ISO/IEC 27001 9.3.1, every 9.3.2 item with d) and its sub-items, 9.3.3 and 7.5', () => {
    const rows = reviewRequirements(['iso27001']);
    expect(rows.map((r) => [r.clause, r.kind, r.inputKeys.join(',')])).toEqual([
      ['9.3.1', 'review', ''],
      ['9.3.2 a)', 'input', 'a'],
      ['9.3.2 b)', 'input', 'b'],
      ['9.3.2 c)', 'input', 'c'],
      ['9.3.2 d)', 'input', 'd1,d2,d3,d4'],
      ['9.3.2 d) 1)', 'input', 'd1'],
      ['9.3.2 d) 2)', 'input', 'd2'],
      ['9.3.2 d) 3)', 'input', 'd3'],
      ['9.3.2 d) 4)', 'input', 'd4'],
      ['9.3.2 e)', 'input', 'e'],
      ['9.3.2 f)', 'input', 'f'],
      ['9.3.2 g)', 'input', 'g'],
      ['9.3.3', 'results', ''],
      ['7.5', 'documented-information', ''],
    ]);
    expect(rows.find((r) => r.clause === '9.3.2 d)')!.text).toContain('audit results');
  });

  it('has a row for every clause the catalogue cites, for every standard chosen', () => {
    const chosen = ['iso27001', 'iso9001', 'iso14001', 'iso42001', 'iso22301'];
    const rows = reviewRequirements(chosen);
    for (const input of catalogueFor(normaliseStandards(chosen))) {
      for (const reference of input.clauses) {
        const row = rows.find((r) => r.standard === reference.standard && r.clause === reference.clause);
        expect(row?.inputKeys, `${reference.standard} ${reference.clause}`).toContain(input.key);
      }
    }
    // ISO 14001 has no 9.3.x: the review and its outputs are both 9.3.
    expect(rows.filter((r) => r.standard === 'iso14001' && r.kind !== 'input').map((r) => r.clause)).toEqual([
      '9.3',
      '9.3',
      '7.5',
    ]);
  });

  it('orders items as the standard does', () => {
    expect(['9.3.2 g)', '9.3.2 d) 2)', '9.3.2 d)', '9.3.2 b)', '9.3.2 d) 10)'].sort(compareClauses)).toEqual([
      '9.3.2 b)',
      '9.3.2 d)',
      '9.3.2 d) 2)',
      '9.3.2 d) 10)',
      '9.3.2 g)',
    ]);
    expect(parentItem('9.3.2 d) 1)')).toBe('9.3.2 d)');
    expect(parentItem('9.3.2 d)')).toBeUndefined();
  });
});
