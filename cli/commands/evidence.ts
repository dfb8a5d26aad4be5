import { readFile } from 'node:fs/promises';
import { CycleId } from '#shared/model/ids.ts';
import { formatVerification, verifyBundle, type AnchorCheck } from '#shared/evidence/verify.ts';
import { BACKEND_HELP, backendOptions, resolveBackend, type Env } from '../backend.ts';
import { ExitCode, rootCause, UsageError } from '../output.ts';
import type { Command } from './types.ts';

/** The stack's contract as the evidence adapters read it: what the backend set, over the environment. */
async function stackEnv(values: Record<string, string | boolean | undefined>, env: Env): Promise<Env> {
  const backend = await resolveBackend(values, env);
  return { ...env, ...backend.env };
}

export const evidenceExport: Command = {
  words: ['evidence', 'export'],
  usage: 'evidence export <cycleId> [--out <file.zip>]',
  summary: 'Write the evidence bundle of a cycle (ZIP) for the auditor; works while it runs.',
  help: [
    'The ZIP holds the package, the minutes (structured and as written), every input submission',
    '(parsed and the raw email), attendance, decisions and actions as CSV, reminders and',
    'escalations, sent and received mail with delivery receipts, the event log as JSON Lines,',
    'copies of the anchors, a manifest with the SHA-256 of every file and a README for the',
    'auditor. Default --out: evidence-<cycleId>.zip. Progress goes to stderr.',
    '',
    BACKEND_HELP,
  ].join('\n'),
  options: { ...backendOptions, out: { type: 'string' } },
  async run({ positionals, values, out, clock, env }) {
    const [id, ...extra] = positionals;
    if (id === undefined || extra.length > 0) throw new UsageError('Give exactly one cycle id.');
    if (!CycleId.safeParse(id).success) {
      throw new UsageError(
        `"${id}" is not a cycle id; expected one like C-20261001T0800Z-Q (see \`isms-review cycle list\`).`,
      );
    }
    const target = values.out ?? `evidence-${id}.zip`;
    if (typeof target !== 'string' || target.trim() === '') throw new UsageError('--out needs a file name.');
    if (!target.toLowerCase().endsWith('.zip')) {
      throw new UsageError(`--out ${target}: the bundle is a ZIP file; give a name ending in .zip.`);
    }
    const contract = await stackEnv(values, env);
    const { exportEvidence } = await import('#shared/adapters/evidence-source.ts');
    const exported = await exportEvidence({
      cycleId: id,
      out: target,
      env: contract,
      clock,
      onProgress: (step) => out.error(`evidence export: ${step}`),
    });
    const { manifest } = exported;
    out.say(`Evidence bundle of ${id} written to ${exported.path}`);
    out.say(
      `  ${manifest.files.length + 1} files, ${exported.bytes} bytes; event log up to seq ${manifest.chainHead.seq} (${manifest.chainHead.hash})`,
    );
    if (manifest.phase !== 'CLOSED') out.say(`  The cycle is still running (phase ${manifest.phase}).`);
    for (const gap of manifest.gaps) out.say(`  Not in the bundle: ${gap.path}: ${gap.reason}`);
    out.say(`Check it with: isms-review evidence verify ${target}`);
    out.result({
      ok: true,
      path: exported.path,
      bytes: exported.bytes,
      cycleId: id,
      phase: manifest.phase,
      chainHead: manifest.chainHead,
      files: manifest.files.length + 1,
      gaps: manifest.gaps,
    });
    return ExitCode.ok;
  },
};

export const evidenceVerify: Command = {
  words: ['evidence', 'verify'],
  usage: 'evidence verify <file.zip> [--offline] [--require-anchors]',
  summary: 'Check an evidence bundle: every file hash, the event chain, and the anchors.',
  help: [
    'Recomputes the SHA-256 of every file, the whole hash chain of the event log and the hashes',
    'the events recorded, and compares the chain with the anchors in the evidence bucket when it',
    'can reach them (it says so when it cannot). Any altered, removed, reordered or added file or',
    'event fails, naming the place. Exit code 0 only when everything holds.',
    '  --offline          do not contact the backend; check the bundle and its anchor copies only',
    '  --require-anchors  fail unless the anchors in the evidence bucket were compared',
    '',
    BACKEND_HELP,
  ].join('\n'),
  options: {
    ...backendOptions,
    offline: { type: 'boolean' },
    'require-anchors': { type: 'boolean' },
  },
  async run({ positionals, values, out, env }) {
    const [file, ...extra] = positionals;
    if (file === undefined || extra.length > 0) throw new UsageError('Give exactly one bundle file.');
    if (values.offline && values['require-anchors']) {
      throw new UsageError('--offline and --require-anchors contradict each other; give one.');
    }
    let zip: Buffer;
    try {
      zip = await readFile(file);
    } catch (error) {
      const message = `cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`;
      out.error(message);
      out.result({ ok: false, error: message });
      return ExitCode.failed;
    }
    const first = verifyBundle(zip);
    let anchors: AnchorCheck | undefined;
    if (first.cycleId && !values.offline) {
      try {
        const contract = await stackEnv(values, env);
        const { anchorStoreFor } = await import('#shared/adapters/evidence-source.ts');
        const store = anchorStoreFor(contract);
        anchors = { kind: 'stored', anchors: await store.list(first.cycleId), location: store.location };
      } catch (error) {
        const cause = rootCause(error as Error);
        anchors = { kind: 'unreachable', reason: `${cause.name}: ${cause.message}` };
      }
    }
    const result = first.cycleId ? verifyBundle(zip, anchors) : first;
    let ok = result.ok;
    if (values['require-anchors'] && (anchors?.kind !== 'stored' || anchors.anchors.length === 0)) {
      ok = false;
      result.problems.push({
        place: 'anchors',
        message:
          anchors?.kind === 'unreachable'
            ? `--require-anchors: the evidence bucket could not be reached (${anchors.reason})`
            : '--require-anchors: no anchors are stored for this cycle',
      });
    }
    for (const line of formatVerification({ ...result, ok })) out.say(line);
    out.result({ ...result, ok, anchorsCompared: anchors?.kind === 'stored' });
    if (!ok && out.json === false) out.error(`evidence verify: ${file} did NOT verify`);
    return ok ? ExitCode.ok : ExitCode.failed;
  },
};
