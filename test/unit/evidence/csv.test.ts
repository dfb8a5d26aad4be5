import { describe, it, expect } from 'vitest';
import { toCsv, UTF8_BOM } from '#shared/evidence/csv.ts';

/** The CSV without its byte-order mark (checked once, below). */
const body = (csv: string) => {
  expect(csv.startsWith(UTF8_BOM)).toBe(true);
  return csv.slice(UTF8_BOM.length);
};

describe('toCsv', () => {
  it('quotes commas, quotes and line breaks, and ends lines with CRLF', () => {
    expect(body(toCsv([{ a: 'x,y', b: 'say "hi"', c: 'two\nlines' }]))).toBe(
      'a,b,c\r\n"x,y","say ""hi""","two\nlines"\r\n',
    );
  });

  it('starts with a UTF-8 byte-order mark, so Excel on Windows shows names right', () => {
    const bytes = Buffer.from(toCsv([{ name: 'Zoë Ødegård' }]), 'utf8');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8')).toBe('name\r\nZoë Ødegård\r\n');
  });

  it('prefixes text a spreadsheet would run as a formula, but not numbers', () => {
    expect(body(toCsv([{ a: '=1+1', b: '+31 20', c: '-x', d: '@SUM(A1)', e: -3, f: '\tx' }]))).toBe(
      "a,b,c,d,e,f\r\n'=1+1,'+31 20,'-x,'@SUM(A1),-3,'\tx\r\n",
    );
  });

  it('prefixes formulas after leading whitespace and in full-width forms', () => {
    const cells = {
      spaces: '  =HYPERLINK("http://x")',
      nbsp: '\u00a0+1',
      ideographic: '\u3000-1',
      newline: '\n=1',
      fullEquals: '＝1+1',
      fullPlus: '＋1',
      fullMinus: '－1',
      fullAt: '＠SUM(A1)',
    };
    const [, row] = body(toCsv([cells])).split('\r\n');
    const values = row!.match(/("([^"]|"")*"|[^,]*)/g)!.filter((v) => v !== '');
    expect(values).toHaveLength(8);
    for (const value of values) expect(value.replace(/^"/, '')).toMatch(/^'/);
  });

  it('prefixes text holding a bidirectional control character anywhere', () => {
    for (const control of ['\u202e', '\u2066', '\u200f', '\u061c']) {
      expect(body(toCsv([{ a: `invoice${control}fdp.exe` }]))).toBe(`a\r\n'invoice${control}fdp.exe\r\n`);
    }
  });

  it('leaves ordinary text alone, a dash inside it included', () => {
    expect(body(toCsv([{ a: 'risk owner - CISO', b: 'a=b', c: 'Zoë' }]))).toBe(
      'a,b,c\r\nrisk owner - CISO,a=b,Zoë\r\n',
    );
  });

  it('writes absent values empty, objects as JSON, and the header for an empty list', () => {
    expect(body(toCsv([{ a: null, b: undefined, c: { k: [1] }, d: true }], ['a', 'b', 'c', 'd']))).toBe(
      'a,b,c,d\r\n,,"{""k"":[1]}",true\r\n',
    );
    expect(body(toCsv([], ['seq', 'at']))).toBe('seq,at\r\n');
  });

  it('takes the columns from every row in order of first appearance', () => {
    expect(body(toCsv([{ a: 1 }, { b: 2, a: 3 }]))).toBe('a,b\r\n1,\r\n3,2\r\n');
  });
});
