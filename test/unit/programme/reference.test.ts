import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { allInputKeys } from '#shared/catalogue/catalogue.ts';
import { renderConfigurationReference } from '#shared/programme/reference.ts';
import { ProgrammeSchema } from '#shared/programme/schema.ts';

const docPath = fileURLToPath(new URL('../../../docs/configuration.md', import.meta.url));

interface Node {
  properties?: Record<string, Node>;
  items?: Node;
  type?: string;
  description?: string;
}

/** Every field path of the schema, e.g. `people[].email`, with its description. */
function fields(node: Node, prefix = ''): { path: string; description?: string }[] {
  return Object.entries(node.properties ?? {}).flatMap(([name, child]) => {
    const path = prefix ? `${prefix}.${name}` : name;
    const nested =
      child.type === 'array' && child.items?.type === 'object'
        ? fields(child.items, `${path}[]`)
        : fields(child, path);
    return [{ path, description: child.description }, ...nested];
  });
}

describe('configuration reference', () => {
  const rendered = renderConfigurationReference();

  it('every field of the schema has a description, and the reference documents it', () => {
    const all = fields(z.toJSONSchema(ProgrammeSchema, { io: 'input', unrepresentable: 'any' }) as Node);
    expect(all.length).toBeGreaterThan(30);
    for (const field of all) {
      expect(field.description, field.path).toBeTruthy();
      const shown =
        field.path.includes('.') || field.path.includes('[') ? `\`${field.path}\`` : `### \`${field.path}\``;
      expect(rendered, field.path).toContain(shown);
    }
  });

  it('lists every input key of every standard', () => {
    for (const key of allInputKeys) expect(rendered).toContain(`- \`${key}\`: `);
  });

  it('docs/configuration.md is up to date (run `npm run docs` after changing the schema or catalogues)', () => {
    const onDisk = readFileSync(docPath, 'utf8');
    expect(
      onDisk === rendered,
      'docs/configuration.md is out of date: run `npm run docs` to regenerate it',
    ).toBe(true);
  });
});
