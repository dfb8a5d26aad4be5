/**
 * Builds a cycle's evidence bundle: one ZIP with every record of the review, the raw messages,
 * the frozen package, the minutes, the event log, a manifest of SHA-256 hashes and a README
 * for the auditor (bundle.ts). Pure: it reads through an EvidenceSource (export-source.ts), so the
 * same code runs against the deployed stack, the local stack, or memory.
 *
 * It works while a cycle runs: the event log is read once, and the bundle holds the chain up to
 * that head (the manifest and README say which phase the cycle was in). Files the records name
 * but the stores do not hold are listed as gaps, never left out silently.
 *
 * This module orders the bundle and writes the cycle, programme, event log, anchors, manifest and
 * README; the inputs, minutes and actions are in export-records.ts, the package in
 * export-package.ts, the mail in export-mail.ts, and what an auditor reads first, the trace of
 * each input (trace.csv) and the clause index (index/clauses.csv and .md), in export-trace.ts and
 * export-clauses.ts. The mail is written before the inputs, so that an email is stored once and
 * each input it answered points to it.
 */
import { zipSync } from 'fflate';
import { canonicalJson } from '../model/canonical-json.ts';
import type { CycleRecords } from '../store/repository.ts';
import {
  ANCHOR_KEY_FILE,
  BUNDLE_FORMAT,
  MANIFEST_SIG_FILE,
  EVENTS_FILE,
  MANIFEST_FILE,
  README_FILE,
  readmeText,
  type Manifest,
} from './bundle.ts';
import { BundleWriter, JSON_TEXT } from './bundle-writer.ts';
import { addClauseIndex } from './export-clauses.ts';
import { addMail } from './export-mail.ts';
import { addPackages } from './export-package.ts';
import { addActions, addFollowUp, addInputs, addMinutes } from './export-records.ts';
import type { EvidenceSource, ExportProgress } from './export-source.ts';
import { addTrace, traceInputs, type InputTrace } from './export-trace.ts';
import { Directory } from './people.ts';
import { anchorKeyFromSpki } from './signer.ts';

export type { EvidenceSource, ExportProgress } from './export-source.ts';

export interface EvidenceBundle {
  readonly zip: Uint8Array;
  readonly manifest: Manifest;
  /** Each input followed through the review, as trace.csv writes it (the web app shows it too). */
  readonly traces: readonly InputTrace[];
}

/** The cycle does not exist. */
export class CycleNotFoundForExport extends Error {
  override name = 'CycleNotFoundForExport' as const;
}

/** Builds the bundle of `cycleId` (see the module note). */
export async function buildEvidenceBundle(
  source: EvidenceSource,
  cycleId: string,
  progress: ExportProgress = () => {},
): Promise<EvidenceBundle> {
  progress(`reading the records of cycle ${cycleId}`);
  const records: CycleRecords | undefined = await source.repo.getCycleRecords(cycleId);
  if (!records) {
    throw new CycleNotFoundForExport(
      `cycle ${cycleId} does not exist; \`isms-review cycle list\` shows the cycles`,
    );
  }
  const { cycle } = records;
  const events = [...records.events].sort((a, b) => a.seq - b.seq);
  const head = events.at(-1);
  const out = new BundleWriter();
  const exportedAt = source.clock.now().toISOString();

  // Records
  out.addJson('cycle.json', cycle, 'The cycle record as stored at export: phase, dates, package hash.');
  const programme = await source.repo.getProgrammeVersion(cycle.programmeId, cycle.programme.version);
  if (programme) {
    out.addJson(
      'programme.json',
      programme,
      `The review programme (version ${programme.version}) the cycle ran under: people, roles, inputs, escalation.`,
    );
  } else {
    out.gaps.push({
      path: 'programme.json',
      reason: `programme ${cycle.programmeId} version ${cycle.programme.version} is not stored`,
    });
  }
  progress(`writing the event log (${events.length} events)`);
  out.add(
    EVENTS_FILE,
    Buffer.from(events.map((event) => `${canonicalJson(event)}\n`).join(''), 'utf8'),
    'The hash-chained event log of the cycle, one event per line in canonical JSON, in order.',
  );

  const people = new Directory(programme?.document);
  const pkg = await addPackages(out, source, events, progress);
  const mail = await addMail(out, source, cycleId, events, people, progress);
  const submissions = await addInputs(out, source, records, events, { people, mail, package: pkg }, progress);
  const minutes = await addMinutes(out, source, cycleId, records, events, people, progress);
  await addActions(out, source, records, events, people, minutes?.content.decisionRefs ?? {});
  addFollowUp(out, records, events, people, mail);
  await addAnchors(out, source, cycleId);

  // What an auditor opens first: each input followed through, and each clause to its evidence.
  progress('writing the trace of each input and the clause index');
  const minutesFiles = minutes
    ? [...out.files.keys()].filter((path) => path.startsWith(`minutes/v${minutes.version}/`)).sort()
    : [];
  const traces = traceInputs({
    records,
    events,
    people,
    mail,
    package: pkg,
    submissions,
    minutes,
    minutesFiles,
  });
  addTrace(out, traces);
  addClauseIndex(out, {
    cycle,
    programme: programme?.document,
    traces,
    mail,
    package: pkg,
    minutesFiles,
    files: [...out.files.keys()],
    decisions: minutes?.content.decisions.length ?? 0,
    events: events.length,
    approvals: events
      .filter((event) => event.type === 'package.approved' || event.type === 'minutes.approved')
      .map(
        (event) =>
          `${event.type === 'package.approved' ? 'package' : 'minutes'} v${String(event.data.version)} by ${people.label(event.actor)} on ${event.at}`,
      ),
    unlisted: [
      ...(source.manifestSigner ? [MANIFEST_SIG_FILE] : []),
      ...(source.anchorKey ? [ANCHOR_KEY_FILE] : []),
    ],
  });

  // Manifest and README
  progress('writing the manifest and README');
  const base = {
    format: BUNDLE_FORMAT,
    cycleId,
    programmeId: cycle.programmeId,
    exportedAt,
    phase: cycle.phase,
    chainHead: { seq: head?.seq ?? 0, hash: head?.hash ?? '0'.repeat(64) },
    gaps: out.gaps,
  };
  out.add(
    README_FILE,
    Buffer.from(readmeText({ ...base, files: out.entries() }), 'utf8'),
    'This guide: what each file is and how to verify the bundle.',
  );
  const manifest: Manifest = { ...base, files: out.entries() };
  const zipped: Record<string, Uint8Array> = {};
  const mtime = new Date(Math.max(Date.parse(exportedAt), Date.UTC(1980, 0, 2)));
  for (const entry of manifest.files) zipped[entry.path] = out.files.get(entry.path)!.body;
  const manifestBytes = JSON_TEXT(manifest);
  zipped[MANIFEST_FILE] = manifestBytes;
  if (source.anchorKey) {
    progress('adding the anchoring public key');
    zipped[ANCHOR_KEY_FILE] = Buffer.from(anchorKeyFromSpki(await source.anchorKey.publicKey()).pem, 'utf8');
  }
  if (source.manifestSigner) {
    progress('signing the manifest');
    zipped[MANIFEST_SIG_FILE] = Buffer.from(
      `${(await source.manifestSigner.sign(manifestBytes)).toString('base64')}\n`,
      'utf8',
    );
  }
  progress(`compressing ${manifest.files.length + 1} files`);
  const zip = zipSync(zipped, { level: 6, mtime });
  return { zip, manifest, traces };
}

/** Copies the anchors written so far, or records why there are none. */
async function addAnchors(out: BundleWriter, source: EvidenceSource, cycleId: string): Promise<void> {
  if (source.anchors) {
    const anchors = await source.anchors.list(cycleId);
    for (const stored of anchors) {
      out.add(
        stored.key,
        stored.body,
        `Copy of the anchor written at milestone ${stored.anchor.milestone}: chain head seq ${stored.anchor.head.seq} (${stored.lock.locked ? 'locked' : 'not locked'}: ${stored.lock.note}).`,
      );
    }
    if (anchors.length === 0) {
      out.gaps.push({
        path: 'anchors/',
        reason: `no anchor was written for cycle ${cycleId} yet (anchors are written when the cycle opens, the package is distributed, the minutes are accepted, the cycle closes, and daily while it runs)`,
      });
    }
  } else {
    out.gaps.push({ path: 'anchors/', reason: 'the anchors were not read at export' });
  }
}
