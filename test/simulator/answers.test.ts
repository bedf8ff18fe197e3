import { describe, expect } from 'vitest';
import { parseReferences } from '../../functions/em/entities.ts';
import type { EmptyAnswer } from '../../functions/simulator/index.ts';
import {
  call,
  type Doc,
  logon,
  parseXml,
  queryJson,
  simulatorTest,
  smallEstate,
  startCanarySimulator,
} from '../support/simulator.ts';

const { scenario, sessions } = smallEstate();
const NOTHING = 'JobName=="nothing"';

const it = simulatorTest({ scenario });
it.beforeEach(({ sim }) => {
  sim.faults.clear();
  sim.setEmptyAnswer('container');
});

/** The path of a ReplicaJobSession query with this filter, answered in XML (the default format). */
const jobQuery = (filter: string) =>
  `query?type=ReplicaJobSession&format=Entities&filter=${encodeURIComponent(filter)}`;
const paging = (doc: Doc) => {
  const info = doc.QueryResult.PagingInfo;
  return { PageNum: info['@PageNum'], PagesCount: info['@PagesCount'] };
};

describe('empty query answers', () => {
  it('starts with the shape given at start-up', async () => {
    const fresh = await startCanarySimulator({ scenario, emptyAnswer: 'bare-entities' });
    try {
      const own = await logon(fresh);
      const none = await queryJson(fresh, own.token, { type: 'ReplicaJobSession', filter: NOTHING });
      expect(none.body.Entities).toEqual({});
    } finally {
      await fresh.close();
    }
  });

  it.for<[EmptyAnswer, string, { PageNum: string; PagesCount: string }, boolean]>([
    ['container', '<Entities><ReplicaJobSessions /></Entities>', { PageNum: '1', PagesCount: '1' }, true],
    ['bare-entities', '<Entities />', { PageNum: '1', PagesCount: '1' }, false],
    ['pages-count-0', '<Entities><ReplicaJobSessions /></Entities>', { PageNum: '1', PagesCount: '0' }, true],
    ['page-num-0', '<Entities><ReplicaJobSessions /></Entities>', { PageNum: '0', PagesCount: '0' }, true],
  ])('%s, in XML and JSON', async ([shape, entities, pages, container], { sim, token, get }) => {
    sim.setEmptyAnswer(shape);
    const xml = await get(jobQuery(NOTHING));
    expect(xml.status).toBe(200);
    expect(xml.text).toContain(entities);
    expect(paging(parseXml(xml.text))).toEqual(pages);

    const json = await queryJson(sim, token, { type: 'ReplicaJobSession', filter: NOTHING });
    expect(json.items).toEqual([]);
    expect(json.paging).toMatchObject({
      PageNum: Number(pages.PageNum),
      PagesCount: Number(pages.PagesCount),
    });
    if (container) expect(json.body.Entities.ReplicaJobSessions).toEqual({ ReplicaJobSessions: [] });
    else expect(json.body.Entities).toEqual({});

    // Only a query that matched nothing: rows, or a page past the end, answer as always.
    const rows = await queryJson(sim, token, { type: 'ReplicaJobSession', pageSize: '5', page: '9' });
    expect(rows.paging).toMatchObject({ PageNum: 9, PagesCount: 3 });
    expect(rows.body.Entities.ReplicaJobSessions).toEqual({ ReplicaJobSessions: [] });
  });
});

describe('a mutate fault between two pages', () => {
  it('runs its callback before answering the matched request normally', async ({ sim, token }) => {
    const later = {
      ...sessions.success,
      uid: 'urn:veeam:ReplicaJobSession:5a1e0000-0000-4000-8000-000000000001',
    };
    const params = { type: 'ReplicaJobSession', pageSize: '6', sortAsc: 'CreationTime' };
    const first = await queryJson(sim, token, { ...params, page: '1' });
    expect(first.paging.PagesCount).toBe(2);
    const fault = sim.faults.add({
      kind: 'mutate',
      path: '/api/query',
      page: 2,
      apply: () =>
        sim.add({
          replicaJobSessions: [
            { ...later, creationTime: '2025-08-16T05:59:00Z', endTime: '2025-08-16T05:59:30Z' },
          ],
        }),
    });
    expect((await queryJson(sim, token, { ...params, page: '1' })).items).toEqual(first.items);
    const second = await queryJson(sim, token, { ...params, page: '2' });
    expect(fault).toMatchObject({ matched: 1, fired: 1 });
    expect(second.status).toBe(200);
    expect(second.items.map((r) => r.UID)).toContain(later.uid);
    expect(second.paging.PagesCount).toBe(2);
  });
});

describe('refusing a filter shape', () => {
  it('matches the decoded filter and answers 400 with the given Message', async ({ sim, token, get }) => {
    const message = 'Field BackupServerUid is not supported';
    const fault = sim.faults.add({
      kind: 'status',
      status: 400,
      filter: /BackupServerUid/,
      message,
      times: Number.POSITIVE_INFINITY,
    });
    const uid = scenario.backupServers[0]?.uid ?? '';
    const refused = await get(jobQuery(`(BackupServerUid=="${uid}");(Result==Failed)`));
    expect(refused.status).toBe(400);
    expect(parseXml(refused.text).Error).toMatchObject({ '@StatusCode': '400', '@Message': message });
    const json = await queryJson(sim, token, {
      type: 'ReplicaTaskSession',
      filter: `BackupServerUid=="${uid}"`,
    });
    expect(json).toMatchObject({ status: 400, body: { StatusCode: 400, Message: message } });
    expect((await get(jobQuery('BackupServerName=="vbr01.tech.local"'))).status).toBe(200);
    expect((await queryJson(sim, token, { type: 'ReplicaJobSession' })).status).toBe(200); // no filter
    expect(fault).toMatchObject({ matched: 2, fired: 2 });
  });
});

describe('GET /api/backupServers', () => {
  it('lists the backup servers as BackupServerReference refs, in XML and JSON', async ({ sim, get }) => {
    const xml = await get('backupServers');
    expect(xml.status).toBe(200);
    const refs = parseXml(xml.text).EntityReferences.Ref;
    expect(refs.map((r: Doc) => r['@Name'])).toEqual(['vbr01.tech.local', 'vbr02.tech.local']);
    const [first] = scenario.backupServers;
    const guid = first?.uid.split(':').at(-1);
    expect(refs[0]).toMatchObject({
      '@Type': 'BackupServerReference',
      '@Href': `${sim.url}backupServers/${guid}`,
      '@UID': first?.uid,
    });
    expect(refs[0].Links.Link).toContainEqual(
      expect.objectContaining({
        '@Rel': 'Alternate',
        '@Type': 'BackupServer',
        '@Href': `${sim.url}backupServers/${guid}?format=Entity`,
        '@Name': 'vbr01.tech.local',
      }),
    );
    const json = await get('backupServers', 'application/json');
    const body = JSON.parse(json.text);
    expect(body.Refs[0]).toMatchObject({
      Type: 'BackupServerReference',
      UID: first?.uid,
      Name: 'vbr01.tech.local',
    });
    const expected = scenario.backupServers.map((s) => ({
      uid: s.uid,
      name: s.name,
      href: `${sim.url}backupServers/${s.uid.split(':').at(-1)}`,
    }));
    expect(parseReferences(xml.text, 'xml')).toEqual(expected);
    expect(parseReferences(json.text, 'json')).toEqual(expected);
  });

  it('needs a logon token; lists servers added later, upserted by UID', async ({ sim, get }) => {
    expect((await call(sim, 'backupServers')).status).toBe(401);
    const uid = 'urn:veeam:BackupServer:0b1c2d3e-4f50-4617-8829-3a4b5c6d7e8f';
    sim.add({ backupServers: [{ uid, name: 'vbr03.tech.local' }] });
    sim.add({ backupServers: [{ uid, name: 'vbr03b.tech.local' }] });
    const names = JSON.parse((await get('backupServers', 'application/json')).text).Refs.map(
      (r: Doc) => r.Name,
    );
    expect(names).toEqual(['vbr01.tech.local', 'vbr02.tech.local', 'vbr03b.tech.local']);
  });
});
