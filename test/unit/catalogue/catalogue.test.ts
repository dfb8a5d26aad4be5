import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  allInputKeys,
  catalogueFor,
  catalogueInput,
  clauseLabel,
  NoStandardChosen,
  UnknownStandard,
  type StandardId,
} from '#shared/catalogue/catalogue.ts';
import { standardIds } from '#shared/catalogue/standards.ts';

/** Every item of each standard's management review input clause, as the standards number them. */
const clauseItems: Record<StandardId, string[]> = {
  iso27001: ['a)', 'b)', 'c)', 'd) 1)', 'd) 2)', 'd) 3)', 'd) 4)', 'e)', 'f)', 'g)'].map((i) => `9.3.2 ${i}`),
  iso9001: ['a)', 'b)', 'c) 1)', 'c) 2)', 'c) 3)', 'c) 4)', 'c) 5)', 'c) 6)', 'c) 7)', 'd)', 'e)', 'f)'].map(
    (i) => `9.3.2 ${i}`,
  ),
  iso14001: [
    'a)',
    'b) 1)',
    'b) 2)',
    'b) 3)',
    'b) 4)',
    'c)',
    'd) 1)',
    'd) 2)',
    'd) 3)',
    'd) 4)',
    'e)',
    'f)',
    'g)',
  ].map((i) => `9.3 ${i}`),
  iso42001: ['a)', 'b)', 'c)', 'd) 1)', 'd) 2)', 'd) 3)', 'e)'].map((i) => `9.3.2 ${i}`),
  iso22301: ['a)', 'b)', 'c) 1)', 'c) 2)', 'c) 3)', 'd)', 'e)', 'f)', 'g)', 'h)', 'i)', 'j)', 'k)'].map(
    (i) => `9.3.2 ${i}`,
  ),
};

const sortClauses = (clauses: string[]) =>
  [...clauses].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));

describe('catalogueFor: bad input', () => {
  it('rejects an empty choice of standards', () => {
    expect(() => catalogueFor([])).toThrow(NoStandardChosen);
    expect(() => catalogueFor([])).toThrow(/expected at least one of: iso27001, iso9001/);
  });

  it('rejects an unknown standard by name', () => {
    const call = () => catalogueFor(['iso27002' as StandardId]);
    expect(call).toThrow(UnknownStandard);
    expect(call).toThrow(
      '"iso27002" is not a supported standard; expected one of: iso27001, iso9001, iso14001, iso42001, iso22301',
    );
  });
});

describe('ISO/IEC 27001:2022 catalogue', () => {
  const inputs = catalogueFor(['iso27001']);

  it('has every clause 9.3.2 input, under the 27001 keys, in the standard order', () => {
    expect(inputs.map((input) => input.key)).toEqual(['a', 'b', 'c', 'd1', 'd2', 'd3', 'd4', 'e', 'f', 'g']);
    expect(inputs.map((input) => input.clauses.map(clauseLabel))).toEqual(
      clauseItems.iso27001.map((clause) => [`ISO/IEC 27001:2022 ${clause}`]),
    );
  });

  it('fills only a) automatically (from the action register) and asks trends for d1-d4', () => {
    expect(inputs.filter((input) => input.automatic).map((input) => input.key)).toEqual(['a']);
    expect(inputs.filter((input) => input.trend).map((input) => input.key)).toEqual(['d1', 'd2', 'd3', 'd4']);
    expect(catalogueInput(['iso27001'], 'a')?.prompt).toMatch(/action register/);
  });

  it('asks whether climate change is a relevant issue under b) (Amd 1:2024)', () => {
    const b = catalogueInput(['iso27001'], 'b');
    expect(b?.prompt).toMatch(/Is climate change a relevant issue/);
    expect(b?.clauses[0]?.text).toMatch(/Amd 1:2024/);
  });

  it('speaks of the ISMS in plain language, with no template left over', () => {
    for (const input of inputs) {
      expect(input.prompt).not.toMatch(/[{}]/);
      expect(input.title.length).toBeGreaterThan(5);
      expect(input.prompt.length).toBeGreaterThan(40);
    }
    expect(catalogueInput(['iso27001'], 'd2')?.prompt).toMatch(/for the ISMS/);
  });
});

describe('catalogues of the other standards', () => {
  it.each(standardIds)('%s lists every item of its inputs clause exactly once', (standard) => {
    const clauses = catalogueFor([standard]).flatMap((input) => input.clauses.map((clause) => clause.clause));
    expect(sortClauses(clauses)).toEqual(sortClauses(clauseItems[standard]));
    for (const input of catalogueFor([standard])) {
      expect(input.clauses.every((clause) => clause.standard === standard)).toBe(true);
    }
  });

  it('keeps the 27001 key for the same meaning and gives other inputs descriptive keys', () => {
    const quality = catalogueFor(['iso9001']);
    expect(quality.find((input) => input.clauses[0]?.clause === '9.3.2 c) 4)')?.key).toBe('d1');
    expect(quality.find((input) => input.clauses[0]?.clause === '9.3.2 c) 7)')?.key).toBe(
      'external-providers',
    );
    const continuity = catalogueFor(['iso22301']);
    expect(continuity.find((input) => input.clauses[0]?.clause === '9.3.2 j)')?.key).toBe('lessons-learned');
    expect(catalogueFor(['iso42001']).map((input) => input.key)).toEqual([
      'a',
      'b',
      'c',
      'd1',
      'd2',
      'd3',
      'g',
    ]);
  });

  it('shows trends where the standard asks for them and not elsewhere', () => {
    const environment = catalogueFor(['iso14001']);
    expect(environment.filter((input) => input.trend).map((input) => input.key)).toEqual([
      'd1',
      'd2',
      'd3',
      'compliance-obligations',
    ]);
  });
});

describe('integrated review (several standards)', () => {
  it('asks once for an input that means the same, keeping every clause it serves', () => {
    const inputs = catalogueFor(['iso27001', 'iso9001']);
    const a = inputs.find((input) => input.key === 'a');
    expect(a?.clauses.map(clauseLabel)).toEqual(['ISO/IEC 27001:2022 9.3.2 a)', 'ISO 9001:2015 9.3.2 a)']);
    expect(a?.automatic).toBe(true);
    expect(inputs.filter((input) => input.key === 'a')).toHaveLength(1);
    const d4 = inputs.find((input) => input.key === 'd4');
    expect(d4?.clauses.map(clauseLabel)).toEqual([
      'ISO/IEC 27001:2022 9.3.2 d) 4)',
      'ISO 9001:2015 9.3.2 c) 2)',
    ]);
    expect(d4?.prompt).toMatch(/each ISMS and QMS objective/);
  });

  it('turns trend on when any standard asks for it (9001 asks trends on customer feedback)', () => {
    expect(catalogueInput(['iso27001'], 'e')?.trend).toBe(false);
    expect(catalogueInput(['iso27001', 'iso9001'], 'e')?.trend).toBe(true);
    expect(catalogueInput(['iso27001', 'iso9001'], 'e')?.prompt).toMatch(/customer satisfaction/);
  });

  it('does not depend on the order or repetition of the chosen standards', () => {
    expect(catalogueFor(['iso9001', 'iso27001', 'iso9001'])).toEqual(catalogueFor(['iso27001', 'iso9001']));
  });

  const subsets = fc
    .subarray([...standardIds], { minLength: 1 })
    .chain((subset) => fc.shuffledSubarray(subset, { minLength: subset.length }));

  it('for any choice: unique keys, every item of every chosen standard once, nothing from others', () => {
    fc.assert(
      fc.property(subsets, (chosen) => {
        const inputs = catalogueFor(chosen);
        const keys = inputs.map((input) => input.key);
        expect(new Set(keys).size).toBe(keys.length);
        for (const standard of standardIds) {
          const clauses = inputs.flatMap((input) =>
            input.clauses.filter((clause) => clause.standard === standard).map((clause) => clause.clause),
          );
          expect(sortClauses(clauses)).toEqual(
            chosen.includes(standard) ? sortClauses(clauseItems[standard]) : [],
          );
        }
        for (const input of inputs) {
          expect(allInputKeys).toContain(input.key);
          expect(input.prompt).not.toMatch(/[{}]/);
          expect(input.trend).toBe(input.clauses.some((clause) => clause.trend));
        }
      }),
    );
  });

  it('for any choice with ISO/IEC 27001: the 27001 inputs keep their keys a, b, c, d1-d4, e, f, g', () => {
    fc.assert(
      fc.property(subsets, (others) => {
        const inputs = catalogueFor(['iso27001', ...others]);
        for (const key of ['a', 'b', 'c', 'd1', 'd2', 'd3', 'd4', 'e', 'f', 'g']) {
          const input = inputs.find((entry) => entry.key === key);
          expect(input?.clauses.some((clause) => clause.standard === 'iso27001')).toBe(true);
        }
      }),
    );
  });
});

describe('structured fields', () => {
  it('gives each requested input its labelled figures (unique labels, a unit each) and d4 its objectives', () => {
    const inputs = catalogueFor(['iso27001', 'iso9001', 'iso14001', 'iso42001', 'iso22301']);
    for (const input of inputs) {
      const labels = input.fields.map((field) => field.label.toLowerCase());
      expect(new Set(labels).size, input.key).toBe(labels.length);
      for (const field of input.fields) {
        expect(field.label.trim(), input.key).toBe(field.label);
        expect(field.unit, `${input.key} ${field.label}`).not.toBe('');
        expect(field.label, `${input.key}: a label is read back from "metric: <label> ="`).not.toMatch(
          /[=|]/,
        );
      }
      if (input.automatic) expect(input.fields, input.key).toEqual([]);
    }
    const byKey = new Map(inputs.map((input) => [input.key, input]));
    expect(byKey.get('d4')?.objectives).toBe(true);
    expect(inputs.filter((input) => input.objectives).map((input) => input.key)).toEqual(['d4']);
    expect(byKey.get('d1')?.fields.every((field) => field.required)).toBe(true);
    expect(byKey.get('d3')?.fields.map((field) => field.label)).toContain('Audit findings major');
    expect(byKey.get('e')?.fields.some((field) => field.required)).toBe(false);
  });
});
