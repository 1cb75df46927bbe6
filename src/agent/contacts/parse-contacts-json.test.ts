import { afterEach, describe, expect, it } from 'vitest';
import { SqliteCallQueue } from '../../queue/index.ts';
import { VirtualClock } from '../../resilience/index.ts';
import { importContacts } from './import-contacts.ts';
import { parseContactsCsv } from './parse-contacts-csv.ts';

const queues: SqliteCallQueue[] = [];
afterEach(async () => {
  await Promise.all(queues.splice(0).map((queue) => queue.close()));
});

describe('contacts as JSON items', () => {
  it('follow the rules of a CSV row: the same contacts, the same reasons', async () => {
    const items = [
      { id: 'a', name: 'Alice', phone: '(415) 555-0123', company: 'Acme', colour: 'blue' },
      { id: 'b', name: '', phone: '+14155550124' },
      { id: 'c', name: 'Bob' },
      { id: 'd', name: 'Carl', phone: '12345' },
      { id: 'a', name: 'Dana', phone: '+14155550125' },
      { name: 'Eve', phone: '415.555.0123' },
      { id: 'f', name: '  Finn  ', phone: '+1 415 555 0126', notes: null },
    ];
    const csv = parseContactsCsv(
      [
        'id,name,phone,company',
        'a,Alice,(415) 555-0123,Acme',
        'b,,+14155550124,',
        'c,Bob,,',
        'd,Carl,12345,',
        'a,Dana,+14155550125,',
        ',Eve,415.555.0123,',
        'f,  Finn  ,+1 415 555 0126,',
      ].join('\n'),
    );
    const json = await importContacts({ items });
    const withoutLine = <T extends { line: number }>({ line: _line, ...rest }: T) => rest;
    expect(json.contacts.map(withoutLine)).toEqual(csv.contacts.map(withoutLine));
    // a CSV's first contact is on line 2 (after the header), an array's is item 1
    expect(json.errors.map((e) => e.message)).toEqual([
      ...csv.errors.slice(0, 3).map((e) => e.message),
      'duplicate id "a" (first seen on line 1)',
      'duplicate phone +1415***0123 (first seen on line 1)',
    ]);
    expect(csv.errors.slice(3).map((e) => e.message)).toEqual([
      'duplicate id "a" (first seen on line 2)',
      'duplicate phone +1415***0123 (first seen on line 2)',
    ]);
    // an item's line is its place in the array
    expect(json.errors.map((e) => e.line)).toEqual([2, 3, 4, 5, 6]);
    expect(json.contacts.map((c) => c.line)).toEqual([1, 7]);
  });

  it('rejects an item that is not an object, and a field that is not a string', async () => {
    const { contacts, errors } = await importContacts({
      items: [
        'Alice',
        null,
        [1],
        { name: 'Bob', phone: 14155550123 },
        { name: 'Cy', phone: '+14155550199' },
      ],
    });
    expect(errors.map((e) => e.formatted)).toEqual([
      'line 1: not a contact: expected an object with name and phone',
      'line 2: not a contact: expected an object with name and phone',
      'line 3: not a contact: expected an object with name and phone',
      'line 4: "phone" must be a string',
    ]);
    expect(contacts.map((c) => c.id)).toEqual(['phone:+14155550199']);
  });

  it('are enqueued like a CSV: duplicates counted, a number queued under another id refused', async () => {
    const queue = new SqliteCallQueue({ path: ':memory:', clock: new VirtualClock() });
    queues.push(queue);
    await importContacts({ items: [{ id: 'a', name: 'Alice', phone: '+14155550123' }] }, { queue });
    const again = await importContacts(
      {
        items: [
          { id: 'a', name: 'Alice', phone: '+14155550123' },
          { id: 'a', name: 'Alice', phone: '+14155550199' },
          { id: 'z', name: 'Alice again', phone: '+1 415 555 0123' },
        ],
      },
      { queue },
    );
    expect(again.enqueued).toMatchObject({ added: 0, duplicates: 1 });
    expect(again.errors.map((e) => e.formatted)).toEqual([
      'line 2: duplicate id "a" (first seen on line 1)',
      'line 3: duplicate phone +1415***0123 (first seen on line 1)',
    ]);
    const other = await importContacts(
      { items: [{ id: 'z', name: 'Alice again', phone: '+1 415 555 0123' }] },
      { queue },
    );
    expect(other.errors.map((e) => e.formatted)).toEqual([
      'line 1: +1415***0123 already queued as a',
    ]);
  });
});
