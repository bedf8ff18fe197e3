import { describe, expect, it } from 'vitest';
import {
  isEmptyResult,
  MAPPERS,
  parseApiVersions,
  parseBackupServers,
  parseEmErrorMessage,
  parseEntity,
  parseEntityList,
  parseLogonSession,
  parseQueryPage,
  parseQueryRecords,
  parseReferences,
} from '../../functions/em/entities.ts';
import { EmParseError } from '../../functions/em/errors.ts';
import { parseSchedulePage } from '../../functions/em/schedules.ts';
import { MAX_TEXT_CHARS } from '../../functions/em/wire.ts';
import { asQueryAnswer, fixture, fixtureNames } from '../support/fixtures.ts';

/** A published Job entity as a query row; `jobType` replaces its JobType (no replica job sample is published). */
const jobRows = (name: string, jobType?: string) => {
  const entity = fixture(name);
  const xml = jobType ? entity.replace(/<JobType>\w+<\/JobType>/, `<JobType>${jobType}</JobType>`) : entity;
  return parseSchedulePage('Job', asQueryAnswer('Jobs', xml), 'xml');
};

// Every published sample, with what it must parse to. A new fixture without a case here fails the last test.
const cases: Record<string, () => unknown> = {
  'api-root.xml': () => {
    expect(parseEmErrorMessage(fixture('api-root.xml'))).toBeNull();
    expect(parseApiVersions(fixture('api-root.xml'), 'xml')).toEqual(['v1_5', 'v1_6', 'v1_7']);
  },
  'logon-session.xml': () =>
    expect(parseLogonSession(fixture('logon-session.xml'), 'xml')).toEqual({
      sessionId: '15a3fc97-0325-4119-b789-5c0367c6c565',
      userName: 'SRV12\\Administrator',
    }),
  'query-replica-job-session.xml': () =>
    expect(parseQueryPage('ReplicaJobSession', fixture('query-replica-job-session.xml'), 'xml')).toEqual({
      pageNum: 1,
      pageSize: 100,
      pagesCount: 1,
      items: [
        {
          uid: 'urn:veeam:ReplicaJobSession:1bffbda3-39a8-41eb-b9a0-200b98f3c5e9',
          name: 'Replication Job 1@2021-06-15 22:06:57',
          jobUid: 'urn:veeam:Job:1aa9734e-60e1-4fb6-87df-bbaa9bf38de8',
          jobName: 'Replication Job 1',
          jobType: 'Replica',
          backupServerUid: 'urn:veeam:BackupServer:7445e6ce-86f5-4171-b909-dac209c66563',
          backupServerName: 'enterprise06.tech.local',
          creationTime: '2021-06-15T22:06:57.263Z',
          endTime: '2021-06-15T22:11:06.110Z',
          state: 'Stopped',
          result: 'Success',
          progress: 100,
          isRetry: false,
          failureMessage: null,
        },
      ],
    }),
  'replica-session-entity.xml': () =>
    expect(parseEntity('ReplicaJobSession', fixture('replica-session-entity.xml'), 'xml')).toMatchObject({
      uid: 'urn:veeam:ReplicaJobSession:0bcf5a1e-866c-4b40-8bc3-ce64753b9a6b',
      jobName: 'Fileserver02 Replication',
      backupServerName: 'srv02.tech.local',
      creationTime: '2014-10-19T06:46:31.000Z',
      endTime: '2014-10-19T07:02:35.000Z',
      state: 'Stopped',
      result: 'Success',
    }),
  'replica-sessions-refs.xml': () =>
    expect(parseReferences(fixture('replica-sessions-refs.xml'), 'xml').map((r) => r.name)).toEqual([
      'SQL Replication@2014-10-19 05:41:52',
      'Fileserver02 Replication@2014-10-19 06:46:31',
    ]),
  'replica-task-sessions.xml': () =>
    expect(parseEntityList('ReplicaTaskSession', fixture('replica-task-sessions.xml'), 'xml')).toEqual([
      {
        uid: 'urn:veeam:ReplicaTaskSession:c20dae03-4f75-4191-ae81-862f4b7988ca',
        name: 'ubuntu88@2021-11-03 21:00:26',
        vmDisplayName: 'ubuntu88',
        jobSessionUid: 'urn:veeam:ReplicaJobSession:f5bf1a4b-c229-452e-a4e8-0354e1752b4e',
        backupServerUid: 'urn:veeam:BackupServer:7445e6ce-86f5-4171-b909-dac209c66563',
        backupServerName: 'enterprise06.tech.local',
        creationTime: '2021-11-03T21:00:26.190Z',
        endTime: '2021-11-03T21:03:16.730Z',
        state: 'Completed',
        result: 'Success',
        reason: null, // `<Reason />`
        totalSize: 17179869184,
      },
    ]),
  'replica-task-session-entity.xml': () =>
    expect(
      parseEntity('ReplicaTaskSession', fixture('replica-task-session-entity.xml'), 'xml'),
    ).toMatchObject({
      vmDisplayName: 'srv04',
      jobSessionUid: 'urn:veeam:ReplicaJobSession:0bcf5a1e-866c-4b40-8bc3-ce64753b9a6b',
      totalSize: 64424509440,
    }),
  'query-replica-task-session.xml': () => {
    const page = parseQueryPage('ReplicaTaskSession', fixture('query-replica-task-session.xml'), 'xml');
    expect(page.pageSize).toBe(15);
    expect(page.items.map((t) => [t.vmDisplayName, t.creationTime, t.result, t.reason])).toEqual([
      ['apache02', '2025-06-17T20:00:18.060Z', 'Success', null],
      ['apache02', '2025-06-17T15:17:00.380Z', 'Success', null],
    ]);
  },
  'cdp-replica-session-entity.xml': () =>
    expect(parseEntity('CdpReplicaSession', fixture('cdp-replica-session-entity.xml'), 'xml')).toMatchObject({
      policyName: 'CDP Policy 1',
      state: 'Working',
      result: 'None',
      endTime: null, // absent while running
      failureMessage: null,
    }),
  'query-cdp-replica-session.xml': () => {
    // The children of <CdpReplicaSessions> are named <CdpPolicySession>: parsed by container.
    const page = parseQueryPage('CdpReplicaSession', fixture('query-cdp-replica-session.xml'), 'xml');
    expect(page.items.map((s) => [s.policyName, s.state, s.result, s.endTime])).toEqual([
      ['CDP Policy', 'Working', 'None', null],
      ['CDP Policy', 'Stopped', 'Failed', '2025-06-16T15:00:53.780Z'],
    ]);
  },
  'cdp-replica-task-session-entity.xml': () =>
    expect(
      parseEntity('CdpReplicaTaskSession', fixture('cdp-replica-task-session-entity.xml'), 'xml'),
    ).toMatchObject({
      vmDisplayName: 'virt03-ubuntu01',
      state: 'InProgress',
      result: 'Success', // a running CDP task reports Success
      reason: null, // no Reason element at all
      policySessionUid: 'urn:veeam:CdpReplicaSession:6b872a71-51e8-437a-8d45-5c6494b92f3f',
    }),
  'query-cdp-replica-task-session.xml': () => {
    const page = parseQueryPage(
      'CdpReplicaTaskSession',
      fixture('query-cdp-replica-task-session.xml'),
      'xml',
    );
    expect(page.items).toHaveLength(3);
    expect(new Set(page.items.map((t) => t.backupServerName))).toEqual(new Set(['backupsrv29.tech.local']));
  },
  'cdp-replica-task-sessions-refs.xml': () =>
    expect(parseReferences(fixture('cdp-replica-task-sessions-refs.xml'), 'xml')).toHaveLength(10),
  'query-backup-job-session.xml': () => {
    // Not a type we alert on, but it shows 6-digit fractions, IsRetry true and a backslash in a job name.
    const page = parseQueryRecords('BackupJobSession', fixture('query-backup-job-session.xml'), 'xml');
    expect(page.items.length).toBe(2);
    expect(page.items[0]?.Name).toBe('Periodic Backup Copy Job\\Backup Job 1@2025-08-16 05:17:38.22142');
  },
  'query-backup-job-session.json': () => {
    // JSON double wrapping `Entities.BackupJobSessions.BackupJobSessions`, and the fields map like a job session.
    const page = parseQueryRecords('BackupJobSession', fixture('query-backup-job-session.json'), 'json');
    expect(page).toMatchObject({ pageNum: 1, pageSize: 100, pagesCount: 1 });
    expect(page.items).toHaveLength(1);
    const [record] = page.items;
    expect(record && MAPPERS.ReplicaJobSession(record, fixture('query-backup-job-session.json'))).toEqual({
      uid: 'urn:veeam:BackupJobSession:486430ea-e837-4cef-b971-19c2ece05036',
      name: 'PROD Job 1@2025-02-19 03:51:03',
      backupServerUid: 'urn:veeam:BackupServer:d29dd852-c1b8-43f8-befc-35890e259b5e',
      backupServerName: 'serveur_veeam.domain.local', // from the BackupServerReference link
      creationTime: '2025-02-19T03:51:03.037Z',
      endTime: '2025-02-19T03:54:52.757Z',
      state: 'Stopped',
      result: 'Failed',
      progress: 100, // typed numbers and booleans, null for absent values
      isRetry: true,
      failureMessage: null,
      jobUid: 'urn:veeam:Job:b88f9d2f-170b-4e33-9ec2-087e469a1a16',
      jobName: 'PROD Job 1',
      jobType: 'Backup',
    });
  },
  'query-cdp-policy.xml': () =>
    // 13.1's sample: the RPO sits in PolicyScheduleOptions/CdpReplica, in seconds (15) and minutes (0).
    expect(parseSchedulePage('CdpPolicy', fixture('query-cdp-policy.xml'), 'xml')).toEqual({
      pageNum: 1,
      pageSize: 100,
      pagesCount: 1,
      problems: [],
      items: [
        {
          kind: 'cdp-policy',
          uid: 'urn:veeam:CdpPolicy:872a3860-3805-43b8-bcf6-388384bfed33',
          name: 'CDP Policy',
          backupServerUid: 'urn:veeam:BackupServer:beda8585-1354-451c-afe2-646dcf42afa6',
          backupServerName: 'backupsrv29.tech.local',
          scheduleConfigured: true,
          scheduleEnabled: true,
          nextRun: '2025-06-01T13:41:20.680Z',
          rpo: { seconds: 15 },
        },
      ],
    }),
  'cdp-policy-entity.xml': () =>
    expect(
      parseSchedulePage('CdpPolicy', asQueryAnswer('CdpPolicies', fixture('cdp-policy-entity.xml')), 'xml'),
    ).toMatchObject({
      problems: [],
      items: [
        {
          uid: 'urn:veeam:CdpPolicy:bc933bb6-0cc5-47b6-a1ec-e062b9e29877',
          backupServerName: 'enterprise03.tech.local',
          nextRun: '2021-02-10T22:39:34.827Z',
          rpo: { seconds: 15 },
        },
      ],
    }),
  'job-entity.xml': () => {
    expect(jobRows('job-entity.xml')).toMatchObject({ items: [], problems: [] }); // a backup job: not ours
    expect(jobRows('job-entity.xml', 'Replica')).toMatchObject({
      problems: [],
      items: [
        {
          kind: 'replica-job',
          uid: 'urn:veeam:Job:5658281f-625e-4627-89dd-d2a0c48be99e',
          name: 'DB Backup',
          backupServerUid: 'urn:veeam:BackupServer:d1444f74-27e6-4399-81a9-d28ba98913f0',
          backupServerName: 'srv12.tech.local',
          scheduleConfigured: true,
          scheduleEnabled: true,
          nextRun: '2020-02-01T17:00:00.000Z',
        },
      ],
    });
  },
  'job-entity-immediate-copy.xml': () => {
    expect(jobRows('job-entity-immediate-copy.xml')).toMatchObject({ items: [], problems: [] });
    // Scheduled and enabled, yet no NextRun element: read as "not said", which is no problem.
    expect(jobRows('job-entity-immediate-copy.xml', 'Replica')).toMatchObject({
      problems: [],
      items: [{ scheduleConfigured: true, scheduleEnabled: true, nextRun: null }],
    });
  },
  'refs-collection.json': () =>
    expect(parseReferences(fixture('refs-collection.json'), 'json').map((r) => r.name)).toEqual([
      'QWE Systems',
      'ABC Company',
      'TechCompanyOrg',
    ]),
  'error-500.xml': () =>
    expect(parseEmErrorMessage(fixture('error-500.xml'))).toBe(
      'Object reference not set to an instance of an object.',
    ),
  'error-400.json': () =>
    expect(parseEmErrorMessage(fixture('error-400.json'))).toBe('Node [root] does not exist.'),
};

describe('parsers against every published EM response', () => {
  it.each(Object.keys(cases))('%s', (name) => {
    cases[name]?.();
  });

  it('covers every fixture file', () => {
    expect(fixtureNames().sort()).toEqual(Object.keys(cases).sort());
  });
});

describe('XML and JSON give the same model', () => {
  const xmlPage = `<?xml version="1.0" encoding="utf-8"?>
<QueryResult xmlns="http://www.veeam.com/ent/v1.0"><Entities><ReplicaTaskSessions>
<ReplicaTaskSession Type="ReplicaTaskSession" Href="https://em:9398/api/replicaTaskSessions/x" Name="sql &amp; co@2026-01-01 00:00:00" UID="urn:veeam:ReplicaTaskSession:11111111-1111-1111-1111-111111111111" VmDisplayName="sql &amp; co">
<Links><Link Rel="Up" Type="BackupServerReference" Href="https://em:9398/api/backupServers/22222222-2222-2222-2222-222222222222" Name="vbr01" /></Links>
<JobSessionUid>urn:veeam:ReplicaJobSession:33333333-3333-3333-3333-333333333333</JobSessionUid>
<CreationTimeUTC>2026-01-01T00:00:00.1234567Z</CreationTimeUTC><EndTimeUTC>2026-01-01T00:05:00Z</EndTimeUTC>
<State>Completed</State><Result>Failed</Result><Reason>Error: Cannot connect to host "esx02" &lt;10.0.0.2&gt;
  retrying later </Reason><TotalSize>0</TotalSize></ReplicaTaskSession>
</ReplicaTaskSessions></Entities><PagingInfo PagesCount="3" PageSize="1" PageNum="2" /></QueryResult>`;
  const jsonPage = `\uFEFF${JSON.stringify({
    Refs: null,
    Entities: {
      Jobs: null,
      ReplicaTaskSessions: {
        ReplicaTaskSessions: [
          {
            VmDisplayName: 'sql & co',
            JobSessionUid: 'urn:veeam:ReplicaJobSession:33333333-3333-3333-3333-333333333333',
            CreationTimeUTC: '2026-01-01T00:00:00.1234567Z',
            EndTimeUTC: '2026-01-01T00:05:00Z',
            State: 'Completed',
            Result: 'Failed',
            Reason: 'Error: Cannot connect to host "esx02" <10.0.0.2>\n  retrying later ',
            TotalSize: 0,
            Name: 'sql & co@2026-01-01 00:00:00',
            UID: 'urn:veeam:ReplicaTaskSession:11111111-1111-1111-1111-111111111111',
            Links: [
              {
                Rel: 'Up',
                Href: 'https://em:9398/api/backupServers/22222222-2222-2222-2222-222222222222',
                Name: 'vbr01',
                Type: 'BackupServerReference',
              },
            ],
          },
        ],
      },
    },
    PagingInfo: { Links: [], PageNum: 2, PageSize: 1, PagesCount: 3 },
  })}`;

  it('parses both to the identical model, reasons verbatim', () => {
    const fromXml = parseQueryPage('ReplicaTaskSession', xmlPage, 'xml');
    const fromJson = parseQueryPage('ReplicaTaskSession', jsonPage, 'json');
    expect(fromJson).toEqual(fromXml);
    expect(fromXml.items[0]?.reason).toBe(
      'Error: Cannot connect to host "esx02" <10.0.0.2>\n  retrying later ',
    );
    expect(fromXml.items[0]?.vmDisplayName).toBe('sql & co');
    expect(fromXml).toMatchObject({ pageNum: 2, pagesCount: 3, pageSize: 1 });
  });

  it('reads an empty container and a null JSON container as no rows', () => {
    const emptyXml =
      '<QueryResult xmlns="http://www.veeam.com/ent/v1.0"><Entities><ReplicaJobSessions /></Entities>' +
      '<PagingInfo PagesCount="1" PageSize="100" PageNum="1" /></QueryResult>';
    expect(parseQueryPage('ReplicaJobSession', emptyXml, 'xml').items).toEqual([]);
    const nullJson =
      '{"Entities":{"ReplicaJobSessions":null},"PagingInfo":{"PageNum":1,"PageSize":100,"PagesCount":1}}';
    expect(parseQueryPage('ReplicaJobSession', nullJson, 'json').items).toEqual([]);
  });

  it('keeps unknown enum values as data', () => {
    const body = fixture('query-replica-job-session.xml')
      .replace('<State>Stopped</State>', '<State>Postprocessing</State>')
      .replace('<Result>Success</Result>', '<Result>PartiallySucceeded</Result>');
    const [session] = parseQueryPage('ReplicaJobSession', body, 'xml').items;
    expect(session).toMatchObject({ state: 'Postprocessing', result: 'PartiallySucceeded' });
  });
});

describe('bad input gives a specific parse error', () => {
  const bad =
    (body: string, format: 'xml' | 'json' = 'xml') =>
    () =>
      parseQueryPage('ReplicaJobSession', body, format);

  it('names what was expected and the first bytes seen', () => {
    const html = '<html><body><h1>502 Bad Gateway</h1></body></html>';
    expect(bad(html)).toThrow(EmParseError);
    expect(bad(html)).toThrow(
      /expected a ReplicaJobSession query result but got an HTML page.*502 Bad Gateway/,
    );
    expect(bad('Service Unavailable')).toThrow(/not XML/);
    expect(bad('{"Entities":', 'json')).toThrow(/JSON is invalid/);
    expect(bad('<QueryResult><Entities><ReplicaJobSessions>')).toThrow(/ReplicaJobSession/);
  });

  it('refuses DTDs and entity expansion (billion laughs, external entities)', () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>' +
      '<QueryResult>&lol2;</QueryResult>';
    expect(bad(laughs)).toThrow(/DTD/);
    const external =
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><x>&xxe;</x>';
    expect(bad(external)).toThrow(/DTD/);
  });

  it('cuts a text node over MAX_TEXT_CHARS with a marker, never inside an entity, and keeps the rest', () => {
    const long = `${'x'.repeat(MAX_TEXT_CHARS - 2)}&amp;${'y'.repeat(3 * MAX_TEXT_CHARS)}`;
    const body = fixture('query-replica-job-session.xml').replace(
      'Replication Job 1</JobName>',
      `${long}</JobName>`,
    );
    const [row] = parseQueryPage('ReplicaJobSession', body, 'xml').items;
    expect(row?.jobName).toBe(
      `${'x'.repeat(MAX_TEXT_CHARS - 2)} [… ${3 * MAX_TEXT_CHARS + 5} more characters cut by replica-alerts]`,
    );
    expect(row?.result).toBe('Success');
  });

  it("expands XML's five entities and numeric references only, refusing HTML's named ones", () => {
    const page = (name: string) =>
      fixture('query-replica-job-session.xml').replaceAll('Replication Job 1</JobName>', `${name}</JobName>`);
    const parsed = parseQueryPage('ReplicaJobSession', page('a&amp;b&lt;&#xD;&#9;c'), 'xml');
    expect(parsed.items[0]?.jobName).toBe('a&b<\r\tc');
    expect(bad(page('a&nbsp;b&copy;'))).toThrow(/"&nbsp;", which is not one of XML's entities/);
  });

  it('names the entity and field that is wrong', () => {
    const body = fixture('query-replica-job-session.xml').replace(
      '<CreationTimeUTC>2021-06-15T22:06:57.263Z</CreationTimeUTC>',
      '<CreationTimeUTC>last tuesday</CreationTimeUTC>',
    );
    expect(bad(body)).toThrow(
      /ReplicaJobSession urn:veeam:ReplicaJobSession:1bffbda3-39a8-41eb-b9a0-200b98f3c5e9 but CreationTimeUTC is not a time/,
    );
    const noUid = fixture('query-replica-job-session.xml').replace(/ UID="[^"]+"/, '');
    expect(bad(noUid)).toThrow(/UID is missing/);
    // A UID ends up in DynamoDB keys, which hold 1,024 bytes: an absurd one is refused, not stored.
    const hugeUid = fixture('query-replica-job-session.xml').replace(
      /<JobUid>[^<]+</,
      `<JobUid>urn:veeam:Job:${'x'.repeat(10_000)}<`,
    );
    expect(bad(hugeUid)).toThrow(/JobUid is 10014 characters, not a UID/);
  });

  it("refuses Entities without the type's container instead of reading no sessions", () => {
    const other = fixture('query-replica-job-session.xml').replaceAll(
      'ReplicaJobSessions>',
      'BackupJobSessions>',
    );
    expect(bad(other)).toThrow(/ReplicaJobSession query result.*Entities have no ReplicaJobSessions/);
    const json = (entities: string) =>
      `{"Entities":${entities},"PagingInfo":{"PageNum":1,"PageSize":100,"PagesCount":1}}`;
    expect(bad(json('{"Jobs":null}'), 'json')).toThrow(/Entities have no ReplicaJobSessions/);
    // An empty result keeps its container: an empty element in XML, null in JSON.
    const empty =
      '<QueryResult><Entities><ReplicaJobSessions /></Entities><PagingInfo PageNum="1" PageSize="100" PagesCount="0" /></QueryResult>';
    expect(bad(empty)()).toMatchObject({ items: [] });
    expect(bad(json('{"ReplicaJobSessions":null}'), 'json')()).toMatchObject({ items: [] });
  });

  it('reports a format=References answer where entities were expected', () => {
    expect(() => parseQueryPage('ReplicaJobSession', fixture('replica-sessions-refs.xml'), 'xml')).toThrow(
      /root element is EntityReferences/,
    );
  });
});

describe('empty query answers (no published sample shows one): each plausible form is no rows', () => {
  const paging = (num: number, count: number) =>
    `<PagingInfo PageNum="${num}" PageSize="100" PagesCount="${count}" />`;
  const xml = (entities: string, info = paging(1, 1)) =>
    `<QueryResult xmlns="http://www.veeam.com/ent/v1.0">${entities}${info}</QueryResult>`;
  const pagingJson = (num: number, count: number) =>
    `"PagingInfo":{"PageNum":${num},"PageSize":100,"PagesCount":${count},"Links":[]}`;
  const json = (entities: string, info = pagingJson(1, 1)) =>
    `{"Refs":null,"Entities":${entities}${info ? `,${info}` : ''}}`;
  const container = '<Entities><ReplicaJobSessions /></Entities>';

  it.each([
    ['an empty container', xml(container), false],
    [
      'an empty container holding whitespace',
      xml('<Entities><ReplicaJobSessions>\n </ReplicaJobSessions></Entities>'),
      false,
    ],
    ['<Entities /> without a container', xml('<Entities />'), false],
    ['<Entities></Entities> holding whitespace', xml('<Entities>\n  </Entities>'), false],
    ['<Entities /> and no PagingInfo', xml('<Entities />', ''), true],
    ['an empty container and no PagingInfo', xml(container, ''), true],
    ['PagesCount 0', xml(container, paging(1, 0)), true],
    ['PageNum 0 with PagesCount 0', xml(container, paging(0, 0)), true],
    ['PageNum 0 with no rows', xml('<Entities />', paging(0, 1)), true],
  ])('XML: %s', (_name, body, empty) => {
    const page = parseQueryPage('ReplicaJobSession', body, 'xml');
    expect(page.items).toEqual([]);
    expect(isEmptyResult(page)).toBe(empty);
  });

  it.each([
    ['"Entities": {}', json('{}'), false],
    ['"Entities": null', json('null'), false],
    ['a null container', json('{"Jobs":null,"ReplicaJobSessions":null}'), false],
    ['an empty container', json('{"ReplicaJobSessions":{"ReplicaJobSessions":[]}}'), false],
    ['"Entities": null and no PagingInfo', json('null', ''), true],
    ['"Entities": {} and "PagingInfo": null', json('{}', '"PagingInfo":null'), true],
    ['PagesCount 0', json('{"ReplicaJobSessions":null}', pagingJson(1, 0)), true],
    ['PageNum 0 with PagesCount 0', json('{"ReplicaJobSessions":null}', pagingJson(0, 0)), true],
    ['PageNum 0 with no rows', json('null', pagingJson(0, 1)), true],
  ])('JSON: %s', (_name, body, empty) => {
    const page = parseQueryPage('ReplicaJobSession', body, 'json');
    expect(page.items).toEqual([]);
    expect(isEmptyResult(page)).toBe(empty);
  });

  it('a page of rows is never an empty result, whatever its PagingInfo says', () => {
    const rows = fixture('query-replica-job-session.xml');
    expect(isEmptyResult(parseQueryPage('ReplicaJobSession', rows, 'xml'))).toBe(false);
    const zero = rows.replace(
      'PagesCount="1" PageSize="100" PageNum="1"',
      'PagesCount="0" PageSize="100" PageNum="0"',
    );
    const page = parseQueryPage('ReplicaJobSession', zero, 'xml');
    expect(page.items).toHaveLength(1);
    expect(isEmptyResult(page)).toBe(false); // the client then finds PageNum 0 is not the page it asked for
  });

  it('still refuses what is not an empty answer of this type', () => {
    const other = '<Entities><Jobs><Job UID="urn:veeam:Job:1" Name="j" /></Jobs></Entities>';
    expect(() => parseQueryPage('ReplicaJobSession', xml(other), 'xml')).toThrow(
      /Entities have no ReplicaJobSessions/,
    );
    expect(() => parseQueryPage('ReplicaJobSession', json('{"Jobs":{"Jobs":[]}}'), 'json')).toThrow(
      /Entities have no ReplicaJobSessions/,
    );
    expect(() => parseQueryPage('ReplicaJobSession', '<QueryResult />', 'xml')).toThrow(/it has no Entities/);
    expect(() => parseQueryPage('ReplicaJobSession', '{"PagingInfo":null}', 'json')).toThrow(
      /it has no Entities/,
    );
    // A format=References answer: its Entities are null, its rows are references.
    const refs = '{"Refs":{"Refs":[{"UID":"urn:veeam:ReplicaJobSession:1"}]},"Entities":null}';
    expect(() => parseQueryPage('ReplicaJobSession', refs, 'json')).toThrow(/holds References, not Entities/);
    expect(() => parseQueryPage('ReplicaJobSession', json('[]'), 'json')).toThrow(/Entities have no/);
  });

  it('refuses rows without PagingInfo: they cannot be paged', () => {
    const rows = fixture('query-replica-job-session.xml').replace(/<PagingInfo[\s\S]*<\/PagingInfo>/, '');
    expect(() => parseQueryPage('ReplicaJobSession', rows, 'xml')).toThrow(/it has no PagingInfo/);
  });
});

describe('backup server list (GET /api/backupServers, References)', () => {
  const guid = 'A1B2C3D4-0000-4000-8000-00000000000F';
  const href = `https://em:9398/api/backupServers/${guid}`;
  const session = fixture('query-replica-job-session.xml').replace(
    /backupServers\/7445e6ce-86f5-4171-b909-dac209c66563/,
    `backupServers/${guid}`,
  );

  it('reads XML and JSON, UIDs spelt as sessions carry them', () => {
    const xml =
      '<EntityReferences xmlns="http://www.veeam.com/ent/v1.0">' +
      `<Ref Type="BackupServerReference" Href="${href}" Name="srv03.tech.local" UID="urn:veeam:BackupServer:${guid}">` +
      `<Links><Link Rel="Alternate" Type="BackupServer" Href="${href}?format=Entity" Name="srv03.tech.local" /></Links>` +
      '</Ref></EntityReferences>';
    const json = JSON.stringify({
      Refs: [
        {
          Type: 'BackupServerReference',
          Href: href,
          Name: 'srv03.tech.local',
          UID: `urn:veeam:BackupServer:${guid}`,
          Links: [],
        },
      ],
    });
    const expected = [{ uid: `urn:veeam:BackupServer:${guid.toLowerCase()}`, name: 'srv03.tech.local' }];
    expect(parseBackupServers(xml, 'xml')).toEqual(expected);
    expect(parseBackupServers(json, 'json')).toEqual(expected);
    const [row] = parseQueryPage('ReplicaJobSession', session, 'xml').items;
    expect(row?.backupServerUid).toBe(expected[0]?.uid);
  });

  it('reads an empty list, and refuses a reference that is not to a backup server', () => {
    expect(parseBackupServers('<EntityReferences />', 'xml')).toEqual([]);
    expect(parseBackupServers('{"Refs":null}', 'json')).toEqual([]);
    expect(() => parseBackupServers(fixture('replica-sessions-refs.xml'), 'xml')).toThrow(
      /backup server list but urn:veeam:ReplicaJobSession:\S+ is not a BackupServer UID/,
    );
  });
});
