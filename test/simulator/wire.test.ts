import { XMLParser } from 'fast-xml-parser';
import { fetch } from 'undici';
import { describe, expect } from 'vitest';
import { ScenarioBuilder } from '../../functions/simulator/index.ts';
import { fixture } from '../support/fixtures.ts';
import {
  basic,
  call,
  type Doc,
  logon,
  NOW,
  parseXml,
  queryJson,
  SIM_USER,
  shape,
  simulatorTest,
  smallEstate,
  startCanarySimulator,
} from '../support/simulator.ts';

const { sessions: s, cdp, scenario } = smallEstate();
const guid = (uid: string) => uid.slice(uid.lastIndexOf(':') + 1);
const tasksOfOld = scenario.replicaTaskSessions
  .filter((t) => t.jobSessionUid === s.old.uid)
  .map((t) => t.uid);
const runningCdpTask = scenario.cdpReplicaTaskSessions.find(
  (t) => t.policySessionUid === cdp.running.uid && t.creationTime <= NOW && (t.endTime ?? '') > NOW,
);

const it = simulatorTest({ scenario })
  .extend(
    'getXml',
    { scope: 'file' },
    ({ get }) =>
      async (path: string) =>
        parseXml((await get(path, 'application/xml')).text),
  )
  .extend(
    'getJson',
    { scope: 'file' },
    ({ get }) =>
      async (path: string): Promise<Doc> =>
        JSON.parse((await get(path, 'application/json')).text),
  );
const filterOf = (filter: string) => encodeURIComponent(filter);

describe('XML has the shapes of the published samples', () => {
  it.for<[string, () => string]>([
    [
      'query-replica-job-session.xml',
      () => `query?type=ReplicaJobSession&format=Entities&filter=${filterOf(`UID=="${s.success.uid}"`)}`,
    ],
    [
      'query-replica-task-session.xml',
      () =>
        `query?type=ReplicaTaskSession&format=Entities&filter=${filterOf(`JobSessionUid=="${s.success.uid}"`)}`,
    ],
    // Children named CdpPolicySession: the documented quirk. The running session comes first, as in the sample.
    [
      'query-cdp-replica-session.xml',
      () => 'query?type=CdpReplicaSession&format=Entities&sortDesc=CreationTimeUTC',
    ],
    [
      'query-cdp-replica-task-session.xml',
      () =>
        `query?type=CdpReplicaTaskSession&format=Entities&filter=${filterOf(`PolicySessionUid=="${cdp.failed.uid}";VmDisplayName==dc02`)}`,
    ],
    ['replica-session-entity.xml', () => `replicaSessions/${guid(s.success.uid)}?format=Entity`],
    [
      'replica-task-sessions.xml',
      () => `replicaSessions/${guid(s.special.uid)}/replicaTaskSessions?format=Entity`,
    ],
    ['cdp-replica-session-entity.xml', () => `cdpReplicaSessions/${guid(cdp.running.uid)}?format=Entity`],
    [
      'cdp-replica-task-session-entity.xml',
      () => `cdpReplicaTaskSessions/${guid(runningCdpTask?.uid ?? '')}?format=Entity`,
    ],
    ['api-root.xml', () => '/api/'],
  ])('%s', async ([name, path], { getXml }) => {
    expect(shape(await getXml(path()))).toEqual(shape(parseXml(fixture(name))));
  });

  it.for<[string, string]>([
    ['replica-sessions-refs.xml', 'replicaSessions'],
    ['cdp-replica-task-sessions-refs.xml', 'cdpReplicaTaskSessions'],
  ])('%s (one reference)', async ([name, path], { getXml }) => {
    const mine = (await getXml(path)).EntityReferences.Ref[0];
    expect(shape(mine)).toEqual(shape(parseXml(fixture(name)).EntityReferences.Ref[0]));
  });

  it('the LogonSession and the Error', async ({ sim, getXml }) => {
    const logonAnswer = await call(sim, 'sessionMngr/?v=latest', {
      method: 'POST',
      headers: {
        authorization: basic(SIM_USER.username, SIM_USER.password),
      },
    });
    const mine = parseXml(logonAnswer.text).LogonSession;
    const published = parseXml(fixture('logon-session.xml')).LogonSession;
    expect(Object.keys(mine).filter((k) => !k.startsWith('@xmlns'))).toEqual(
      Object.keys(published).filter((k) => !k.startsWith('@xmlns')),
    );
    await call(sim, `logonSessions/${mine.SessionId}`, {
      method: 'DELETE',
      headers: { 'x-restsvcsessionid': logonAnswer.headers.get('x-restsvcsessionid') ?? '' },
    });
    expect(shape(await getXml('replicaSessions/00000000-0000-0000-0000-000000000000?format=Entity'))).toEqual(
      shape(parseXml(fixture('error-500.xml'))),
    );
  });

  it('writes times as the EM does: UTC, Z, trailing fraction zeros dropped', async ({ getXml }) => {
    const entity = (await getXml(`replicaSessions/${guid(s.success.uid)}?format=Entity`)).ReplicaJobSession;
    expect(entity.CreationTimeUTC).toBe('2025-08-15T20:00:00Z');
    expect(entity.EndTimeUTC).toMatch(/^2025-08-15T20:20:00(\.\d{1,3})?Z$/);
    expect(entity.EndTimeUTC).not.toMatch(/0Z$/);
  });
});

describe('JSON has the shapes of the published samples', () => {
  const keys = (value: Doc) => Object.keys(value).sort();

  it('a query result: Refs, double-wrapped Entities with every container, PagingInfo; typed values', async ({
    getJson,
  }) => {
    const published = JSON.parse(fixture('query-backup-job-session.json'));
    const mine = await getJson(
      `query?type=ReplicaJobSession&format=Entities&filter=${filterOf(`UID=="${s.retry.uid}"`)}`,
    );
    expect(keys(mine)).toEqual(keys(published));
    expect(keys(mine.Entities)).toEqual(keys(published.Entities));
    expect(keys(mine.PagingInfo)).toEqual(keys(published.PagingInfo));
    const [row] = mine.Entities.ReplicaJobSessions.ReplicaJobSessions;
    const [sample] = published.Entities.BackupJobSessions.BackupJobSessions;
    expect(keys(row)).toEqual(keys(sample));
    expect(keys(row.Links[0])).toEqual(keys(sample.Links[0]));
    expect(row).toMatchObject({ IsRetry: true, Progress: 100, FailureMessage: null, Result: 'Success' });
    expect(mine.Entities.BackupJobSessions).toBeNull();
    expect(mine.Refs).toBeNull();
  });

  it('References, ?format=Entity lists (single-wrapped), and the Error', async ({ getJson }) => {
    const refs = await getJson('replicaSessions');
    const sample = JSON.parse(fixture('refs-collection.json'));
    expect(keys(refs)).toEqual(keys(sample));
    expect(keys(refs.Refs[0])).toEqual(keys(sample.Refs[0]));
    expect(keys(refs.Refs[0].Links[0])).toEqual(keys(sample.Refs[0].Links[0]));
    const tasks = await getJson(`replicaSessions/${guid(s.failed.uid)}/replicaTaskSessions?format=Entity`);
    expect(keys(tasks)).toEqual(['ReplicaTaskSessions']);
    expect(tasks.ReplicaTaskSessions.map((t: Doc) => t.Result).sort()).toEqual(['Failed', 'Success']);
    expect(tasks.ReplicaTaskSessions.find((t: Doc) => t.Result === 'Success')).toMatchObject({
      Reason: null,
      TotalSize: expect.any(Number),
    });
    const error = await getJson('replicaSessions/00000000-0000-0000-0000-000000000000');
    expect(keys(error)).toEqual(keys(JSON.parse(fixture('error-400.json'))));
    expect(error.StatusCode).toBe(404);
  });

  it('prefixes a byte-order mark when told to, as some EM versions do', async () => {
    const bom = await startCanarySimulator({ scenario, jsonBom: true });
    try {
      const login = await logon(bom);
      const response = await fetch(new URL('query?type=ReplicaJobSession', bom.url), {
        headers: { 'x-restsvcsessionid': login.token, accept: 'application/json' },
      });
      const bytes = Buffer.from(await response.arrayBuffer());
      expect([...bytes.subarray(0, 4)]).toEqual([0xef, 0xbb, 0xbf, '{'.charCodeAt(0)]);
      expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
      await call(bom, `logonSessions/${login.sessionId}`, {
        method: 'DELETE',
        headers: { 'x-restsvcsessionid': login.token },
      });
    } finally {
      await bom.close();
    }
  });
});

describe('escaping', () => {
  const nasty = 'Büro "Nord" & <Süd> \'1\'\ttab\nline\r\nCRLF 日本 🚀 \u0001end';
  const nastySim = async () => {
    const b = new ScenarioBuilder({ now: NOW, seed: 'escaping' });
    b.replicaJob(nasty).run({
      start: '2025-08-16T01:00:00Z',
      vms: [{ name: `${nasty} vm`, result: 'Failed', reason: `${nasty} reason` }],
      failureMessage: nasty,
    });
    return startCanarySimulator({ scenario: b.build() });
  };
  const exact = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    parseTagValue: false,
    trimValues: false,
    htmlEntities: true,
  });

  it('round-trips names, reasons and messages through XML and JSON (characters XML cannot carry become U+FFFD)', async () => {
    const other = await nastySim();
    try {
      const login = await logon(other);
      const headers = { 'x-restsvcsessionid': login.token };
      const expected = nasty.replace('\u0001', '\uFFFD');
      const xmlJob = exact.parse(
        (await call(other, 'query?type=ReplicaJobSession&format=Entities', { headers })).text,
      ).QueryResult.Entities.ReplicaJobSessions.ReplicaJobSession;
      expect(xmlJob.JobName).toBe(expected);
      expect(xmlJob.FailureMessage).toBe(expected);
      expect(xmlJob['@Name']).toBe(`${expected}@2025-08-16 01:00:00`);
      const xmlTask = exact.parse(
        (await call(other, 'query?type=ReplicaTaskSession&format=Entities', { headers })).text,
      ).QueryResult.Entities.ReplicaTaskSessions.ReplicaTaskSession;
      expect(xmlTask['@VmDisplayName']).toBe(`${expected} vm`);
      expect(xmlTask.Reason).toBe(`${expected} reason`);
      const json = await queryJson(other, login.token, { type: 'ReplicaTaskSession' });
      expect(json.items[0]).toMatchObject({ VmDisplayName: `${nasty} vm`, Reason: `${nasty} reason` });
      const byName = await queryJson(other, login.token, {
        type: 'ReplicaJobSession',
        filter: `JobName=="${nasty.replaceAll('"', '""')}"`,
      });
      expect(byName.items).toHaveLength(1);
      await call(other, `logonSessions/${login.sessionId}`, { method: 'DELETE', headers });
    } finally {
      await other.close();
    }
  });
});

describe('entity endpoints and collections', () => {
  it('serves one session, its tasks (entities or references), and 404s for unknown or not yet existing ids', async ({
    get,
    getXml,
  }) => {
    const job = (await getXml(`replicaSessions/${guid(s.failed.uid)}?format=Entity`)).ReplicaJobSession;
    expect(job).toMatchObject({ '@UID': s.failed.uid, Result: 'Failed', State: 'Stopped', IsRetry: 'false' });
    const tasks = (await getXml(`replicaSessions/${guid(s.failed.uid)}/replicaTaskSessions?format=Entity`))
      .ReplicaTaskSessions.ReplicaTaskSession;
    expect(tasks.map((t: Doc) => t['@VmDisplayName']).sort()).toEqual(['sql01', 'sql02']);
    const refs = (await getXml(`replicaSessions/${guid(s.failed.uid)}/replicaTaskSessions`)).EntityReferences
      .Ref;
    expect(refs.map((r: Doc) => r['@Type'])).toEqual([
      'ReplicaTaskSessionReference',
      'ReplicaTaskSessionReference',
    ]);
    const task = tasks.find((t: Doc) => t.Result === 'Failed');
    const one = await getXml(`replicaTaskSessions/${guid(task['@UID'])}?format=Entity`);
    expect(one.ReplicaTaskSession.Reason).toBe(task.Reason);
    for (const missing of [
      `replicaSessions/${guid(s.future.uid)}?format=Entity`,
      `replicaSessions/${guid(s.future.uid)}/replicaTaskSessions?format=Entity`,
      'replicaSessions/11111111-2222-3333-4444-555555555555?format=Entity',
      'cdpReplicaSessions/not-a-guid',
    ]) {
      expect((await get(missing, 'application/xml')).status).toBe(404);
    }
  });

  it('serves CDP task sessions under their policy session, with the Href quirk', async ({ getXml }) => {
    const syncs = (
      await getXml(`cdpReplicaSessions/${guid(cdp.failed.uid)}/cdpReplicaTaskSessions?format=Entity`)
    ).CdpReplicaTaskSessions.CdpReplicaTaskSession;
    expect(syncs).toHaveLength(6);
    expect(syncs[0]['@Href']).toContain('/api/replicaTaskSessions/');
    expect(syncs[0].Links.Link.find((l: Doc) => l['@Rel'] === 'Alternate')['@Href']).toContain(
      '/api/cdpReplicaTaskSessions/',
    );
  });

  it('lists only the last 30 days in the plain collections, while /query has no such limit', async ({
    sim,
    token,
    getXml,
  }) => {
    const uids = (await getXml('replicaSessions')).EntityReferences.Ref.map((r: Doc) => r['@UID']);
    expect(uids).toContain(s.success.uid);
    expect(uids).not.toContain(s.old.uid);
    expect(uids).not.toContain(s.future.uid);
    const all = await queryJson(sim, token, { type: 'ReplicaJobSession', filter: `UID=="${s.old.uid}"` });
    expect(all.items).toHaveLength(1);
    const taskRefs = (await getXml('replicaTaskSessions')).EntityReferences.Ref;
    expect(taskRefs.every((r: Doc) => !tasksOfOld.includes(r['@UID']))).toBe(true);
  });
});
