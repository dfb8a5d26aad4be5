/**
 * The minutes as archived: every version rendered once (HTML and PDF in the evidence bucket) and
 * recorded in a `minutes.rendered` event. The chair's approval request and the distribution after
 * it both attach the latest version's PDF from here.
 */
import type { Cycle } from '../model/cycle.ts';
import type { Programme } from '../programme/schema.ts';
import { NotFound } from '../store/repository.ts';
import type { ArchivedMinutes, ArchivingDeps } from './ports.ts';
import { SYSTEM, iso } from './cycle-state.ts';

/**
 * Renders every version of the minutes not yet archived (HTML and PDF in the evidence bucket) and
 * records each in a `minutes.rendered` event with the files' SHA-256, which the evidence bundle
 * checks them against. Returns the PDF of the latest version, for the distribution email. Run again
 * after a crash, it renders only what has no event yet; the rendering of a record is the same each
 * time, so a file written twice holds the same bytes.
 */
export async function archiveMinutes(
  deps: ArchivingDeps,
  cycle: Cycle,
  programme: Programme,
): Promise<Buffer> {
  const versions = await deps.repo.listMinutes(cycle.id);
  const latest = versions.at(-1);
  if (!latest)
    throw new NotFound('minutes', cycle.id, 'the workflow records outcomes only after minutes are accepted');
  const archived = new Map<number, ArchivedMinutes>();
  for (const event of await deps.repo.listEvents(cycle.id)) {
    if (event.type === 'minutes.rendered') {
      const data = event.data as unknown as ArchivedMinutes;
      archived.set(data.version, data);
    }
  }
  const context = {
    personName: (id: string) => programme.people.find((p) => p.id === id)?.name,
    organisation: programme.organisation.name,
  };
  for (const record of versions) {
    if (archived.has(record.version)) continue;
    const files = await deps.packages.archiveMinutes(record, context);
    await deps.repo.appendEvent(cycle.id, {
      type: 'minutes.rendered',
      at: iso(deps.clock.now()),
      actor: SYSTEM,
      data: { ...files },
    });
    archived.set(record.version, files);
  }
  return deps.packages.loadMinutesPdf(archived.get(latest.version)!);
}
