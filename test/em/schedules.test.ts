// Job schedules and CDP policies: the lenient parser (every plausible form, in XML and JSON) and the reader against
// the simulator over real HTTP (paging, the Portal Administrator role, an EM that does not know the type).
import { afterEach, describe, expect, it } from 'vitest';
import { withSession } from '../../functions/em/client.ts';
import type { EmConfig } from '../../functions/em/config.ts';
import { containerOf } from '../../functions/em/entities.ts';
import { EmParseError } from '../../functions/em/errors.ts';
import type { ScheduleType, WireFormat } from '../../functions/em/model.ts';
import {
  describeSchedules,
  parseSchedulePage,
  readSchedules,
  type ScheduleRead,
  tally,
} from '../../functions/em/schedules.ts';
import { ScenarioBuilder, type Simulator, startSimulator } from '../../functions/simulator/index.ts';
import { escapeAttr } from '../../functions/simulator/xml.ts';
import { canaryUser } from '../support/canary.ts';

type Entry = Record<string, unknown>;

const SERVER = '22222222-2222-2222-2222-222222222222';
const JOB: Entry = {
  UID: 'urn:veeam:Job:11111111-1111-1111-1111-111111111111',
  Name: 'SQL Replication',
  JobType: 'Replica',
  ScheduleConfigured: 'true',
  ScheduleEnabled: 'true',
  NextRun: '2025-08-16T07:00:00Z',
};
const POLICY: Entry = {
  UID: 'urn:veeam:CdpPolicy:33333333-3333-3333-3333-333333333333',
  Name: 'CDP Tier1',
  PolicyType: 'CdpReplica',
  ScheduleConfigured: 'true',
  ScheduleEnabled: 'true',
  PolicyScheduleOptions: {
    CdpReplica: { RecoveryPointObjectiveSeconds: '15', RecoveryPointObjectiveMinutes: '0' },
  },
};

/** Elements for an entry's fields, nesting objects; undefined and null values are left out, as XML can't say null. */
function elements(entry: Entry): string {
  return Object.entries(entry)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([name, value]) =>
      typeof value === 'object'
        ? `<${name}>${elements(value as Entry)}</${name}>`
        : `<${name}>${escapeAttr(String(value))}</${name}>`,
    )
    .join('\n');
}

/** A query answer holding `entries`, each with a link up to its backup server, in the shapes of the samples. */
function answer(format: WireFormat, type: ScheduleType, entries: Entry[]): string {
  const container = containerOf(type);
  const href = `https://em:9398/api/backupServers/${SERVER}`;
  if (format === 'json') {
    const link = { Rel: 'Up', Href: href, Name: 'vbr01.tech.local', Type: 'BackupServerReference' };
    const rows = entries.map((entry) => ({ ...entry, Links: [link], Type: type }));
    return JSON.stringify({
      Refs: null,
      Entities: { [container]: { [container]: rows } },
      PagingInfo: { PageNum: 1, PageSize: 100, PagesCount: 1, Links: [] },
    });
  }
  const rows = entries.map(({ UID, Name, ...rest }) => {
    const attrs = Object.entries({ UID, Name })
      .filter(([, v]) => typeof v === 'string')
      .map(([k, v]) => ` ${k}="${escapeAttr(String(v))}"`)
      .join('');
    const link = `<Link Rel="Up" Type="BackupServerReference" Href="${href}" Name="vbr01.tech.local" />`;
    return `<${type} Type="${type}"${attrs}><Links>${link}</Links>${elements(rest)}</${type}>`;
  });
  return (
    `<QueryResult xmlns="http://www.veeam.com/ent/v1.0"><Entities><${container}>${rows.join('')}</${container}>` +
    '</Entities><PagingInfo PageNum="1" PageSize="100" PagesCount="1" /></QueryResult>'
  );
}

describe.each(['xml', 'json'] as const)('parseSchedulePage in %s', (format) => {
  const one = (type: ScheduleType, entry: Entry) =>
    parseSchedulePage(type, answer(format, type, [entry]), format);

  it('reads a replica job: UID, name, backup server from its link, schedule, NextRun', () => {
    expect(one('Job', JOB)).toEqual({
      pageNum: 1,
      pageSize: 100,
      pagesCount: 1,
      problems: [],
      items: [
        {
          kind: 'replica-job',
          uid: JOB.UID,
          name: 'SQL Replication',
          backupServerUid: `urn:veeam:BackupServer:${SERVER}`,
          backupServerName: 'vbr01.tech.local',
          scheduleConfigured: true,
          scheduleEnabled: true,
          nextRun: '2025-08-16T07:00:00.000Z',
        },
      ],
    });
  });

  it.for([
    ['true', true],
    ['True', true],
    ['TRUE', true],
    [' true ', true],
    ['1', true],
    [true, true],
    ['false', false],
    ['False', false],
    ['0', false],
    [false, false],
    ['yes', null, 'ScheduleEnabled is not true or false ("yes")'],
    [undefined, null, 'ScheduleEnabled is missing'],
  ] as const)('ScheduleEnabled %j is %j', ([given, enabled, problem]) => {
    const page = one('Job', { ...JOB, ScheduleEnabled: given });
    expect(page.items[0]?.scheduleEnabled).toBe(enabled);
    expect(page.problems).toEqual(problem ? [`Job "SQL Replication": ${problem}`] : []);
  });

  it.for([
    ['2025-08-16T07:00:00Z', '2025-08-16T07:00:00.000Z'],
    ['2025-08-16T07:00:00.1234567Z', '2025-08-16T07:00:00.123Z'],
    ['2025-08-14T12:31:31.000000Z', '2025-08-14T12:31:31.000Z'], // the form the Job page gives
    ['2025-08-16T09:00:00+02:00', '2025-08-16T07:00:00.000Z'],
    ['2025-08-16T07:00:00', '2025-08-16T07:00:00.000Z'], // "UTC-formatted", without the Z
    [undefined, null], // the docs: scheduled jobs only; the immediate copy sample has none
    ['', null],
    ['0001-01-01T00:00:00', null], // .NET's DateTime.MinValue: no time
    ['9999-12-31T23:59:59.9999999Z', null],
    ['next Tuesday', null, 'NextRun is not a time ("next Tuesday")'],
    ['2025-02-30T07:00:00Z', null, 'NextRun is not a time ("2025-02-30T07:00:00Z")'],
  ] as const)('NextRun %j is %j', ([given, nextRun, problem]) => {
    const page = one('Job', { ...JOB, NextRun: given });
    expect(page.items[0]?.nextRun).toBe(nextRun);
    expect(page.problems).toEqual(problem ? [`Job "SQL Replication": ${problem}`] : []);
  });

  it.for([
    ['Replica', 1],
    ['replica', 1],
    ['Replication', 1],
    ['ReplicaJob', 1],
    ['Backup', 0],
    ['BackupCopy', 0],
    ['ImmediateBackupCopy', 0],
  ] as const)('keeps JobType %s: %i', ([jobType, kept]) => {
    const page = one('Job', { ...JOB, JobType: jobType });
    expect(page.items).toHaveLength(kept);
    expect(page.problems).toEqual([]); // another job type is not a problem, just not ours
  });

  it.for([
    [{ CdpReplica: { RecoveryPointObjectiveSeconds: 15, RecoveryPointObjectiveMinutes: 0 } }, 15],
    [{ CdpReplica: { RecoveryPointObjectiveSeconds: 0, RecoveryPointObjectiveMinutes: 5 } }, 300],
    [{ CdpReplica: { RecoveryPointObjectiveSeconds: 300, RecoveryPointObjectiveMinutes: 5 } }, 300],
    [{ CdpReplica: { RecoveryPointObjectiveSeconds: 90, RecoveryPointObjectiveMinutes: 1 } }, 90],
    [{ CdpReplica: { RecoveryPointObjectiveSeconds: 15 } }, 15],
    [{ CdpReplica: { RecoveryPointObjectiveMinutes: 2 } }, 120],
    [{ RecoveryPointObjectiveSeconds: 20, RecoveryPointObjectiveMinutes: 0 }, 20], // not nested in CdpReplica
    [
      { CdpReplica: { RecoveryPointObjectiveSeconds: 30, RecoveryPointObjectiveMinutes: 5 } },
      null,
      'RecoveryPointObjective is given as 30 seconds and 5 minutes, which disagree',
    ],
    [
      { CdpReplica: { RecoveryPointObjectiveSeconds: 0, RecoveryPointObjectiveMinutes: 0 } },
      null,
      'RecoveryPointObjective is 0',
    ],
    [
      { CdpReplica: { RecoveryPointObjectiveSeconds: '15s', RecoveryPointObjectiveMinutes: 0 } },
      null,
      'RecoveryPointObjectiveSeconds/Minutes are not whole numbers ("15s", 0)',
    ],
    [{ CdpReplica: { RPOSchedule: 'x' } }, null, 'PolicyScheduleOptions has no RecoveryPointObjective'],
    [undefined, null, 'PolicyScheduleOptions has no RecoveryPointObjective'],
  ] as const)('PolicyScheduleOptions %j gives an RPO of %j seconds', ([options, seconds, problem]) => {
    const page = one('CdpPolicy', { ...POLICY, PolicyScheduleOptions: options });
    const [policy] = page.items;
    expect(policy?.rpo).toEqual(seconds === null ? undefined : { seconds });
    expect(policy?.scheduleEnabled).toBe(true); // the rest of the entry is read all the same
    // XML has no types: a JSON number reads as its text there, so the message quotes it either way round.
    expect(page.problems.map((p) => p.replace('"0"', '0'))).toEqual(
      problem ? [`CdpPolicy "CDP Tier1": ${problem}`] : [],
    );
  });

  it('leaves out an entry without a UID or JobType, names it, and reads the others', () => {
    const page = parseSchedulePage(
      'Job',
      answer(format, 'Job', [
        { ...JOB, UID: undefined, Name: 'No UID' },
        { ...JOB, UID: `urn:veeam:Job:${'x'.repeat(300)}`, Name: 'Long UID' },
        { ...JOB, JobType: undefined, Name: 'No type' },
        JOB,
      ]),
      format,
    );
    expect(page.items.map((s) => s.name)).toEqual(['SQL Replication']);
    expect(page.problems).toEqual([
      'Job "No UID": it has no UID; left out',
      'Job "Long UID": its UID is 314 characters long; left out',
      'Job "No type": it has no JobType; left out',
    ]);
  });

  it('reads an empty answer as no entries, and throws only for an answer that is not one', () => {
    const empty =
      format === 'xml' ? '<QueryResult><Entities /></QueryResult>' : '{"Entities":{"CdpPolicies":null}}';
    expect(parseSchedulePage('CdpPolicy', empty, format)).toMatchObject({ items: [], problems: [] });
    // Jobs where policies were asked for is another answer, not "no policies".
    expect(() => parseSchedulePage('CdpPolicy', answer(format, 'Job', [JOB]), format)).toThrow(EmParseError);
  });
});

it('takes JSON as a real server types it: booleans and numbers, nulls for absent values', () => {
  const json = answer('json', 'CdpPolicy', [
    {
      ...POLICY,
      ScheduleEnabled: false,
      NextRun: null,
      Description: null,
      PolicyScheduleOptions: {
        CdpReplica: { RecoveryPointObjectiveSeconds: 0, RecoveryPointObjectiveMinutes: 10 },
      },
    },
  ]);
  expect(parseSchedulePage('CdpPolicy', json, 'json')).toMatchObject({
    problems: [],
    items: [
      {
        kind: 'cdp-policy',
        scheduleConfigured: true,
        scheduleEnabled: false,
        nextRun: null,
        rpo: { seconds: 600 },
      },
    ],
  });
});

describe('tally and describeSchedules', () => {
  const page = parseSchedulePage(
    'Job',
    answer('xml', 'Job', [
      JOB,
      { ...JOB, UID: `${JOB.UID}2`, ScheduleEnabled: 'false' },
      { ...JOB, UID: `${JOB.UID}3`, ScheduleConfigured: 'false', ScheduleEnabled: 'false' },
      { ...JOB, UID: `${JOB.UID}4`, ScheduleEnabled: 'maybe' },
    ]),
    'xml',
  );

  it('counts scheduled, disabled, manual and not said', () => {
    expect(tally(page.items)).toEqual({ scheduled: 1, disabled: 1, manual: 1, unknown: 1 });
  });

  it('says it in one line, with the first problem or why it is unavailable', () => {
    const read: ScheduleRead = {
      type: 'Job',
      available: true,
      schedules: page.items,
      problems: page.problems,
      problemCount: 1,
    };
    expect(describeSchedules(read)).toBe(
      '4 replica jobs: 1 scheduled, 1 disabled, 1 manual, 1 not said; 1 problem, e.g. ' +
        'Job "SQL Replication": ScheduleEnabled is not true or false ("maybe")',
    );
    expect(
      describeSchedules({ ...read, type: 'CdpPolicy', schedules: [], problems: [], problemCount: 0 }),
    ).toBe('0 CDP policies: 0 scheduled, 0 disabled, 0 manual');
  });
});

describe('readSchedules against the simulator', () => {
  const NOW = '2025-08-16T06:00:00Z';
  const ADMIN = canaryUser('TECH\\em-admin', 'portal-administrator');
  const USER = canaryUser('TECH\\svc-replica');
  const b = new ScenarioBuilder({ now: NOW, seed: 'schedules' });
  const hourly = b.replicaJob('SQL Replication').schedule({ at: '2025-08-16T00:30:00Z', everyMin: 60 });
  const once = b
    .replicaJob('Web Farm Replica', { backupServer: 'vbr02.tech.local' })
    .schedule({ at: '2025-08-16T06:10:00Z' });
  const disabled = b.replicaJob('Legacy CRM Replica').schedule({ at: NOW, everyMin: 120, enabled: false });
  const manual = b.replicaJob('Test Replica').schedule({ configured: false });
  b.replicaJob('Unlisted Replica'); // a job given no schedule is not listed: the EM says nothing of it
  const tier1 = b.cdpPolicy('CDP Tier1').schedule({ at: '2025-08-17T00:00:00Z' });
  const tier2 = b.cdpPolicy('CDP Tier2').schedule({ rpoSeconds: 300, enabled: false });
  const scenario = b.build();

  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });
  const start = async () => {
    sim = await startSimulator({ scenario, users: [ADMIN, USER] });
    return sim;
  };
  const config = (s: Simulator, extra: Partial<EmConfig> = {}): EmConfig => ({
    name: 'em-test',
    url: s.url,
    credentials: ADMIN,
    retry: { attempts: 1 },
    ...extra,
  });
  const read = (s: Simulator, type: ScheduleType, extra: Partial<EmConfig> = {}) =>
    withSession(config(s, extra), (em) => readSchedules(em, type));
  const byName = (result: ScheduleRead) =>
    Object.fromEntries((result.available ? result.schedules : []).map((s) => [s.name, s]));

  it.each(['xml', 'json'] as const)(
    'reads every replica job page by page in %s, sorted by UID',
    async (format) => {
      const s = await start();
      const jobs = await read(s, 'Job', { format, pageSize: 2 });
      expect(jobs).toMatchObject({ available: true, problems: [], problemCount: 0 });
      expect(byName(jobs)).toEqual({
        'SQL Replication': {
          kind: 'replica-job',
          uid: hourly.uid,
          name: 'SQL Replication',
          backupServerUid: hourly.backupServerUid,
          backupServerName: 'vbr01.tech.local',
          scheduleConfigured: true,
          scheduleEnabled: true,
          nextRun: '2025-08-16T06:30:00.000Z',
        },
        'Web Farm Replica': expect.objectContaining({ uid: once.uid, nextRun: '2025-08-16T06:10:00.000Z' }),
        'Legacy CRM Replica': expect.objectContaining({
          uid: disabled.uid,
          scheduleEnabled: false,
          nextRun: null,
        }),
        'Test Replica': expect.objectContaining({
          uid: manual.uid,
          scheduleConfigured: false,
          nextRun: null,
        }),
      });
      const queries = s.requests.filter((r) => r.path === '/api/query');
      expect(queries.map((r) => r.query.page)).toEqual(['1', '2']);
      expect(queries[0]?.query).toMatchObject({ type: 'Job', sortAsc: 'UID', filter: 'JobType=="Replica"' });
      expect(s.openSessions()).toBe(0);
    },
  );

  it('reads CDP policies with their RPO, and NextRun as it moves with the clock', async () => {
    const s = await start();
    expect(byName(await read(s, 'CdpPolicy', { format: 'json' }))).toEqual({
      'CDP Tier1': expect.objectContaining({ kind: 'cdp-policy', uid: tier1.uid, rpo: { seconds: 15 } }),
      'CDP Tier2': expect.objectContaining({ uid: tier2.uid, scheduleEnabled: false, rpo: { seconds: 300 } }),
    });
    s.clock.advance(60 * 60_000);
    const later = byName(await read(s, 'Job'));
    expect(later['SQL Replication']?.nextRun).toBe('2025-08-16T07:30:00.000Z'); // the next of its hourly runs
    expect(later['Web Farm Replica']?.nextRun).toBe('2025-08-16T06:10:00.000Z'); // passed: a missed run shows
    s.add({ jobs: [{ ...hourly, scheduleEnabled: false }] }); // disabled in the console since
    expect(byName(await read(s, 'Job'))['SQL Replication']).toMatchObject({
      scheduleEnabled: false,
      nextRun: null,
    });
  });

  it('is unavailable, not an error, for a Portal User: 403 on both queries, and the session goes on', async () => {
    const s = await start();
    await withSession(config(s, { credentials: USER }), async (em) => {
      for (const type of ['Job', 'CdpPolicy'] as const) {
        const result = await readSchedules(em, type);
        expect(result).toMatchObject({
          available: false,
          reason: 'forbidden',
          message: 'HTTP 403: needs the Enterprise Manager role Portal Administrator',
        });
        expect(describeSchedules(result)).toMatch(/Portal Administrator; (schedule-aware rules|CDP alerts)/);
      }
      for await (const _ of em.query('ReplicaJobSession')) break; // Portal User's own queries still work
    });
    expect(s.openSessions()).toBe(0);
  });

  it.for([
    [
      { kind: 'status', status: 400, message: 'Unknown type Job' },
      'unsupported',
      /older EM may not know.*HTTP 400.*Unknown type Job/,
    ],
    [{ kind: 'malformed' }, 'unreadable', /got an HTML page/],
    [
      { kind: 'status', status: 500, message: 'Object reference not set' },
      'failed',
      /HTTP 500.*Object reference/,
    ],
  ] as const)('is unavailable for %j: %s', async ([fault, reason, message]) => {
    const s = await start();
    s.faults.add({ ...fault, queryType: 'Job', times: Number.POSITIVE_INFINITY });
    const result = await read(s, 'Job');
    expect(result).toMatchObject({ available: false, reason });
    expect(result.available ? '' : result.message).toMatch(message);
    expect(s.openSessions()).toBe(0);
  });
});
