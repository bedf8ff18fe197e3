import { describe, expect } from 'vitest';
import {
  call,
  type Doc,
  logon,
  names,
  parseXml,
  queryJson,
  SNAPSHOT,
  simulatorTest,
  smallEstate,
  startCanarySimulator,
  TRUNCATE,
} from '../support/simulator.ts';

const estate = smallEstate();
const { sessions: s, cdp, scenario } = estate;
const VISIBLE_JOB_SESSIONS = 11; // all but the one starting after now
const quote = (text: string) => `"${text.replaceAll('"', '""')}"`;
const tasksOf = (uid: string) => scenario.replicaTaskSessions.filter((t) => t.jobSessionUid === uid);

const it = simulatorTest({ scenario });

describe('filters', () => {
  it.for([
    [
      'a quoted value with doubled quotes and non-ASCII',
      `JobName==${quote('Büro "Nord" Replica')}`,
      [s.nord],
    ],
    [
      'a quoted value with ; , & = ( ) < > and quote marks',
      `JobName==${quote(s.special.jobName)}`,
      [s.special],
    ],
    ['case-insensitive text and field names', 'jobname=="sql replication";RESULT==failed', [s.failed]],
    ['!=', 'JobName!="SQL Replication";JobName!="Odd Job";JobName!="Web Farm Replica"', [s.nord, s.special]],
    [
      'a time window with quoted times',
      'CreationTime>="2025-08-16T00:00:00Z";CreationTime<"2025-08-16T01:00:00Z"',
      [s.failed, s.retry],
    ],
    ['bare times and fractional digits', 'CreationTime<2025-08-15T20:00:00.0000001Z', [s.old, s.success]],
    ['<= on a time', 'CreationTime<="2025-08-15T20:00:00.000Z"', [s.old, s.success]],
    ['> on a time', 'CreationTime>"2025-08-16T05:00:00"', [s.running]],
    ['EndTime, absent while running', 'EndTime>="2025-08-16T04:00:00Z"', [s.postprocessing]],
    ['enum order: Result>=Warning', 'Result>=Warning', [s.failed, s.nord]],
    ['enum order: Result<Success is None', 'Result<Success', [s.none, s.endless, s.running]],
    ['state enum order', 'State<Stopped;State>Working', [s.pausing]],
    ['booleans in any case', 'IsRetry==TRUE', [s.retry]],
    ['AND binding tighter than OR', 'JobName=="Odd Job";Result==None,IsRetry==true', [s.none, s.retry]],
    [
      'parentheses',
      '(JobName=="SQL Replication",JobName=="Büro ""Nord"" Replica");(Result==Failed,Result==Warning)',
      [s.failed, s.nord],
    ],
    ['a UID', `UID==${quote(s.special.uid)}`, [s.special]],
    [
      'the backup server',
      'BackupServerName=="vbr02.tech.local";JobName!="Web Farm Replica"',
      [s.nord, s.special],
    ],
  ] as const)('select by %s', async ([, filter, expected], { sim, token }) => {
    const jobs = await names(sim, token, { type: 'ReplicaJobSession', filter });
    expect(jobs).toEqual(expected.map((e) => e.name).sort());
  });

  it('filters task sessions: reasons, sizes, the parent job, and OR batches of JobSessionUid', async ({
    sim,
    token,
  }) => {
    const tasks = (filter: string) => names(sim, token, { type: 'ReplicaTaskSession', filter });
    const failedVm = tasksOf(s.failed.uid).find((t) => t.result === 'Failed');
    expect(await tasks(`Reason==${quote(SNAPSHOT)}`)).toEqual([failedVm?.name]);
    expect(await tasks(`Reason==${quote(TRUNCATE)};JobName=="Büro ""Nord"" Replica"`)).toHaveLength(1);
    const batch = [s.success, s.failed, s.retry].map((j) => `JobSessionUid==${quote(j.uid)}`).join(',');
    const expected = [s.success, s.failed, s.retry].flatMap((j) => tasksOf(j.uid).map((t) => t.name));
    expect(await tasks(batch)).toEqual(expected.sort());
    expect(await tasks(`(${batch});Result==Failed`)).toEqual([failedVm?.name]);
    const big = scenario.replicaTaskSessions.filter(
      (t) => (t.totalSize ?? 0) > 64 * 2 ** 30 && t.creationTime <= '2025-08-16T06',
    );
    expect(await tasks(`TotalSize>${64 * 2 ** 30}`)).toEqual(big.map((t) => t.name).sort());
    expect(await tasks(`JobUid==${quote(s.nord.jobUid)};VmDisplayName=="NORD-FS01"`)).toHaveLength(1);
  });

  it('filters CDP sessions and their tasks by their own field names (Id, *UTC, PolicySession*)', async ({
    sim,
    token,
  }) => {
    const cdpNames = (type: string, filter: string) => names(sim, token, { type, filter });
    expect(await cdpNames('CdpReplicaSession', 'PolicyName=="CDP Tier1";Result==Failed')).toEqual([
      cdp.failed.name,
    ]);
    expect(await cdpNames('CdpReplicaSession', 'FailureMessage=="dc01 failed to sync"')).toEqual([
      cdp.failed.name,
    ]);
    const running = `Id==${quote(cdp.running.uid)}`;
    expect(await cdpNames('CdpReplicaSession', `${running};EndTimeUTC>="2000-01-01"`)).toEqual([]);
    expect(await cdpNames('CdpReplicaSession', `${running};EndTimeUTC!="2000-01-01"`)).toEqual([
      cdp.running.name,
    ]);
    expect(await cdpNames('CdpReplicaSession', 'CreationTimeUTC>="2025-08-15"')).toEqual([cdp.running.name]);
    const syncs = await cdpNames(
      'CdpReplicaTaskSession',
      `PolicySessionName==${quote(cdp.failed.name)};VmDisplayName==dc01;Reason==${quote(SNAPSHOT)}`,
    );
    expect(syncs).toHaveLength(3);
    const byParent = await cdpNames('CdpReplicaTaskSession', `PolicySessionUid==${quote(cdp.failed.uid)}`);
    expect(byParent).toHaveLength(6);
  });

  it.for([
    ['type=BackupJobSession', 'Query type "BackupJobSession" is not supported'],
    ['type=ReplicaJobSession&filter=Foo==1', 'ReplicaJobSession has no field "Foo"'],
    ['type=CdpReplicaTaskSession&filter=Result==Failed', 'CdpReplicaTaskSession has no field "Result"'],
    ['type=CdpReplicaSession&filter=CreationTime>="2025-08-15"', 'has no field "CreationTime"'],
    ['type=ReplicaJobSession&filter=Result==Great', 'expected one of None, Success, Warning, Failed'],
    ['type=ReplicaJobSession&filter=Name=="open', 'unterminated quoted value'],
    ['type=ReplicaJobSession&filter=(Result==Failed', 'expected ")"'],
    ['type=ReplicaJobSession&filter=CreationTime>"last week"', 'expected a UTC time'],
    ['type=ReplicaJobSession&sortAsc=Colour', 'has no field "Colour"'],
    ['type=ReplicaJobSession&sortAsc=Name&sortDesc=Name', 'Only one of sortAsc and sortDesc'],
    ['type=ReplicaJobSession&pageSize=0', 'pageSize must be a positive integer'],
    ['type=ReplicaJobSession&page=-1', 'page must be a positive integer'],
    ['type=ReplicaJobSession&format=Entity', 'Unknown format'],
    ['filter=Result==Failed', 'The type parameter is required'],
  ] as const)('answers 400 with an Error naming the problem for %s', async ([search, message], { get }) => {
    const xml = await get(`query?${search.replaceAll('"', '%22')}`);
    expect(xml.status).toBe(400);
    expect(parseXml(xml.text).Error['@Message']).toContain(message);
    const json = await get(`query?${search.replaceAll('"', '%22')}`, 'application/json');
    expect(JSON.parse(json.text)).toMatchObject({
      StatusCode: 400,
      Message: expect.stringContaining(message),
    });
  });
});

describe('paging and sorting', () => {
  it('pages 1-based up to PagesCount, with First/Previous/Next/Last links that work', async ({
    sim,
    token,
    get,
  }) => {
    const params = { type: 'ReplicaJobSession', sortAsc: 'CreationTime', pageSize: '4' };
    const first = await queryJson(sim, token, { ...params, page: '1' });
    expect(first.paging).toMatchObject({ PageNum: 1, PageSize: 4, PagesCount: 3 });
    expect(first.paging.Links.map((l) => l.Rel)).toEqual(['First', 'Next', 'Last']);
    const rows: Doc[] = [...first.items];
    let next = first.paging.Links.find((l) => l.Rel === 'Next')?.Href;
    while (next) {
      const answer = await get(next, 'application/json');
      const body = JSON.parse(answer.text);
      rows.push(...body.Entities.ReplicaJobSessions.ReplicaJobSessions);
      next = body.PagingInfo.Links.find((l: Doc) => l.Rel === 'Next')?.Href;
      if (body.PagingInfo.PageNum === 3) {
        expect(body.PagingInfo.Links.map((l: Doc) => l.Rel)).toEqual(['First', 'Previous', 'Last']);
        expect(body.Entities.ReplicaJobSessions.ReplicaJobSessions).toHaveLength(VISIBLE_JOB_SESSIONS - 8);
      }
    }
    expect(rows.map((r) => r.CreationTimeUTC)).toEqual(rows.map((r) => r.CreationTimeUTC).sort());
    expect(new Set(rows.map((r) => r.UID)).size).toBe(VISIBLE_JOB_SESSIONS);
  });

  it('reports PageSize 100 without pageSize, and PagesCount 1 with an empty container for no rows', async ({
    sim,
    token,
    get,
  }) => {
    const all = await queryJson(sim, token, { type: 'ReplicaJobSession' });
    expect(all.paging).toMatchObject({ PageNum: 1, PageSize: 100, PagesCount: 1 });
    expect(all.items).toHaveLength(VISIBLE_JOB_SESSIONS);
    const none = await queryJson(sim, token, { type: 'ReplicaJobSession', filter: 'JobName==nothing' });
    expect(none.paging).toMatchObject({ PageNum: 1, PagesCount: 1 });
    expect(none.body.Entities.ReplicaJobSessions).toEqual({ ReplicaJobSessions: [] });
    const xml = await get('query?type=ReplicaJobSession&format=Entities&filter=JobName==nothing');
    expect(xml.text).toContain('<Entities><ReplicaJobSessions /></Entities>');
    const beyond = await queryJson(sim, token, { type: 'ReplicaJobSession', pageSize: '5', page: '9' });
    expect(beyond.items).toEqual([]);
    expect(beyond.paging).toMatchObject({ PageNum: 9, PagesCount: 3 });
  });

  it('caps the page size at maxPageSize and says so in PagingInfo', async () => {
    const capped = await startCanarySimulator({ scenario, maxPageSize: 5 });
    try {
      const login = await logon(capped);
      const page = await queryJson(capped, login.token, { type: 'ReplicaJobSession', pageSize: '50' });
      expect(page.paging).toMatchObject({ PageSize: 5, PagesCount: 3 });
      expect(page.items).toHaveLength(5);
      expect(page.paging.Links[0]?.Href).toContain('pageSize=5&page=1');
      await call(capped, `logonSessions/${login.sessionId}`, {
        method: 'DELETE',
        headers: { 'x-restsvcsessionid': login.token },
      });
    } finally {
      await capped.close();
    }
  });

  it('sorts ascending and descending on any field; unsorted rows come in a stable but scrambled order', async ({
    sim,
    token,
  }) => {
    const times = async (params: Record<string, string>) =>
      (await queryJson(sim, token, { type: 'ReplicaJobSession', ...params })).items.map((i) =>
        String(i.CreationTimeUTC),
      );
    const ascending = await times({ sortAsc: 'CreationTime' });
    expect(ascending).toEqual([...ascending].sort());
    expect(await times({ sortDesc: 'creationtime' })).toEqual([...ascending].reverse());
    const unsorted = await times({});
    expect(await times({})).toEqual(unsorted);
    expect(unsorted).not.toEqual(ascending);
    const byName = (await queryJson(sim, token, { type: 'ReplicaJobSession', sortAsc: 'Name' })).items.map(
      (i) => String(i.Name).toLowerCase(),
    );
    expect(byName).toEqual([...byName].sort());
  });

  it('answers References by default, as Refs', async ({ sim, token, get }) => {
    const refs = await queryJson(sim, token, {
      type: 'ReplicaJobSession',
      format: 'References',
      pageSize: '2',
    });
    expect(refs.body.Entities).toBeNull();
    expect(refs.items[0]).toMatchObject({ Type: 'ReplicaJobSessionReference' });
    const xml = await get('query?type=ReplicaJobSession&pageSize=2');
    expect(parseXml(xml.text).QueryResult.Refs.Ref).toHaveLength(2);
  });
});
