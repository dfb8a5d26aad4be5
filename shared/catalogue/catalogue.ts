/**
 * Management review input catalogues (clause 9.3) for every supported standard.
 *
 * Each entry below is one input as the owner is asked for it. An entry lists every standard
 * clause it answers, so an integrated review (several standards at once) asks for an input once
 * and keeps the clause reference of each standard it serves: "status of actions from previous
 * management reviews" is ISO/IEC 27001 9.3.2 a), ISO 9001 9.3.2 a), ISO 14001 9.3 a), ...
 *
 * Keys are stable identifiers: they name inputs in the programme file (`inputs.owners`) and in
 * stored records, and they never change with the set of standards chosen. Inputs that ISO/IEC
 * 27001 lists keep its item letters (a, b, c, d1..d4, e, f, g); inputs that only other
 * standards ask for have descriptive keys (e.g. `environmental-aspects`).
 *
 * Clause texts are short paraphrases of the standards' wording, enough to recognise the item.
 */
import { isStandardId, standardIds, standards, type StandardId } from './standards.ts';

export { standardIds, standards, isStandardId, type StandardId, type Standard } from './standards.ts';

export interface ClauseReference {
  readonly standard: StandardId;
  /** The clause and item, e.g. "9.3.2 d) 1)". */
  readonly clause: string;
  /** What that clause item asks for, paraphrased. */
  readonly text: string;
  /** The standard asks for trends on this item. */
  readonly trend: boolean;
}

export interface CatalogueInput {
  /** Stable key: the 27001 item (a, b, c, d1..d4, e, f, g) or a descriptive key. */
  readonly key: string;
  readonly title: string;
  /** Plain-language question for the input owner. */
  readonly prompt: string;
  /** Filled by the system (from the action register), not requested from an owner. */
  readonly automatic: boolean;
  /** The package shows this input against earlier cycles (a standard asks for trends). */
  readonly trend: boolean;
  /** Every clause this input answers, one per standard in the programme that asks for it. */
  readonly clauses: readonly ClauseReference[];
  /** The figures the owner is asked for, pre-labelled in the reply template (see InputFields). */
  readonly fields: readonly CatalogueField[];
  /** The owner lists objectives, each with its target, actual result and status (`objective:` lines). */
  readonly objectives: boolean;
}

/**
 * One figure an input's owner is asked for, stored as a metric named exactly `label` (so the
 * package's trends follow it across cycles). A required figure missing from a report is refused;
 * an optional one missing makes the answer thin (shown to the ISMS manager).
 */
export interface CatalogueField {
  readonly label: string;
  /** `count` for a plain number of things, else a short unit such as `%` or `days`. */
  readonly unit: string;
  readonly required: boolean;
}

/** The structured part of an input's answer, the same whichever standards the review covers. */
export interface InputFields {
  readonly fields: readonly CatalogueField[];
  readonly objectives: boolean;
}

export class UnknownStandard extends Error {
  override name = 'UnknownStandard' as const;
  constructor(readonly standard: string) {
    super(`"${standard}" is not a supported standard; expected one of: ${standardIds.join(', ')}`);
  }
}

export class NoStandardChosen extends Error {
  override name = 'NoStandardChosen' as const;
  constructor() {
    super(`No management system standard was chosen; expected at least one of: ${standardIds.join(', ')}`);
  }
}

interface Source {
  readonly standard: StandardId;
  /** The item within the standard's inputs clause, e.g. "d) 1)". */
  readonly item: string;
  readonly text: string;
  readonly trend?: boolean;
  /** Extra sentence for the owner's prompt when this standard is in the programme. */
  readonly addition?: string;
}

interface InputDefinition {
  readonly key: string;
  readonly title: string;
  /** `{system}` becomes the management systems served, e.g. "ISMS" or "ISMS and QMS". */
  readonly prompt: string;
  readonly automatic?: boolean;
  readonly fields?: readonly CatalogueField[];
  readonly objectives?: boolean;
  readonly sources: readonly Source[];
}

const count = (label: string, required: boolean): CatalogueField => ({ label, unit: 'count', required });

const NOTHING = 'If nothing changed, answer "nothing to report" and say why.';

/** In the order the package presents them. */
const definitions: readonly InputDefinition[] = [
  {
    key: 'a',
    title: 'Status of actions from previous management reviews',
    prompt:
      'Filled automatically from the action register: every action decided at earlier reviews, ' +
      'with its owner, due date and status; overdue actions are highlighted.',
    automatic: true,
    sources: [
      { standard: 'iso27001', item: 'a)', text: 'status of actions from previous management reviews' },
      { standard: 'iso9001', item: 'a)', text: 'status of actions from previous management reviews' },
      { standard: 'iso14001', item: 'a)', text: 'status of actions from previous management reviews' },
      { standard: 'iso42001', item: 'a)', text: 'status of actions from previous management reviews' },
      { standard: 'iso22301', item: 'a)', text: 'status of actions from previous management reviews' },
    ],
  },
  {
    key: 'b',
    title: 'Changes in external and internal issues',
    prompt:
      'What has changed since the last review, inside or outside the organisation, that matters to ' +
      'the {system}? Think of strategy, structure, technology, suppliers, laws and regulations, threats ' +
      'and the market. Is climate change a relevant issue for the organisation, and has that changed ' +
      `(clause 4.1 as amended in 2024)? ${NOTHING}`,
    sources: [
      {
        standard: 'iso27001',
        item: 'b)',
        text: 'changes in external and internal issues relevant to the ISMS (climate change: Amd 1:2024)',
      },
      {
        standard: 'iso9001',
        item: 'b)',
        text: 'changes in external and internal issues relevant to the QMS',
      },
      {
        standard: 'iso14001',
        item: 'b) 1)',
        text: 'changes in external and internal issues relevant to the EMS',
        addition: 'Include environmental conditions that affect or are affected by the organisation.',
      },
      {
        standard: 'iso42001',
        item: 'b)',
        text: 'changes in external and internal issues relevant to the AIMS',
      },
      {
        standard: 'iso22301',
        item: 'b)',
        text: 'changes in external and internal issues relevant to the BCMS',
      },
    ],
  },
  {
    key: 'c',
    title: 'Changes in needs and expectations of interested parties',
    prompt:
      'Have customers, regulators, staff, owners, suppliers or other interested parties changed what ' +
      'they need or expect from the {system}? Include new legal, regulatory and contractual requirements. ' +
      NOTHING,
    sources: [
      {
        standard: 'iso27001',
        item: 'c)',
        text: 'changes in needs and expectations of interested parties relevant to the ISMS',
      },
      {
        standard: 'iso14001',
        item: 'b) 2)',
        text: 'changes in needs and expectations of interested parties, including compliance obligations',
        addition: 'Include changes in compliance obligations.',
      },
      {
        standard: 'iso42001',
        item: 'c)',
        text: 'changes in needs and expectations of interested parties relevant to the AIMS',
      },
    ],
  },
  {
    key: 'environmental-aspects',
    title: 'Changes in significant environmental aspects',
    prompt:
      'Which significant environmental aspects were added, removed or re-rated since the last review, ' +
      `and why? ${NOTHING}`,
    sources: [{ standard: 'iso14001', item: 'b) 3)', text: 'changes in significant environmental aspects' }],
  },
  {
    key: 'risks-and-opportunities',
    title: 'Changes in environmental risks and opportunities',
    prompt: `Which environmental risks and opportunities changed since the last review, and how? ${NOTHING}`,
    sources: [{ standard: 'iso14001', item: 'b) 4)', text: 'changes in risks and opportunities' }],
  },
  {
    key: 'd1',
    title: 'Nonconformities and corrective actions',
    prompt:
      'How many nonconformities were raised and closed this period, and how many are still open? Are ' +
      'the corrective actions working? Give the figures so the trend against earlier reviews can be ' +
      'shown, and list every open nonconformity.',
    fields: [
      count('Nonconformities opened', true),
      count('Nonconformities closed', true),
      count('Nonconformities overdue', true),
    ],
    sources: [
      { standard: 'iso27001', item: 'd) 1)', text: 'nonconformities and corrective actions', trend: true },
      { standard: 'iso9001', item: 'c) 4)', text: 'nonconformities and corrective actions', trend: true },
      { standard: 'iso14001', item: 'd) 1)', text: 'nonconformities and corrective actions', trend: true },
      { standard: 'iso42001', item: 'd) 1)', text: 'nonconformities and corrective actions', trend: true },
      { standard: 'iso22301', item: 'c) 1)', text: 'nonconformities and corrective actions', trend: true },
    ],
  },
  {
    key: 'd2',
    title: 'Monitoring and measurement results',
    prompt:
      'Report this period’s monitoring and measurement results for the {system} (metrics and KPIs) ' +
      'with the figures behind them, and explain each result that missed its target.',
    fields: [count('Measures reported', false), count('Measures below target', false)],
    sources: [
      { standard: 'iso27001', item: 'd) 2)', text: 'monitoring and measurement results', trend: true },
      { standard: 'iso9001', item: 'c) 5)', text: 'monitoring and measurement results', trend: true },
      { standard: 'iso14001', item: 'd) 2)', text: 'monitoring and measurement results', trend: true },
      { standard: 'iso42001', item: 'd) 2)', text: 'monitoring and measurement results', trend: true },
      {
        standard: 'iso22301',
        item: 'c) 2)',
        text: 'monitoring and measurement evaluation results',
        trend: true,
      },
    ],
  },
  {
    key: 'd3',
    title: 'Audit results',
    prompt:
      'Summarise the internal and external audits since the last review: audits held, findings by ' +
      'grade, and any audit not held as planned.',
    fields: [
      count('Audits held', false),
      count('Audit findings major', true),
      count('Audit findings minor', true),
      count('Audit observations', false),
    ],
    sources: [
      { standard: 'iso27001', item: 'd) 3)', text: 'audit results', trend: true },
      { standard: 'iso9001', item: 'c) 6)', text: 'audit results', trend: true },
      { standard: 'iso14001', item: 'd) 4)', text: 'audit results', trend: true },
      { standard: 'iso42001', item: 'd) 3)', text: 'audit results', trend: true },
      { standard: 'iso22301', item: 'c) 3)', text: 'audit results', trend: true },
    ],
  },
  {
    key: 'd4',
    title: 'Fulfilment of objectives',
    prompt:
      'For each {system} objective give its target, the result achieved and whether it is met, partly ' +
      'met or missed; say why for each one not met.',
    objectives: true,
    sources: [
      {
        standard: 'iso27001',
        item: 'd) 4)',
        text: 'fulfilment of information security objectives',
        trend: true,
      },
      {
        standard: 'iso9001',
        item: 'c) 2)',
        text: 'the extent to which quality objectives have been met',
        trend: true,
      },
      {
        standard: 'iso14001',
        item: 'c)',
        text: 'the extent to which environmental objectives have been achieved',
      },
    ],
  },
  {
    key: 'process-performance',
    title: 'Process performance and conformity of products and services',
    prompt:
      'How did the key processes perform this period, and did products and services conform to ' +
      'requirements? Give the figures so the trend can be shown.',
    sources: [
      {
        standard: 'iso9001',
        item: 'c) 3)',
        text: 'process performance and conformity of products and services',
        trend: true,
      },
    ],
  },
  {
    key: 'external-providers',
    title: 'Performance of external providers',
    prompt:
      'How did suppliers and other external providers perform this period (delivery, quality, ' +
      'incidents)? Name any provider that needs action.',
    sources: [
      { standard: 'iso9001', item: 'c) 7)', text: 'the performance of external providers', trend: true },
    ],
  },
  {
    key: 'compliance-obligations',
    title: 'Fulfilment of compliance obligations',
    prompt:
      'Were all environmental compliance obligations met this period? List every obligation not met, ' +
      'what is being done about it, and any enforcement action.',
    sources: [
      { standard: 'iso14001', item: 'd) 3)', text: 'fulfilment of its compliance obligations', trend: true },
    ],
  },
  {
    key: 'e',
    title: 'Feedback from interested parties',
    prompt:
      'What feedback did interested parties give about the {system} this period (customers, staff, ' +
      `regulators, partners)? Include complaints and what was done about them. ${NOTHING}`,
    fields: [
      count('Complaints from customers', false),
      count('Complaints from staff', false),
      count('Feedback from regulators', false),
      count('Feedback from other parties', false),
    ],
    sources: [
      { standard: 'iso27001', item: 'e)', text: 'feedback from interested parties' },
      {
        standard: 'iso9001',
        item: 'c) 1)',
        text: 'customer satisfaction and feedback from relevant interested parties',
        trend: true,
        addition: 'Include customer satisfaction results with their figures.',
      },
      {
        standard: 'iso14001',
        item: 'f)',
        text: 'relevant communications from interested parties, including complaints',
      },
      { standard: 'iso22301', item: 'd)', text: 'feedback from interested parties' },
    ],
  },
  {
    key: 'f',
    title: 'Results of risk assessment and status of risk treatment plan',
    prompt:
      'Summarise the latest information security risk assessment: new, changed and accepted risks, ' +
      'risks above the acceptance criteria, and the status of each risk treatment plan item (done, on ' +
      'track, late).',
    fields: [
      count('Risks above appetite', true),
      count('Risk treatments late', true),
      count('Risks accepted', false),
    ],
    sources: [
      {
        standard: 'iso27001',
        item: 'f)',
        text: 'results of risk assessment and status of risk treatment plan',
      },
    ],
  },
  {
    key: 'risk-actions-effectiveness',
    title: 'Effectiveness of actions taken to address risks and opportunities',
    prompt:
      'Did the actions planned to address quality risks and opportunities work? Name each action, ' +
      'its result, and what should change.',
    sources: [
      {
        standard: 'iso9001',
        item: 'e)',
        text: 'the effectiveness of actions taken to address risks and opportunities',
      },
    ],
  },
  {
    key: 'bia-and-risk-assessment',
    title: 'Business impact analysis and risk assessment',
    prompt:
      'What do the latest business impact analysis and risk assessment show: changed priorities, ' +
      `recovery objectives and risks to continuity? ${NOTHING}`,
    sources: [
      {
        standard: 'iso22301',
        item: 'g)',
        text: 'information from the business impact analysis and risk assessment',
      },
    ],
  },
  {
    key: 'unaddressed-risks',
    title: 'Risks or issues not adequately addressed before',
    prompt:
      'Which risks or issues were not adequately addressed in any previous risk assessment, and what ' +
      `should be done about them? ${NOTHING}`,
    sources: [
      {
        standard: 'iso22301',
        item: 'i)',
        text: 'risks or issues not adequately addressed in any previous risk assessment',
      },
    ],
  },
  {
    key: 'continuity-capabilities',
    title: 'Evaluation of business continuity documentation and capabilities',
    prompt:
      'What did the evaluation of business continuity plans, procedures and capabilities (exercises ' +
      'and tests) find, and what needs to change?',
    sources: [
      {
        standard: 'iso22301',
        item: 'h)',
        text: 'output from the evaluation of business continuity documentation and capabilities (8.6)',
      },
    ],
  },
  {
    key: 'lessons-learned',
    title: 'Lessons learned from near-misses and disruptions',
    prompt:
      'Which disruptions and near-misses happened this period, what was learned, and which actions ' +
      `came out of them? ${NOTHING}`,
    sources: [
      {
        standard: 'iso22301',
        item: 'j)',
        text: 'lessons learned and actions arising from near-misses and disruptions',
      },
    ],
  },
  {
    key: 'resources',
    title: 'Adequacy of resources',
    prompt:
      'Are people, skills, budget, tools and infrastructure sufficient for the {system}? Name each gap ' +
      'and its effect.',
    sources: [
      { standard: 'iso9001', item: 'd)', text: 'the adequacy of resources' },
      { standard: 'iso14001', item: 'e)', text: 'adequacy of resources' },
    ],
  },
  {
    key: 'improvement-means',
    title: 'Procedures and resources that could improve the BCMS',
    prompt:
      'Which procedures and resources, inside the organisation, could be used to improve the ' +
      'performance and effectiveness of the BCMS?',
    sources: [
      {
        standard: 'iso22301',
        item: 'f)',
        text: 'procedures and resources that could be used to improve BCMS performance and effectiveness',
      },
    ],
  },
  {
    key: 'system-changes',
    title: 'Need for changes to the BCMS, including its policy and objectives',
    prompt: `Does the BCMS, its policy or its objectives need to change? Say what and why. ${NOTHING}`,
    sources: [
      {
        standard: 'iso22301',
        item: 'e)',
        text: 'the need for changes to the BCMS, including the policy and objectives',
      },
    ],
  },
  {
    key: 'g',
    title: 'Opportunities for continual improvement',
    prompt:
      'What could be improved in the {system}, its processes or its controls? Give each opportunity ' +
      'with its expected benefit, so top management can decide on it.',
    fields: [count('Improvement opportunities', false)],
    sources: [
      { standard: 'iso27001', item: 'g)', text: 'opportunities for continual improvement' },
      { standard: 'iso9001', item: 'f)', text: 'opportunities for improvement' },
      { standard: 'iso14001', item: 'g)', text: 'opportunities for continual improvement' },
      { standard: 'iso42001', item: 'e)', text: 'opportunities for continual improvement' },
      { standard: 'iso22301', item: 'k)', text: 'opportunities for continual improvement' },
    ],
  },
];

/** Every key any catalogue uses, in presentation order. */
export const allInputKeys: readonly string[] = definitions.map((definition) => definition.key);

/** "ISMS", "ISMS and QMS", "ISMS, QMS and EMS". */
function joinSystems(ids: readonly StandardId[]): string {
  const names = ids.map((id) => standards[id].system);
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** The standards in canonical order, each once; throws on an unknown or empty choice. */
export function normaliseStandards(chosen: readonly string[]): StandardId[] {
  for (const id of chosen) if (!isStandardId(id)) throw new UnknownStandard(id);
  const set = new Set(chosen);
  const ordered = standardIds.filter((id) => set.has(id));
  if (ordered.length === 0) throw new NoStandardChosen();
  return ordered;
}

/**
 * The inputs a review covering `chosen` requests, merged across standards, in presentation order.
 * Trend is on when any chosen standard asks for trends on that item.
 */
export function catalogueFor(chosen: readonly StandardId[]): CatalogueInput[] {
  const ids = normaliseStandards(chosen);
  const result: CatalogueInput[] = [];
  for (const definition of definitions) {
    const served = definition.sources.filter((source) => ids.includes(source.standard));
    if (served.length === 0) continue;
    const additions = served.flatMap((source) => (source.addition ? [source.addition] : []));
    const systems = joinSystems(served.map((source) => source.standard));
    result.push({
      key: definition.key,
      title: definition.title,
      prompt: [definition.prompt.replaceAll('{system}', systems), ...additions].join(' '),
      automatic: definition.automatic ?? false,
      fields: definition.fields ?? [],
      objectives: definition.objectives ?? false,
      trend: served.some((source) => source.trend === true),
      clauses: served.map((source) => ({
        standard: source.standard,
        clause: `${standards[source.standard].inputsClause} ${source.item}`,
        text: source.text,
        trend: source.trend === true,
      })),
    });
  }
  return result;
}

/** "ISO/IEC 27001:2022 9.3.2 a)". */
export function clauseLabel(reference: ClauseReference): string {
  return `${standards[reference.standard].title} ${reference.clause}`;
}

/** The catalogue entry for `key` in a review covering `chosen`, or undefined. */
export function catalogueInput(chosen: readonly StandardId[], key: string): CatalogueInput | undefined {
  return catalogueFor(chosen).find((input) => input.key === key);
}

/** The figures and objectives asked for input `key` (none for a key no catalogue knows). */
export function inputFields(key: string): InputFields {
  const definition = definitions.find((entry) => entry.key === key);
  return { fields: definition?.fields ?? [], objectives: definition?.objectives ?? false };
}
