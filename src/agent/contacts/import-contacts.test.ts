import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../resilience/index.ts';
import { SqliteCallQueue } from '../../queue/index.ts';
import { ContactsFileError } from './contacts-file-error.ts';
import { importContacts } from './import-contacts.ts';

const dir = mkdtempSync(join(tmpdir(), 'contacts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `lines` joined by `eol` to a fresh file and returns its path. */
function csvFile(name: string, lines: string[], eol = '\n', prefix = ''): string {
  const path = join(dir, name);
  writeFileSync(path, prefix + lines.join(eol) + eol);
  return path;
}

/** One row per reason, on known lines. */
const BAD_ROWS = [
  'id,name,phone', // 1
  'a,Alice,(415) 555-0123', // 2
  'b,,+14155550124', // 3 missing name
  'c,Bob,', // 4 missing phone
  'd,Carl,12345', // 5 invalid phone
  'a,Dana,+14155550125', // 6 duplicate id
  ',Eve,415.555.0123', // 7 duplicate phone
  'f,Finn,+1 415 555 0126', // 8 good
];
const BAD_ROW_MESSAGES = [
  'contacts.csv:3: missing name',
  'contacts.csv:4: missing phone',
  'contacts.csv:5: invalid phone number "12345"',
  'contacts.csv:6: duplicate id "a" (first seen on line 2)',
  'contacts.csv:7: duplicate phone +1415***0123 (first seen on line 2)',
];

describe('importContacts', () => {
  it('reads every column, normalizes phones to E.164 and ignores unknown columns', async () => {
    const path = csvFile('good.csv', [
      'id,name,phone,company,notes,language,favourite colour',
      'c1,Alice Smith,(415) 555-0123,Acme,prefers mornings,en-US,blue',
      'c2,  Bob Jones  , +44 20 7946 0958 ,,,,',
    ]);
    const { contacts, errors, enqueued } = await importContacts({ path });
    expect(errors).toEqual([]);
    expect(enqueued).toBeUndefined();
    expect(contacts).toEqual([
      {
        id: 'c1',
        name: 'Alice Smith',
        phone: '+14155550123',
        company: 'Acme',
        notes: 'prefers mornings',
        language: 'en-US',
        line: 2,
      },
      {
        id: 'c2',
        name: 'Bob Jones',
        phone: '+442079460958',
        company: undefined,
        notes: undefined,
        language: undefined,
        line: 3,
      },
    ]);
  });

  it('derives the id from the phone when the row has none', async () => {
    const path = csvFile('no-id.csv', [
      'Name,Phone,ID',
      'Alice,(415) 555-0123,',
      'Bob,4155550124,x',
    ]);
    const { contacts } = await importContacts({ path });
    expect(contacts.map((c) => c.id)).toEqual(['phone:+14155550123', 'x']);
  });

  it('reports each bad row with its line and reason, and keeps the good ones', async () => {
    const path = csvFile('contacts.csv', BAD_ROWS);
    const { contacts, errors } = await importContacts({ path });
    expect(errors.map((e) => e.formatted)).toEqual(BAD_ROW_MESSAGES);
    expect(errors[2]).toEqual({
      line: 5,
      message: 'invalid phone number "12345"',
      formatted: 'contacts.csv:5: invalid phone number "12345"',
    });
    expect(contacts.map((c) => [c.line, c.id, c.phone])).toEqual([
      [2, 'a', '+14155550123'],
      [8, 'f', '+14155550126'],
    ]);
  });

  it('reads CRLF files and a byte order mark the same way', async () => {
    const path = join(dir, 'contacts.csv');
    for (const [eol, prefix] of [
      ['\r\n', ''],
      ['\n', '\uFEFF'],
      ['\r\n', '\uFEFF'],
    ] as const) {
      csvFile('contacts.csv', BAD_ROWS, eol, prefix);
      const { contacts, errors } = await importContacts({ path });
      expect(errors.map((e) => e.formatted)).toEqual(BAD_ROW_MESSAGES);
      expect(contacts.map((c) => c.line)).toEqual([2, 8]);
    }
  });

  it('counts the lines of a quoted field spanning several lines', async () => {
    for (const eol of ['\n', '\r\n']) {
      const path = csvFile(
        'multi.csv',
        [
          'name,phone,notes', // 1
          'Alice,(415) 555-0123,"call after 5pm', // 2
          'ask for the ""manager""', // 3
          'thanks"', // 4
          '', // 5
          'Bob,555,x', // 6 invalid phone
          '"Carl', // 7
          'Jr.",,"x"', // 8 missing phone
          'Dana,4155550124,', // 9
        ],
        eol,
      );
      const { contacts, errors } = await importContacts({ path });
      expect(errors.map((e) => e.formatted)).toEqual([
        'multi.csv:6: invalid phone number "555"',
        'multi.csv:7: missing phone',
      ]);
      expect(contacts.map((c) => [c.name, c.line])).toEqual([
        ['Alice', 2],
        ['Dana', 9],
      ]);
      expect(contacts[0]?.notes).toBe(
        ['call after 5pm', 'ask for the "manager"', 'thanks'].join(eol),
      );
    }
  });

  it('skips blank lines and rows of empty cells, keeping line numbers true', async () => {
    const path = csvFile('gaps.csv', [
      '',
      'name,phone',
      '',
      '   ',
      ',',
      'Alice,',
      'Bob,4155550124',
    ]);
    const { contacts, errors } = await importContacts({ path });
    expect(errors.map((e) => e.formatted)).toEqual(['gaps.csv:6: missing phone']);
    expect(contacts.map((c) => c.line)).toEqual([7]);
  });

  it('reports lines that malformed quoting made unreadable, and reads the rest', async () => {
    const path = csvFile('quotes.csv', [
      'name,phone', // 1
      'Alice,4155550121', // 2
      '"Bob"x,4155550122', // 3 text after a closing quote
      'Carl,4155550123', // 4
      'Dana,"4155550124', // 5 never closed: the rest is inside the quote
      'Eve,4155550125', // 6
    ]);
    const { contacts, errors } = await importContacts({ path });
    expect(contacts.map((c) => c.name)).toEqual(['Alice']);
    expect(errors.map((e) => e.formatted)).toEqual([
      'quotes.csv:3: malformed CSV (text after a closing quote; lines 3-6 not read)',
    ]);

    const unclosed = csvFile('unclosed.csv', [
      'name,phone',
      'Alice,4155550121',
      'Dana,"x',
      'Eve,1',
    ]);
    const second = await importContacts({ path: unclosed });
    expect(second.errors.map((e) => e.formatted)).toEqual([
      'unclosed.csv:3: malformed CSV (a quoted field is never closed; lines 3-4 not read)',
    ]);
    expect(second.contacts.map((c) => c.name)).toEqual(['Alice']);
  });

  it("masks an invalid number long enough to be a person's, and shortens a huge cell", async () => {
    const huge = `+1 ${'9'.repeat(200_000)}`;
    const path = csvFile('odd.csv', [
      'name,phone',
      'Ann,(415) 555-01234',
      `Bob,${huge}`,
      'Cid,call me',
    ]);
    const { errors } = await importContacts({ path });
    expect(errors.map((e) => e.message)).toEqual([
      'invalid phone number "(415) 5**-*1234"',
      'invalid phone number "+1 999******…" (200003 characters)',
      'invalid phone number "call me"',
    ]);
  });

  it('accepts a stray quote inside an unquoted field', async () => {
    const path = csvFile('stray.csv', ['name,phone', 'Ca"rl,4155550121', 'Dana,4155550124']);
    const { contacts, errors } = await importContacts({ path });
    expect(errors).toEqual([]);
    expect(contacts.map((c) => c.name)).toEqual(['Ca"rl', 'Dana']);
  });

  it('uses the default region for numbers without a country code', async () => {
    const path = csvFile('uk.csv', ['name,phone', 'Alice,020 7946 0958', 'Bob,+1 415 555 0123']);
    const uk = await importContacts({ path }, { defaultRegion: 'GB' });
    expect(uk.contacts.map((c) => c.phone)).toEqual(['+442079460958', '+14155550123']);
    const us = await importContacts({ path });
    expect(us.errors.map((e) => e.message)).toEqual(['invalid phone number "020 7*** 0958"']);
    await expect(importContacts({ path }, { defaultRegion: 'XX' as 'GB' })).rejects.toThrow(
      RangeError,
    );
  });

  it('refuses a file without a usable header, naming the column', async () => {
    const noPhone = csvFile('no-phone.csv', ['name,email', 'Alice,a@example.com']);
    const error = await importContacts({ path: noPhone }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContactsFileError);
    expect((error as ContactsFileError).message).toMatch(
      /^no-phone\.csv:1: the header row has no "phone" column/,
    );

    const dataFirst = csvFile('data-first.csv', ['Alice,(415) 555-0123']);
    await expect(importContacts({ path: dataFirst })).rejects.toThrow(
      'the header row has no "name" and "phone" column',
    );
    await expect(importContacts({ path: csvFile('empty.csv', ['']) })).rejects.toThrow(/empty/);
    await expect(importContacts({ path: join(dir, 'missing.csv') })).rejects.toBeInstanceOf(
      ContactsFileError,
    );
    const headerOnly = await importContacts({ path: csvFile('header.csv', ['name,phone']) });
    expect(headerOnly).toEqual({ contacts: [], errors: [], enqueued: undefined });
  });

  it('refuses a file that is not UTF-8, naming the first bad line, and enqueues nothing', async () => {
    const queue = new SqliteCallQueue({ path: ':memory:', clock: new VirtualClock() });
    try {
      const latin1 = Buffer.concat([
        Buffer.from('id,name,phone,notes\na,Alice,4155550121,caf\xc3\xa9 ok\n', 'latin1'),
        Buffer.from('b,Jos\xe9,4155550122,\n', 'latin1'), // line 3: é in Latin-1
        Buffer.from('c,Ren\xe9e,4155550123,\n', 'latin1'),
      ]);
      const path = join(dir, 'latin1.csv');
      writeFileSync(path, latin1);
      const error = await importContacts({ path }, { queue }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ContactsFileError);
      expect((error as Error).message).toMatch(
        /^latin1\.csv:3: not valid UTF-8\b.*save it as UTF-8/,
      );
      expect(await queue.list()).toEqual([]);
      const utf16 = Buffer.from('\uFEFFname,phone\r\nAlice,4155550121\r\n', 'utf16le');
      writeFileSync(join(dir, 'utf16.csv'), utf16);
      await expect(importContacts({ path: join(dir, 'utf16.csv') })).rejects.toThrow(
        /^utf16\.csv:1: not valid UTF-8/,
      );
    } finally {
      await queue.close();
    }
  });

  it('reads text without a file name, formatting lines as "line N"', async () => {
    const { errors } = await importContacts({ text: 'name,phone\nAlice,1\n,4155550124\n' });
    expect(errors.map((e) => e.formatted)).toEqual([
      'line 2: invalid phone number "1"',
      'line 3: missing name',
    ]);
  });

  it('enqueues the valid contacts, counting those already queued as duplicates', async () => {
    const queue = new SqliteCallQueue({ path: ':memory:', clock: new VirtualClock() });
    try {
      const path = csvFile('queue.csv', BAD_ROWS);
      const first = await importContacts({ path }, { queue });
      expect(first.enqueued).toEqual({ added: 2, duplicates: 0, conflicts: [] });
      const noIds = csvFile('no-ids.csv', ['name,phone', 'Finn,+14155550126', 'Gus,+14155550127']);
      const second = await importContacts({ path: noIds }, { queue });
      expect(second.enqueued).toMatchObject({ added: 1, duplicates: 0 });
      expect(second.errors.map((e) => e.formatted)).toEqual([
        'no-ids.csv:2: +1415***0126 already queued as f',
      ]);
      const third = await importContacts({ path: noIds }, { queue });
      expect(third.enqueued).toEqual({
        added: 0,
        duplicates: 1,
        conflicts: [second.enqueued!.conflicts[0]],
      });
      expect((await queue.list()).map((s) => s.id)).toEqual(['a', 'f', 'phone:+14155550127']);
    } finally {
      await queue.close();
    }
  });

  it('never queues one person twice: reports each refused row on its line, phones masked', async () => {
    const queue = new SqliteCallQueue({ path: ':memory:', clock: new VirtualClock() });
    try {
      const f1 = csvFile('f1.csv', [
        'id,name,phone',
        'a,Alice,4155550177',
        'c,Carl,4155550178',
        ',Eve,4155550190',
      ]);
      expect((await importContacts({ path: f1 }, { queue })).errors).toEqual([]);
      const f2 = csvFile('f2.csv', [
        'id,name,phone', // 1
        'b,Alice,(415) 555-0177', // 2 Alice again, under another id
        'c,Carl,4155550199', // 3 a known id with another number
        'd,Dana,4155550180', // 4 new
        'e,Eve,+1 415 555 0190', // 5 Eve, first queued without an id
        'x,Xena,12', // 6 invalid
      ]);
      const second = await importContacts({ path: f2 }, { queue });
      expect(second.errors.map((e) => e.formatted)).toEqual([
        'f2.csv:2: +1415***0177 already queued as a',
        'f2.csv:3: id "c" is already queued with another number',
        'f2.csv:5: +1415***0190 already queued as phone:+1415***0190',
        'f2.csv:6: invalid phone number "12"',
      ]);
      expect(second.enqueued).toMatchObject({ added: 1, duplicates: 0 });
      expect((await queue.list()).map((s) => s.id)).toEqual(['a', 'c', 'phone:+14155550190', 'd']);
    } finally {
      await queue.close();
    }
  });
});
