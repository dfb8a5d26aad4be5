/**
 * The package as plain text: the email's text alternative, the same outline as the HTML and the
 * PDF. Charts appear as their description (the alt text) followed by their data table.
 */
import { clean } from '../mail/templates/document.ts';
import type { OutlineBlock, PackageOutline } from './outline.ts';

const indent = (text: string, by: string) => text.replace(/\n/g, `\n${by}`);

function block(b: OutlineBlock): string {
  switch (b.kind) {
    case 'p':
      return (b.tone === 'alert' ? '>> ' : '') + clean(b.text) + (b.strong ? ':' : '');
    case 'subheading':
      return `${clean(b.text)}${b.flag ? ` [${clean(b.flag)}]` : ''}`;
    case 'list':
      return b.items
        .map((item, i) => `${b.ordered ? `${i + 1}.` : '-'} ${indent(clean(item), '  ')}`)
        .join('\n');
    case 'facts':
      return b.rows.map(([label, value]) => `${clean(label)}: ${indent(clean(value), '  ')}`).join('\n');
    case 'table':
      return b.rows
        .map(
          (row) =>
            (row.tone === 'alert' ? '! ' : '- ') +
            row.cells
              .map((cell, i) => `${clean(b.columns[i] ?? '')}: ${indent(clean(cell), '    ')}`)
              .join(' | '),
        )
        .join('\n');
    case 'chart':
      return `[Chart] ${clean(b.alt)}`;
    case 'quote':
      return `  | ${clean(b.text).replace(/\n/g, '\n  | ')}`;
  }
}

export function packageText(outline: PackageOutline): string {
  const parts = [clean(outline.title), clean(outline.subtitle)];
  for (const section of outline.sections) {
    const title = clean(section.title);
    parts.push(`${title}\n${'='.repeat(Math.min(72, [...title].length))}`);
    parts.push(...section.blocks.map(block));
  }
  parts.push(`-- \n${clean(outline.footer)}`);
  return `${parts.join('\n\n')}\n`;
}
