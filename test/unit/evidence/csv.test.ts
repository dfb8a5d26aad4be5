import { describe, it, expect } from 'vitest';
import { toCsv } from '#shared/evidence/csv.ts';

describe('toCsv', () => {
  it('quotes commas, quotes and line breaks, and ends lines with CRLF', () => {
    expect(toCsv([{ a: 'x,y', b: 'say "hi"', c: 'two\nlines' }])).toBe(
      'a,b,c\r\n"x,y","say ""hi""","two\nlines"\r\n',
    );
  });

  it('prefixes text a spreadsheet would run as a formula, but not numbers', () => {
    expect(toCsv([{ a: '=1+1', b: '+31 20', c: '-x', d: '@SUM(A1)', e: -3, f: '\tx' }])).toBe(
      "a,b,c,d,e,f\r\n'=1+1,'+31 20,'-x,'@SUM(A1),-3,'\tx\r\n",
    );
  });

  it('writes absent values empty, objects as JSON, and the header for an empty list', () => {
    expect(toCsv([{ a: null, b: undefined, c: { k: [1] }, d: true }], ['a', 'b', 'c', 'd'])).toBe(
      'a,b,c,d\r\n,,"{""k"":[1]}",true\r\n',
    );
    expect(toCsv([], ['seq', 'at'])).toBe('seq,at\r\n');
  });

  it('takes the columns from every row in order of first appearance', () => {
    expect(toCsv([{ a: 1 }, { b: 2, a: 3 }])).toBe('a,b\r\n1,\r\n3,2\r\n');
  });
});
