import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CSV_BOM, csvCell, parseCsv, toCsv } from './csv.js';

test('quotes commas, quotes and line breaks, and starts with a BOM', () => {
  const csv = toCsv(['name', 'note'], [['Doe, Jane', 'said "hi"'], ['Zoë', 'line1\nline2'], ['plain', null]]);
  assert.ok(csv.startsWith(CSV_BOM));
  assert.equal(csv, `${CSV_BOM}name,note\r\n"Doe, Jane","said ""hi"""\r\nZoë,"line1\nline2"\r\nplain,\r\n`);
});

test('parses back to the same rows', () => {
  const rows = [['a,b', 'c"d', 'e\r\nf'], ['', ' padded ', 'Łódź']];
  assert.deepEqual(parseCsv(toCsv(['x', 'y', 'z'], rows)), [['x', 'y', 'z'], ...rows]);
});

test('defuses spreadsheet formulas in text but not in numbers', () => {
  assert.equal(csvCell('=HYPERLINK("x")'), `"'=HYPERLINK(""x"")"`);
  assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
  assert.equal(csvCell(-3), '-3');
  assert.equal(csvCell(new Date('2026-01-02T03:04:05Z')), '2026-01-02T03:04:05.000Z');
});
