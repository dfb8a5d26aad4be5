/**
 * The requirements of a management review, clause by clause, for the standards a programme covers:
 * the review itself (held at planned intervals), every input item, the results, and the documented
 * information kept as evidence. The evidence bundle's clause index has one row per requirement.
 *
 * The input items come from the catalogue's clause references (catalogue.ts), so the index follows
 * the catalogue: an item a standard splits into sub-items (ISO/IEC 27001 9.3.2 d) 1) to 4)) also
 * gets a row of its own, answered by the inputs of all its sub-items.
 */
import { catalogueFor, normaliseStandards } from './catalogue.ts';
import { standards, type StandardId } from './standards.ts';

export type RequirementKind = 'review' | 'input' | 'results' | 'documented-information';

export interface ReviewRequirement {
  readonly standard: StandardId;
  /** The clause and item, e.g. "9.3.1", "9.3.2 d)", "9.3.2 d) 1)", "7.5". */
  readonly clause: string;
  /** What it asks for, paraphrased. */
  readonly text: string;
  readonly kind: RequirementKind;
  /** The inputs that answer it (kind `input`); for an item with sub-items, those of every sub-item. */
  readonly inputKeys: readonly string[];
}

/** "9.3.2 d) 1)" → "9.3.2 d)"; undefined for an item without a sub-item. */
export function parentItem(clause: string): string | undefined {
  return /^(.+\)) \d+\)$/.exec(clause)?.[1];
}

/** Clause items in the standard's order: "9.3.2 b)" before "9.3.2 d)" before "9.3.2 d) 1)" before "9.3.2 d) 2)". */
export function compareClauses(a: string, b: string): number {
  const left = a.split(' ');
  const right = b.split(' ');
  for (let i = 0; i < Math.min(left.length, right.length); i += 1) {
    const x = left[i]!;
    const y = right[i]!;
    if (x === y) continue;
    const [nx, ny] = [Number.parseInt(x, 10), Number.parseInt(y, 10)];
    if (!Number.isNaN(nx) && !Number.isNaN(ny) && nx !== ny) return nx - ny;
    return x < y ? -1 : 1;
  }
  return left.length - right.length;
}

/** Every requirement of the review for `chosen`, standard by standard, in the order of the clauses. */
export function reviewRequirements(chosen: readonly string[]): ReviewRequirement[] {
  const ids = normaliseStandards(chosen);
  const catalogue = catalogueFor(ids);
  const result: ReviewRequirement[] = [];
  for (const id of ids) {
    const standard = standards[id];
    result.push({
      standard: id,
      clause: standard.reviewClause,
      text: `top management reviews the ${standard.system} at planned intervals, to ensure its continuing suitability, adequacy and effectiveness`,
      kind: 'review',
      inputKeys: [],
    });
    const items = new Map<string, { text: string; inputKeys: string[] }>();
    const parents = new Set<string>();
    for (const input of catalogue) {
      for (const reference of input.clauses.filter((clause) => clause.standard === id)) {
        const parent = parentItem(reference.clause);
        if (parent) {
          parents.add(parent);
          const group = items.get(parent) ?? { text: '', inputKeys: [] };
          group.text = group.text ? `${group.text}; ${reference.text}` : reference.text;
          if (!group.inputKeys.includes(input.key)) group.inputKeys.push(input.key);
          items.set(parent, group);
        }
        const item = items.get(reference.clause) ?? { text: reference.text, inputKeys: [] };
        if (!item.inputKeys.includes(input.key)) item.inputKeys.push(input.key);
        items.set(reference.clause, item);
      }
    }
    for (const [clause, item] of [...items].sort(([a], [b]) => compareClauses(a, b))) {
      result.push({
        standard: id,
        clause,
        // An item with sub-items says what they are; the standard's own heading is not paraphrased.
        text: parents.has(clause) ? `its sub-items: ${item.text}` : item.text,
        kind: 'input',
        inputKeys: item.inputKeys,
      });
    }
    result.push(
      {
        standard: id,
        clause: standard.resultsClause,
        text: `the results include decisions on continual improvement opportunities and on any need for changes to the ${standard.system}`,
        kind: 'results',
        inputKeys: [],
      },
      {
        standard: id,
        clause: standard.documentedInformationClause,
        text: 'documented information is available as evidence of the results of the review, kept complete, unaltered and retrievable',
        kind: 'documented-information',
        inputKeys: [],
      },
    );
  }
  return result;
}
