import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CycleId } from '#shared/model/ids.ts';
import { InvalidAnchor } from '#shared/evidence/anchor.ts';
import { anchorKeyOf, formatFingerprint, parseFingerprint } from '#shared/evidence/signer.ts';
import {
  FINGERPRINT_SOURCES,
  formatVerification,
  verifyBundle,
  type AnchorCheck,
  type TrustedKey,
} from '#shared/evidence/verify.ts';
import { BACKEND_HELP, backendOptions, resolveBackend, type Env } from '../backend.ts';
import { ExitCode, rootCause, UsageError } from '../output.ts';
import type { Command } from './types.ts';

/** The anchoring key file of the local stack's data folder (shared/adapters/file-signer.ts). */
const LOCAL_SIGNING_KEY_FILE = 'anchor-signing-key.pem';

/**
 * The stack's contract as the evidence adapters read it: what the backend set, over the environment.
 * Locally also the anchoring key of the data folder (its public half goes into the bundle, and the
 * manifest is signed with it) and the note that the local S3 ignores conditional writes.
 */
async function stackEnv(values: Record<string, string | boolean | undefined>, env: Env): Promise<Env> {
  const backend = await resolveBackend(values, env);
  const merged: Record<string, string | undefined> = { ...env, ...backend.env };
  if (backend.kind === 'local' && backend.dataDir) {
    merged.ISMS_S3_EMULATED = 'true';
    const pem = await readFile(join(backend.dataDir, LOCAL_SIGNING_KEY_FILE), 'utf8').catch(() => undefined);
    if (pem) merged.ANCHOR_SIGNING_KEY = pem;
  }
  return merged;
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
  usage:
    'evidence verify <file.zip> [--key <file.pem|fingerprint>] [--offline|--online] [--require-anchors] [--allow-unanchored]',
  summary: 'Check an evidence bundle: every file hash, the event chain, and the signed anchors.',
  help: [
    'Recomputes the SHA-256 of every file, the whole hash chain of the event log and the hashes',
    'the events recorded (attachments included), checks the signature of every anchor, and compares',
    'the chain with the anchors. A closed cycle must hold a valid signed anchor for each milestone',
    'its log records. Any altered, removed, reordered or added file or event, and any anchor whose',
    'signature does not hold, fails, naming the place. Exit code 0 only when everything holds.',
    '  --key <k>           the anchoring public key to trust: a PEM file, or its fingerprint',
    '                      (SHA256:ab12 cd34 ...). A bundle signed by any other key fails. Without it',
    '                      the key inside the bundle is used and its fingerprint is printed: compare it',
    `                      with ${FINGERPRINT_SOURCES}.`,
    '  --online            compare with the anchors in the evidence bucket, every version of each',
    '                      (the default when the stack can be reached); an anchor written over or',
    '                      deleted fails',
    '  --offline           do not contact the backend; check the bundle and its anchor copies only',
    '  --require-anchors   fail unless the anchors in the evidence bucket were compared',
    '  --allow-unanchored  accept a closed cycle without a signed anchor per milestone (a bundle from',
    '                      an endpoint without Object Lock); the output says so loudly',
    '',
    BACKEND_HELP,
  ].join('\n'),
  options: {
    ...backendOptions,
    offline: { type: 'boolean' },
    online: { type: 'boolean' },
    key: { type: 'string' },
    'require-anchors': { type: 'boolean' },
    'allow-unanchored': { type: 'boolean' },
  },
  async run({ positionals, values, out, env }) {
    const [file, ...extra] = positionals;
    if (file === undefined || extra.length > 0) throw new UsageError('Give exactly one bundle file.');
    if (values.offline && values['require-anchors']) {
      throw new UsageError('--offline and --require-anchors contradict each other; give one.');
    }
    if (values.offline && values.online) {
      throw new UsageError('--offline and --online contradict each other; give one.');
    }
    const key = await trustedKey(values.key);
    let zip: Buffer;
    try {
      zip = await readFile(file);
    } catch (error) {
      const message = `cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`;
      out.error(message);
      out.result({ ok: false, error: message });
      return ExitCode.failed;
    }
    const options = {
      key,
      allowUnanchored: values['allow-unanchored'] === true,
    };
    const first = verifyBundle(zip, options);
    let anchors: AnchorCheck | undefined;
    const problems: { place: string; message: string }[] = [];
    if (first.cycleId && !values.offline) {
      try {
        const contract = await stackEnv(values, env);
        const { anchorStoreFor } = await import('#shared/adapters/evidence-source.ts');
        const store = anchorStoreFor(contract);
        anchors = { kind: 'stored', anchors: await store.list(first.cycleId), location: store.location };
      } catch (error) {
        if (error instanceof InvalidAnchor) {
          // The store answered, and what it holds under anchors/ is wrong: that is a finding.
          problems.push({ place: 'anchors in the evidence bucket', message: error.message });
          anchors = { kind: 'stored', anchors: [], location: 'the evidence bucket' };
        } else {
          const cause = rootCause(error as Error);
          anchors = { kind: 'unreachable', reason: `${cause.name}: ${cause.message}` };
        }
      }
    }
    const result = first.cycleId ? verifyBundle(zip, { ...options, anchors }) : first;
    result.problems.push(...problems);
    let ok = result.ok && problems.length === 0;
    const mustCompare = values['require-anchors'] === true || values.online === true;
    if (mustCompare && (anchors?.kind !== 'stored' || anchors.anchors.length === 0)) {
      ok = false;
      const flag = values.online ? '--online' : '--require-anchors';
      result.problems.push({
        place: 'anchors',
        message:
          anchors?.kind === 'unreachable'
            ? `${flag}: the evidence bucket could not be reached (${anchors.reason})`
            : `${flag}: no anchors are stored for this cycle`,
      });
    }
    for (const line of formatVerification({ ...result, ok })) out.say(line);
    out.result({ ...result, ok, anchorsCompared: anchors?.kind === 'stored' });
    if (result.key?.source === 'bundle' && out.json === false) {
      out.error(
        `evidence verify: the signatures were checked with the key inside the bundle, ${formatFingerprint(result.key.fingerprint)}; compare it with ${FINGERPRINT_SOURCES}, or pass --key`,
      );
    }
    if (!ok && out.json === false) out.error(`evidence verify: ${file} did NOT verify`);
    return ok ? ExitCode.ok : ExitCode.failed;
  },
};

/** --key: a fingerprint as typed, or a PEM file. */
async function trustedKey(value: string | boolean | undefined): Promise<TrustedKey | undefined> {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new UsageError('--key needs a PEM public key file or a fingerprint (SHA256:ab12 cd34 ...).');
  }
  if (parseFingerprint(value)) return { fingerprint: value };
  try {
    return { pem: await readFile(value, 'utf8'), source: value };
  } catch (error) {
    throw new UsageError(
      `--key ${value}: not a fingerprint (64 hex characters) and not a readable file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
    );
  }
}

export const evidenceKey: Command = {
  words: ['evidence', 'key'],
  usage: 'evidence key',
  summary: 'Print the fingerprint and public key (PEM) of the key that signs the anchors.',
  help: [
    'The anchoring key signs every anchor of the event chain; only the anchoring step may use it.',
    'Give the fingerprint to your auditor through a channel other than the evidence bundle (it is',
    'also a stack output and named in the package email to top management); the auditor passes',
    'it to `evidence verify --key`. On AWS this reads the KMS key ANCHOR_SIGNING_KEY_ID (the stack',
    'output AnchorSigningKeyArn) with kms:GetPublicKey; locally the key in the data folder.',
    '',
    BACKEND_HELP,
  ].join('\n'),
  options: { ...backendOptions },
  async run({ positionals, values, out, env }) {
    if (positionals.length > 0) throw new UsageError('evidence key takes no arguments.');
    const contract = await stackEnv(values, env);
    const { anchorSignerFromEnv } = await import('#shared/adapters/anchor-signer-env.ts');
    const key = await anchorKeyOf(anchorSignerFromEnv(contract));
    out.say(`Anchoring key fingerprint: ${formatFingerprint(key.fingerprint)}`);
    out.say(key.pem.trimEnd());
    out.result({
      ok: true,
      fingerprint: key.fingerprint,
      display: formatFingerprint(key.fingerprint),
      pem: key.pem,
    });
    return ExitCode.ok;
  },
};
