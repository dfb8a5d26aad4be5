/**
 * What the demo leaves to look at: the frozen package, the minutes, the actions, the event log and
 * the evidence bundle, each checked (package hash, one cycle.opened, the hash chain, the bundle).
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DynamoDbRepository } from '#shared/adapters/dynamodb-repository.ts';
import { exportEvidence } from '#shared/adapters/evidence-source.ts';
import { createAnchorStore } from '#shared/adapters/s3-anchor-store.ts';
import type { S3BlobStore } from '#shared/adapters/s3-blob-store.ts';
import { canonicalJson } from '#shared/model/canonical-json.ts';
import { verifyChain } from '#shared/evidence/hash-chain.ts';
import { bundleMailFiles } from '#shared/evidence/mail-kinds.ts';
import { formatVerification, verifyBundle } from '#shared/evidence/verify.ts';
import { writeFrozenPackage } from '#shared/package/render.ts';
import type { Cycle } from '#shared/model/cycle.ts';
import { DemoFailed, type Demo } from './people.ts';

export async function writeResults(
  demo: Demo,
  deps: { repo: DynamoDbRepository; evidence: S3BlobStore; dir: string },
  cycle: Cycle,
  mail: { readonly sent: number; readonly received: number },
) {
  const { repo, evidence, dir } = deps;
  const files: string[] = [];
  const write = async (name: string, body: string | Buffer) => {
    await writeFile(join(dir, name), body);
    files.push(name);
  };
  // The package as distributed: the newest frozen version, with its manifest and charts.
  const frozen = await writeFrozenPackage({
    blobs: evidence,
    cycleId: cycle.id,
    dir: join(dir, 'package'),
  });
  for (const name of ['package.html', 'package.pdf', 'package.txt']) {
    await copyFile(join(dir, 'package', name), join(dir, name));
    files.push(name);
  }
  if (frozen.contentHash !== cycle.packageHash) {
    throw new DemoFailed(
      `the package on file (${frozen.contentHash}) is not the one recorded (${cycle.packageHash})`,
    );
  }
  demo.say(`package v${frozen.version}, content SHA-256 ${frozen.contentHash}`);
  const minutes = await repo.getMinutes(cycle.id);
  if (minutes) {
    await write('minutes.yaml', `${minutes.sourceText}\n`);
    await write('minutes.json', `${JSON.stringify(minutes, null, 2)}\n`);
  }
  const actions = await repo.listActionsOfCycle(cycle.id);
  await write('actions.json', `${JSON.stringify(actions, null, 2)}\n`);
  const events = await repo.listEvents(cycle.id);
  await write('events.jsonl', events.map((event) => canonicalJson(event)).join('\n') + '\n');
  const opened = events.filter((event) => event.type === 'cycle.opened').length;
  if (opened !== 1) throw new DemoFailed(`the cycle was opened ${opened} times; expected once`);
  const chain = verifyChain(events);
  if (!chain.ok) throw new DemoFailed(`the cycle's event chain does not verify: ${JSON.stringify(chain)}`);
  demo.say(`event log: ${events.length} events, chain verified`);

  // The auditor's bundle, checked as `npx isms-review evidence verify` checks it (anchors included).
  const bundle = await exportEvidence({
    cycleId: cycle.id,
    out: join(dir, `evidence-${cycle.id}.zip`),
    env: process.env,
    clock: demo.clock,
  });
  const anchors = createAnchorStore({ env: process.env });
  const verified = verifyBundle(await readFile(bundle.path), {
    kind: 'stored',
    anchors: await anchors.list(cycle.id),
    location: anchors.location,
  });
  for (const line of formatVerification(verified)) demo.say(`evidence: ${line}`);
  if (!verified.ok) throw new DemoFailed('the evidence bundle does not verify');
  // The counts the demo prints are of the mail the bundle holds: every message sent and received, once.
  const held = bundleMailFiles(bundle.manifest.files);
  if (held.sent !== mail.sent || held.received !== mail.received) {
    throw new DemoFailed(
      `the evidence bundle holds ${held.sent} sent and ${held.received} received messages, but the cycle sent ${mail.sent} and received ${mail.received}`,
    );
  }
  demo.say(`evidence: the bundle holds all ${held.sent} messages sent and ${held.received} received`);
  files.push(`evidence-${cycle.id}.zip`);
  return files;
}
