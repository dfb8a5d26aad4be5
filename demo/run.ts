/**
 * `npm run demo`: one whole review cycle on an ephemeral local stack, in accelerated time.
 *
 * It starts the local stack in memory on free ports (DynamoDB Local, local SES, local S3, the inbound
 * SMTP server handing every message to the same ingest code as the SES receipt rule), applies
 * programme.example.yaml, runs the synthesized state machine on the local Step Functions runtime,
 * and fires the quarterly schedule through the schedule's own target (the start-cycle handler).
 * Simulated people read what the system sends them and answer by real SMTP, like mail clients would:
 *
 *   risk-owner, ciso and alice  answer their input requests at once (alice quotes the request below)
 *   auditor                     answers late: after the first reminder
 *   customer-lead               never answers (reminders, escalation, NOT PROVIDED)
 *   alice (ISMS manager)        replies to the minutes request once the meeting has ended: two actions
 *   ciso                        replies DONE to the first reminder about the action
 *   cto                         ignores the action until it is escalated to top management
 *   ceo (chair)                 replies to that escalation: RESCHEDULE with a new date
 *   cto                         replies DONE to the chair's decision
 *
 * Time moves only while the workflow is idle and no reply is in flight, so the story is the same
 * however fast the machine is. Everything worth looking at is written to demo-output/; the last line
 * of output is one JSON object with the cycle id, its final status and the email counts (every
 * message sent, by kind, and the replies received: the mail of the evidence bundle).
 *
 * runCycle() (demo/cycle.ts) is the same story without the command around it: `npm run bench` runs it
 * to count what a real cycle costs (state transitions, Lambda invocations and their duration).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCycle } from './cycle.ts';

export { countEmails, DemoFailed, runCycle, type CycleRun, type CycleRunOptions } from './cycle.ts';

const OUTPUT_DIR = 'demo-output';

export async function runDemo(): Promise<Record<string, unknown>> {
  const run = await runCycle({ outputDir: OUTPUT_DIR, writeResults: true });
  console.log(
    `Wrote ${OUTPUT_DIR}/: mail/ (every email sent, .eml), replies/ (every reply, .eml), ${run.files.join(', ')}`,
  );
  // emails: every message sent, by kind, adding up to `total`; with repliesReceived, exactly the
  // mail the evidence bundle holds (writeResults checks it).
  const summary = {
    cycleId: run.cycle.id,
    status: run.cycle.phase,
    emails: run.emails,
    repliesReceived: run.repliesReceived,
    evidenceBundle: `evidence-${run.cycle.id}.zip`,
    outputDir: OUTPUT_DIR,
  };
  await writeFile(join(OUTPUT_DIR, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

// `npm run demo` (tsx demo/run.ts); importing this module runs nothing.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = Date.now();
  runDemo().then(
    (summary) => {
      console.log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
      console.log(JSON.stringify(summary));
      process.exit(0);
    },
    (error: unknown) => {
      console.error(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
      process.exit(1);
    },
  );
}
