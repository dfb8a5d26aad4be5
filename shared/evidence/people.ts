/**
 * Names for the ids and addresses in the evidence bundle. The records name people by their
 * programme id (`ciso`) and mail by address; an auditor reads names. Every CSV of the bundle puts
 * the name beside the id, from the programme version the cycle ran under (programme.json).
 */
import * as z from 'zod';

/** The part of a stored programme document this reads; anything else in it is left alone. */
const PeopleOfProgramme = z.looseObject({
  people: z.optional(
    z.array(z.looseObject({ id: z.string(), name: z.string(), email: z.optional(z.string()) })),
  ),
});

export class Directory {
  private readonly byId = new Map<string, string>();
  private readonly byAddress = new Map<string, string>();

  /** From a programme document as stored (absent or unreadable: no names, ids stay as they are). */
  constructor(document: unknown) {
    const parsed = PeopleOfProgramme.safeParse(document);
    for (const person of (parsed.success ? parsed.data.people : undefined) ?? []) {
      this.byId.set(person.id, person.name);
      if (person.email) this.byAddress.set(person.email.toLowerCase(), person.name);
    }
  }

  /** The name of a person id (`system` is the system itself); '' for no id, the id when unknown. */
  name(id: string | null | undefined): string {
    if (!id) return '';
    if (id === 'system') return 'the system';
    return this.byId.get(id) ?? id;
  }

  /** The names of several ids, separated as lists are in the bundle's CSVs. */
  names(ids: readonly unknown[] | unknown): string {
    return Array.isArray(ids) ? ids.map((id) => this.name(String(id))).join(LIST_SEPARATOR) : '';
  }

  /** The name of the person with this address; '' when the address is not a person of the programme. */
  nameOfAddress(address: unknown): string {
    return typeof address === 'string' ? (this.byAddress.get(address.toLowerCase()) ?? '') : '';
  }

  /** The names of several addresses; an address that is nobody's stays as it is. */
  namesOfAddresses(addresses: readonly unknown[] | unknown): string {
    return Array.isArray(addresses)
      ? addresses.map((a) => this.nameOfAddress(a) || String(a)).join(LIST_SEPARATOR)
      : '';
  }

  /** "Grace Lindqvist (ciso)", or the id alone when it has no other name. */
  label(id: string | null | undefined): string {
    const name = this.name(id);
    return name && name !== id ? `${name} (${String(id)})` : (id ?? '');
  }
}

/** How the bundle's CSVs separate the items of a list within one cell. */
export const LIST_SEPARATOR = '; ';
