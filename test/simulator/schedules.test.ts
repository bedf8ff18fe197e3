// The simulator's schedule queries (`query?type=Job`, `query?type=CdpPolicy`) and CDP policy entity on the wire:
// Portal Administrator only, the published samples' shapes in XML and JSON, NextRun against the clock, filters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerOf } from '../../functions/em/entities.ts';
import { ScenarioBuilder, type Simulator } from '../../functions/simulator/index.ts';
import { canaryUser } from '../support/canary.ts';
import { fixture } from '../support/fixtures.ts';
import { call, type Doc, logon, parseXml, SIM_USER, startCanarySimulator } from '../support/simulator.ts';

const NOW = '2025-08-16T06:00:00Z';
const ADMIN = canaryUser('TECH\\em-admin', 'portal-administrator');
const b = new ScenarioBuilder({ now: NOW, seed: 'schedule-wire' });
const hourly = b.replicaJob('SQL Replication').schedule({ at: '2025-08-16T00:30:00Z', everyMin: 60 });
const once = b.replicaJob('Web Farm Replica').schedule({ at: '2025-08-16T06:10:00Z' });
const disabled = b.replicaJob('Legacy CRM Replica').schedule({ at: NOW, everyMin: 120, enabled: false });
const manual = b.replicaJob('Test Replica').schedule({ configured: false });
const tier1 = b.cdpPolicy('CDP Tier1', { backupServer: 'vbr02.tech.local' }).schedule();
const tier2 = b.cdpPolicy('CDP Tier2').schedule({ rpoSeconds: 300, at: '2025-08-17T00:00:00Z' });
const guid = (uid: string) => uid.slice(uid.lastIndexOf(':') + 1);
const filterOf = (filter: string) => encodeURIComponent(filter);

let sim: Simulator;
let admin: string;
let user: string;
beforeAll(async () => {
  sim = await startCanarySimulator({ scenario: b.build(), users: [ADMIN, SIM_USER] });
  admin = (await logon(sim, ADMIN)).token;
  user = (await logon(sim, SIM_USER)).token;
});
afterAll(() => sim.close());

const get = (path: string, token = admin, accept = 'application/xml') =>
  call(sim, path, { headers: { 'x-restsvcsessionid': token, accept } });
const xml = async (path: string): Promise<Doc> => parseXml((await get(path)).text);
const json = async (path: string): Promise<Doc> =>
  JSON.parse((await get(path, admin, 'application/json')).text);
const list = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
/** Names of the entities a query returns, sorted. */
const names = async (type: string, filter: string) => {
  const container = containerOf(type);
  const body = await json(`query?type=${type}&format=Entities&filter=${filterOf(filter)}`);
  return list(body.Entities[container][container])
    .map((e: Doc) => e.Name)
    .sort();
};
/** An element's child element names, in order. */
const children = (node: Doc) => Object.keys(node).filter((k) => !k.startsWith('@'));

describe('roles', () => {
  it.for([
    'query?type=Job&format=Entities',
    'query?type=CdpPolicy&format=Entities',
    `cdpPolicies/${guid(tier1.uid)}?format=Entity`,
  ])('answers a Portal User 403 with an Error body for %s, a Portal Administrator 200', async (path) => {
    const refused = await get(path, user);
    expect(refused.status).toBe(403);
    expect(parseXml(refused.text).Error).toMatchObject({ '@StatusCode': '403' });
    expect(parseXml(refused.text).Error['@Message']).toMatch(/Portal Administrator/);
    expect((await get(path)).status).toBe(200);
  });

  it('still answers a Portal User the session queries', async () => {
    expect((await get('query?type=ReplicaJobSession', user)).status).toBe(200);
  });
});

describe('the published samples shapes', () => {
  it('a Job: attributes, and its elements in the order of the published entity', async () => {
    const jobs = list((await xml('query?type=Job&format=Entities')).QueryResult.Entities.Jobs.Job);
    expect(jobs.map((j: Doc) => j['@Name']).sort()).toEqual([
      'Legacy CRM Replica',
      'SQL Replication',
      'Test Replica',
      'Web Farm Replica',
    ]);
    const published = parseXml(fixture('job-entity.xml')).Job;
    const mine = jobs.find((j: Doc) => j['@UID'] === hourly.uid);
    expect(
      Object.keys(mine)
        .filter((k) => k.startsWith('@'))
        .sort(),
    ).toEqual(['@Href', '@Name', '@Type', '@UID']);
    expect(mine).toMatchObject({ '@Type': 'Job', JobType: 'Replica', ScheduleConfigured: 'true' });
    expect(children(mine)).toEqual(children(published).slice(0, children(mine).length));
    expect(mine.Links.Link[0]).toMatchObject({ '@Rel': 'Up', '@Type': 'BackupServerReference' });
  });

  it('a CdpPolicy: in CdpPolicies, the RPO under PolicyScheduleOptions/CdpReplica as in the sample', async () => {
    const result = (await xml('query?type=CdpPolicy&format=Entities&sortAsc=Name')).QueryResult;
    const published = parseXml(fixture('query-cdp-policy.xml')).QueryResult.Entities.CdpPolicies.CdpPolicy;
    const [first, second] = list(result.Entities.CdpPolicies.CdpPolicy);
    const order = children(published);
    expect(
      children(first).every((name, i, all) => order.indexOf(name) > order.indexOf(all[i - 1] ?? '')),
    ).toBe(true);
    expect(first.PolicyScheduleOptions.CdpReplica).toEqual({
      RecoveryPointObjectiveSeconds: '15',
      RecoveryPointObjectiveMinutes: '0',
    });
    expect(first.Description).toBe(''); // `<Description />`, as in the sample
    expect(second.PolicyScheduleOptions.CdpReplica).toEqual({
      RecoveryPointObjectiveSeconds: '0',
      RecoveryPointObjectiveMinutes: '5',
    });
    expect(result.PagingInfo['@PagesCount']).toBe('1');
  });

  it('JSON: double-wrapped, typed booleans and numbers, null for no NextRun', async () => {
    const body = await json('query?type=CdpPolicy&format=Entities');
    expect(body.Entities.Jobs).toBeNull();
    const policies = body.Entities.CdpPolicies.CdpPolicies;
    expect(policies.find((p: Doc) => p.UID === tier1.uid)).toMatchObject({
      Type: 'CdpPolicy',
      ScheduleEnabled: true,
      NextRun: null,
      PolicyScheduleOptions: {
        CdpReplica: { RecoveryPointObjectiveSeconds: 15, RecoveryPointObjectiveMinutes: 0 },
      },
    });
  });

  it('the CDP policy entity at /cdpPolicies/{ID}, and 404 for one that does not exist', async () => {
    const entity = (await xml(`cdpPolicies/${guid(tier2.uid)}?format=Entity`)).CdpPolicy;
    expect(entity).toMatchObject({
      '@UID': tier2.uid,
      NextRun: '2025-08-17T00:00:00Z',
      PolicyType: 'CdpReplica',
    });
    expect((await get('cdpPolicies/00000000-0000-0000-0000-000000000000')).status).toBe(404);
  });

  it('References when format is not Entities', async () => {
    const refs = list((await xml('query?type=Job')).QueryResult.Refs.Ref);
    expect(refs.map((r: Doc) => r['@Type'])).toEqual(Array(4).fill('JobReference'));
  });
});

describe('NextRun and filters', () => {
  it('NextRun: the next of a periodic schedule, a fixed one even once passed, none when disabled or manual', async () => {
    const at = async () =>
      Object.fromEntries(
        list((await xml('query?type=Job&format=Entities')).QueryResult.Entities.Jobs.Job).map((j: Doc) => [
          j['@Name'],
          j.NextRun,
        ]),
      );
    expect(await at()).toEqual({
      'SQL Replication': '2025-08-16T06:30:00Z',
      'Web Farm Replica': '2025-08-16T06:10:00Z',
      'Legacy CRM Replica': undefined,
      'Test Replica': undefined,
    });
    sim.clock.advance(60 * 60_000);
    try {
      expect(await at()).toMatchObject({
        'SQL Replication': '2025-08-16T07:30:00Z',
        'Web Farm Replica': '2025-08-16T06:10:00Z',
      });
    } finally {
      sim.clock.set(NOW);
    }
  });

  it.for([
    ['Job', 'ScheduleEnabled==false', [disabled.name]], // a manual job's schedule is not configured, not disabled
    ['Job', 'ScheduleConfigured==false', [manual.name]],
    ['Job', '(JobType=="Replica";NextRun<"2025-08-16T06:20:00Z")', [once.name]],
    ['Job', `UID=="${hourly.uid}"`, [hourly.name]],
    ['CdpPolicy', 'BackupServerName=="vbr02.tech.local"', [tier1.name]],
  ] as const)('filters %s by %s', async ([type, filter, expected]) => {
    expect(await names(type, filter)).toEqual([...expected].sort());
  });

  it('answers 400 for a field the type does not have', async () => {
    const answer = await get(`query?type=CdpPolicy&filter=${filterOf('JobType=="Replica"')}`);
    expect(answer.status).toBe(400);
    expect(parseXml(answer.text).Error['@Message']).toMatch(/CdpPolicy has no field "JobType"/);
  });

  it('replaces a job by UID when added again: disabled in the console since', async () => {
    sim.add({ jobs: [{ ...hourly, scheduleEnabled: false }] });
    try {
      expect(await names('Job', 'ScheduleEnabled==false')).toContain(hourly.name);
    } finally {
      sim.add({ jobs: [hourly] });
    }
  });
});

describe('ScenarioBuilder.schedule', () => {
  it('lists a job once, the last schedule given; lists none it was not given', () => {
    const builder = new ScenarioBuilder({ now: NOW });
    const job = builder.replicaJob('A');
    job.schedule({ at: NOW });
    job.schedule({ enabled: false });
    builder.replicaJob('B');
    expect(builder.build().jobs).toEqual([
      expect.objectContaining({ name: 'A', scheduleEnabled: false, firstRun: null, jobType: 'Replica' }),
    ]);
    expect(builder.build().cdpPolicies).toEqual([]);
    expect(() => job.schedule({ everyMin: 0 })).toThrow(/everyMin must be a positive number/);
  });
});
