/**
 * The management system standards a review programme can cover. Each has its own clause 9.3
 * list of management review inputs (see catalogue.ts); one integrated review can cover several.
 */
export const standardIds = ['iso27001', 'iso9001', 'iso14001', 'iso42001', 'iso22301'] as const;

export type StandardId = (typeof standardIds)[number];

export interface Standard {
  readonly id: StandardId;
  /** The standard's full reference, e.g. "ISO/IEC 27001:2022". */
  readonly title: string;
  /** What the standard's management system is about, e.g. "information security". */
  readonly subject: string;
  /** The usual abbreviation of its management system, e.g. "ISMS". */
  readonly system: string;
  /** Where the standard lists the management review inputs. */
  readonly inputsClause: string;
  /** Where it asks top management to review the system at planned intervals. */
  readonly reviewClause: string;
  /** Where it lists the results of the review: decisions on improvement and on changes. */
  readonly resultsClause: string;
  /** Where it sets the rules for documented information, kept as evidence of the results. */
  readonly documentedInformationClause: string;
}

export const standards: Readonly<Record<StandardId, Standard>> = {
  iso27001: {
    id: 'iso27001',
    title: 'ISO/IEC 27001:2022',
    subject: 'information security',
    system: 'ISMS',
    inputsClause: '9.3.2',
    reviewClause: '9.3.1',
    resultsClause: '9.3.3',
    documentedInformationClause: '7.5',
  },
  iso9001: {
    id: 'iso9001',
    title: 'ISO 9001:2015',
    subject: 'quality',
    system: 'QMS',
    inputsClause: '9.3.2',
    reviewClause: '9.3.1',
    resultsClause: '9.3.3',
    documentedInformationClause: '7.5',
  },
  iso14001: {
    // ISO 14001:2015 lists its review inputs and outputs directly under 9.3 (it has no 9.3.x).
    id: 'iso14001',
    title: 'ISO 14001:2015',
    subject: 'environmental',
    system: 'EMS',
    inputsClause: '9.3',
    reviewClause: '9.3',
    resultsClause: '9.3',
    documentedInformationClause: '7.5',
  },
  iso42001: {
    id: 'iso42001',
    title: 'ISO/IEC 42001:2023',
    subject: 'artificial intelligence',
    system: 'AIMS',
    inputsClause: '9.3.2',
    reviewClause: '9.3.1',
    resultsClause: '9.3.3',
    documentedInformationClause: '7.5',
  },
  iso22301: {
    id: 'iso22301',
    title: 'ISO 22301:2019',
    subject: 'business continuity',
    system: 'BCMS',
    inputsClause: '9.3.2',
    reviewClause: '9.3.1',
    resultsClause: '9.3.3',
    documentedInformationClause: '7.5',
  },
};

export function isStandardId(value: unknown): value is StandardId {
  return typeof value === 'string' && (standardIds as readonly string[]).includes(value);
}
