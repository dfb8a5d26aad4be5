/**
 * The evidence fixture (fixture.ts) with the whole trail of a review: people with names, an
 * automatic input (a, from the action register), one email that answers two inputs (d1 and d4),
 * an input never provided (d2), a frozen package whose model counts each input, minutes with a
 * decision on d1 and the action it made, closed. The event log is chained again over it.
 */
import { canonicalJson } from '#shared/model/canonical-json.ts';
import type { EvidenceSource } from '#shared/evidence/export.ts';
import type { Action } from '#shared/model/action.ts';
import type { EventDraft } from '#shared/model/event.ts';
import type { InputRequest } from '#shared/model/input.ts';
import { minutesHash, type MinutesRecord } from '#shared/model/minutes-record.ts';
import { sha256Of } from '#shared/store/blob-store.ts';
import type { CycleRecords } from '#shared/store/repository.ts';
import { anAction, anInputRequest, answered, aProgrammeVersion, aSubmission } from '../model/builders.ts';
import { aFixture, chainOf, type Fixture } from './fixture.ts';

export const PEOPLE = [
  { id: 'alice', name: 'Alice Morgan', email: 'alice@example.com' },
  { id: 'auditor', name: 'Ann Auditor', email: 'auditor@example.com' },
  { id: 'ciso', name: 'Grace Lindqvist', email: 'ciso@example.com' },
  { id: 'ceo', name: 'Daniel Okafor', email: 'ceo@example.com' },
];

export interface TrailFixture extends Fixture {
  /** The id of the decision on d1, and the action it made. */
  readonly decisionId: string;
  readonly action: Action;
}

const MINUTES_TEXT = 'meeting: {date: 2026-10-29}\n# the minutes as written\n';

export async function aTrailFixture(): Promise<TrailFixture> {
  const fixture = await aFixture();
  const { cycle, evidence } = fixture;
  const programme = aProgrammeVersion(1, {
    document: { ...fixture.programme.document, managementSystems: ['iso27001'], people: PEOPLE },
  });

  // Requests: a (automatic), d1 and d4 answered by one email, d2 never provided.
  const [d1Answered, d2Requested] = fixture.records.inputRequests as [InputRequest, InputRequest];
  const d1 = fixture.records.submissions[0]!;
  const { ownerId: _nobody, ...automatic } = anInputRequest(cycle, 'a', {
    title: 'Status of actions from previous management reviews',
    clauses: [{ standard: 'iso27001', clause: '9.3.2 a)' }],
  });
  const a: InputRequest = { ...automatic, automatic: true };
  const d4Request = anInputRequest(cycle, 'd4', { title: 'Fulfilment of objectives' });
  const d4 = {
    ...aSubmission(d4Request, new Date(d1.receivedAt)),
    id: d1.id.replace(/-[0-9A-Z]+$/, '-D4D4D4'),
  };
  const d2: InputRequest = { ...d2Requested, status: 'NOT_PROVIDED', notProvidedAt: cycle.inputsDueAt };
  const inputRequests = [
    a,
    { ...d1Answered, title: 'Nonconformities and corrective actions' },
    d2,
    answered(d4Request, d4),
  ];

  // The package as frozen: its model counts every input.
  const base = `cycles/${cycle.id}/package/v1`;
  const model = Buffer.from(
    canonicalJson({
      cycleId: cycle.id,
      inputs: [
        { inputKey: 'a', title: a.title, status: 'provided', automatic: true },
        {
          inputKey: 'd1',
          title: 'Nonconformities and corrective actions',
          status: 'provided',
          text: 'Two minor nonconformities',
        },
        { inputKey: 'd2', title: 'Input d2', status: 'not-provided', automatic: false },
        { inputKey: 'd4', title: 'Fulfilment of objectives', status: 'provided', automatic: false },
      ],
    }),
  );
  const manifest = JSON.parse((await evidence.get(`${base}/manifest.json`)).toString('utf8')) as {
    files: Record<string, unknown>;
    contentHash: string;
  };
  manifest.files['model.json'] = await evidence.put(`${base}/model.json`, model, 'application/json');
  manifest.contentHash = sha256Of(model);
  await evidence.put(`${base}/manifest.json`, Buffer.from(JSON.stringify(manifest)), 'application/json');

  // The minutes: a decision on d1, carried out by an action that is done.
  const decisionId = `D-${cycle.id.slice(2)}-01`;
  const action = anAction(cycle, 2, {
    title: 'Close the two nonconformities for good',
    ownerId: 'ciso',
    decisionId,
    inputKey: 'd1',
    status: 'done',
    closureEvidence: { text: 'Both closed.', at: '2026-11-10T09:00:00.000Z', by: 'ciso' },
  });
  const minutes: MinutesRecord = {
    cycleId: cycle.id,
    programmeId: cycle.programmeId,
    version: 1,
    acceptedAt: '2026-10-29T12:00:00.000Z',
    submittedBy: 'alice',
    source: { channel: 'cli', fileName: 'minutes.yaml' },
    content: {
      cycleId: cycle.id,
      heldAt: cycle.plannedMeetingAt,
      meeting: { date: '2026-10-29', time: '09:00', timeZone: 'Europe/London' },
      attendance: [
        { personId: 'ceo', role: 'Chair', topManagement: true, status: 'present' },
        { personId: 'alice', role: 'ISMS manager', topManagement: false, status: 'present' },
      ],
      inputsConsidered: [
        { key: 'a', title: a.title, note: 'no open actions' },
        { key: 'd1', title: 'Nonconformities and corrective actions', note: 'both closed; D1 makes sure' },
        { key: 'd2', title: 'Input d2', note: 'not provided' },
        { key: 'd4', title: 'Fulfilment of objectives', note: 'on track' },
      ],
      decisions: [
        { id: decisionId, category: 'risk_treatment_approach', text: 'Re-audit both areas', inputKey: 'd1' },
      ],
      decisionRefs: { [decisionId]: 'D1' },
      actions: [],
      assessment: {
        suitability: { verdict: 'yes', rationale: 'fits' },
        adequacy: { verdict: 'partly', rationale: 'd2 missing' },
        effectiveness: { verdict: 'yes', rationale: 'works' },
        alignment: { verdict: 'yes', rationale: 'aligned' },
      },
    },
    sourceText: MINUTES_TEXT,
    sourceHash: minutesHash(MINUTES_TEXT),
    actionIds: [action.id],
  };

  // The log, chained again: the package as frozen now, the second input the email answered.
  const drafts: EventDraft[] = fixture.records.events.map(
    ({ cycleId: _c, seq: _s, prevHash: _p, hash: _h, ...draft }) =>
      draft.type === 'package.built' ? { ...draft, data: { ...draft.data, sha256: sha256Of(model) } } : draft,
  );
  const d1Event = drafts.findIndex((d) => d.type === 'input.submitted');
  drafts.splice(d1Event + 1, 0, {
    ...drafts[d1Event]!,
    data: { ...drafts[d1Event]!.data, inputKey: 'd4', submissionId: d4.id },
  });
  drafts.push({
    type: 'minutes.accepted',
    at: minutes.acceptedAt,
    actor: 'alice',
    data: { version: 1, sourceHash: minutes.sourceHash },
  });
  const records: CycleRecords = {
    ...fixture.records,
    cycle: { ...cycle, heldAt: cycle.plannedMeetingAt },
    inputRequests,
    submissions: [d1, d4],
    actions: [...fixture.records.actions, action],
    events: chainOf(cycle.id, drafts),
    minutes: [minutes],
  };
  const source = fixture.source as { -readonly [K in keyof EvidenceSource]: EvidenceSource[K] };
  source.repo = {
    getCycleRecords: async (id) => (id === cycle.id ? records : undefined),
    getProgrammeVersion: async () => programme,
    listMinutes: async () => [minutes],
  };
  return { ...fixture, records, programme, decisionId, action };
}
