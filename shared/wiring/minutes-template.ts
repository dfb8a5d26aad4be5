/**
 * The minutes template the minutes request and the package's minutes form carry. A module of its own:
 * whatever imports it bundles the minutes and catalogue modules, which other notifiers do not need.
 */
import type { NotifierOptions } from '../notify/envelope.ts';

/** The minutes template for the ISMS manager, rendered with the programme's input catalogue. */
export async function minutesTemplateOption(): Promise<NonNullable<NotifierOptions['minutesTemplate']>> {
  // Loaded when the notifier is first built rather than when the handler's module is.
  const [{ renderMinutesTemplate }, { programmeCatalogue }] = await Promise.all([
    import('../minutes/template.ts'),
    import('../programme/queries.ts'),
  ]);
  return (cycle, programme) =>
    renderMinutesTemplate({ programme, cycle, catalogue: programmeCatalogue(programme) });
}
