// The EM's response documents, each renderable as XML (the default) or JSON, in the shapes of the published
// samples (fixtures/em): element and property order, `Links/Link`, empty containers, JSON double wrapping.

import { containerOf } from '../em/entities.ts';
import type { EntityType, QueryType } from '../em/model.ts';
import { type FieldRep, type LinkRep, link, type RefRep, type Representation } from './represent.ts';
import { type Attrs, element, textElement, xmlDocument } from './xml.ts';

/** A response document, rendered on demand in the format the client asked for. */
export interface Body {
  xml(): string;
  json(): unknown;
}

const linkXml = (l: LinkRep): string =>
  element('Link', [
    ['Rel', l.rel],
    ['Type', l.type],
    ['Href', l.href],
    ['Name', l.name],
  ]);
const linksXml = (links: readonly LinkRep[]): string => element('Links', [], links.map(linkXml).join(''));
const linksJson = (links: readonly LinkRep[]) =>
  links.map((l) => ({ Rel: l.rel, Href: l.href, Name: l.name, Type: l.type }));

/** An entity links to its reference as Alternate; a reference links to the entity. */
const entityLinks = (rep: Representation): LinkRep[] => [
  ...rep.ups,
  link('Alternate', `${rep.type}Reference`, rep.refHref, rep.name),
  ...rep.downs,
];
const refOf = (rep: Representation): RefRep => ({
  type: `${rep.type}Reference`,
  href: rep.refHref,
  name: rep.name,
  uid: rep.uid,
  links: [...rep.ups, link('Alternate', rep.type, `${rep.refHref}?format=Entity`, rep.name), ...rep.downs],
});

const entityAttrs = (rep: Representation): Attrs => [
  ['Type', rep.type],
  ['Href', rep.href],
  ['Name', rep.name],
  ['VmDisplayName', rep.vmDisplayName],
  ['UID', rep.uid],
];

function fieldsXml(fields: readonly FieldRep[]): string {
  let xml = '';
  for (const { name, value, whenNull } of fields) {
    if (Array.isArray(value)) xml += element(name, [], fieldsXml(value));
    else if (value !== null) xml += textElement(name, String(value));
    else if (whenNull === 'empty') xml += element(name);
  }
  return xml;
}
const fieldsJson = (fields: readonly FieldRep[]): Record<string, unknown> =>
  Object.fromEntries(
    fields.map(({ name, value }) => [name, Array.isArray(value) ? fieldsJson(value) : value]),
  );

const entityContent = (rep: Representation): string => linksXml(entityLinks(rep)) + fieldsXml(rep.fields);

// Query results name a CDP session element `CdpPolicySession` inside `CdpReplicaSessions` (a documented quirk).
const childName = (type: QueryType): string => (type === 'CdpReplicaSession' ? 'CdpPolicySession' : type);
const entityXml = (rep: Representation, name: string = rep.type): string =>
  element(name, entityAttrs(rep), entityContent(rep));

/** JSON: elements and attributes as sibling properties (in the order a real server writes them), null if absent. */
function entityJson(rep: Representation): Record<string, unknown> {
  const json = fieldsJson(rep.fields);
  json.Name = rep.name;
  json.UID = rep.uid;
  if (rep.vmDisplayName !== null) json.VmDisplayName = rep.vmDisplayName;
  json.Links = linksJson(entityLinks(rep));
  json.Href = rep.href;
  json.Type = rep.type;
  return json;
}

const refXml = (ref: RefRep): string =>
  element(
    'Ref',
    [
      ['Type', ref.type],
      ['Href', ref.href],
      ['Name', ref.name],
      ['UID', ref.uid],
    ],
    linksXml(ref.links),
  );
const refJson = (ref: RefRep) => ({
  Links: linksJson(ref.links),
  UID: ref.uid,
  Name: ref.name,
  Href: ref.href,
  Type: ref.type,
});

/** `GET /replicaSessions/{id}?format=Entity` and the like. */
export const entityDocument = (rep: Representation): Body => ({
  xml: () => xmlDocument(rep.type, entityAttrs(rep), entityContent(rep)),
  json: () => entityJson(rep),
});

/** `?format=Entity` collections: `<ReplicaTaskSessions>`, JSON single-wrapped `{"ReplicaTaskSessions":[...]}`. */
export const entityListDocument = (type: EntityType, reps: readonly Representation[]): Body => ({
  xml: () => xmlDocument(`${type}s`, [], reps.map((r) => entityXml(r)).join('')),
  json: () => ({ [`${type}s`]: reps.map(entityJson) }),
});

/** Reference collections (sessions, `/backupServers`): `<EntityReferences>`, JSON `{"Refs":[...]}` (fixtures). */
export const referencesDocument = (refs: readonly RefRep[]): Body => ({
  xml: () => xmlDocument('EntityReferences', [], refs.map(refXml).join('')),
  json: () => ({ Refs: refs.map(refJson) }),
});

export const sessionReferencesDocument = (reps: readonly Representation[]): Body =>
  referencesDocument(reps.map(refOf));

/**
 * How a query that matched no rows answers; no published sample shows one, so each plausible form can be served.
 * - `container`: an empty container element (`<ReplicaJobSessions />`, JSON `{"ReplicaJobSessions": []}`),
 *   PagesCount 1, PageNum as asked.
 * - `bare-entities`: `<Entities />` with no container; JSON `"Entities": {}`, the same object without the
 *   property, as a serializer that leaves out empty members writes it. Reference answers (`<Refs />`) are unchanged.
 * - `pages-count-0`: the container, with PagesCount 0.
 * - `page-num-0`: the container, with PageNum 0 and PagesCount 0.
 */
export type EmptyAnswer = 'container' | 'bare-entities' | 'pages-count-0' | 'page-num-0';

export interface PagingRep {
  pageNum: number;
  pageSize: number;
  pagesCount: number;
  links: LinkRep[];
}

// Every container a real EM lists in a JSON query result, null but for the one queried.
const JSON_CONTAINERS = [
  'Jobs',
  'FailoverPlans',
  'Backups',
  'Replicas',
  'Repositories',
  'RestorePoints',
  'VmRestorePoints',
  'VAppRestorePoints',
  'VmReplicaPoints',
  'BackupJobSessions',
  'ReplicaJobSessions',
  'ReplicaTaskSessions',
  'RestoreSessions',
  'HierarchyRoots',
  'BackupTaskSessions',
  'BackupServers',
  'ManagedServers',
  'EnterpiseRoles',
  'EnterpiseAccounts',
  'WanAccelerators',
  'CloudGateways',
  'CloudTenants',
  'CloudReplicas',
  'VCloudOrganizationConfigs',
  'BackupFiles',
  'VSphereSelfServiceConfigs',
  'CloudPublicIps',
  'CloudHardwarePlans',
  'CloudVmReplicaPoints',
  'AgentRestorePoints',
  'AgentBackupJob',
  'CloudGatewayPools',
  'CloudFailoverPlans',
  'ExternalRepositories',
  'VlanConfigurations',
  'CloudFailoverSessions',
  'AgentProtectionGroups',
  'DiscoveredComputers',
  'FileServers',
  'NASJobs',
  'CdpReplicas',
  'CdpReplicaVms',
  'CdpPolicies',
  'CdpReplicaSessions',
  'CdpReplicaTaskSessions',
  'VAppReplicaPoints',
  'VmCdpReplicas',
  'VAppCdpReplicas',
  'VAppCdpReplicaVms',
  'SystemSessions',
];

/** A `/query` page: `Refs` (format=References) or `Entities` (without a container when `bare`), then `PagingInfo`. */
export function queryResultDocument({
  type,
  reps,
  references,
  paging,
  bare = false,
}: {
  type: QueryType;
  reps: readonly Representation[];
  references: boolean;
  paging: PagingRep;
  bare?: boolean;
}): Body {
  const container = containerOf(type);
  const refs = references ? reps.map(refOf) : [];
  const pagingAttrs: Attrs = [
    ['PageNum', paging.pageNum],
    ['PageSize', paging.pageSize],
    ['PagesCount', paging.pagesCount],
  ];
  return {
    xml: () => {
      const entities = () =>
        bare ? '' : element(container, [], reps.map((r) => entityXml(r, childName(type))).join(''));
      const rows = references
        ? element('Refs', [], refs.map(refXml).join(''))
        : element('Entities', [], entities());
      return xmlDocument(
        'QueryResult',
        [],
        rows + element('PagingInfo', pagingAttrs, linksXml(paging.links)),
      );
    },
    json: () => ({
      Refs: references ? { Refs: refs.map(refJson) } : null,
      Entities: references
        ? null
        : bare
          ? {}
          : Object.fromEntries(
              JSON_CONTAINERS.map((name) => [
                name,
                name === container ? { [name]: reps.map(entityJson) } : null,
              ]),
            ),
      Resources: null,
      Links: null,
      PagingInfo: {
        Links: linksJson(paging.links),
        PageNum: paging.pageNum,
        PageSize: paging.pageSize,
        PagesCount: paging.pagesCount,
      },
    }),
  };
}

/** An `Error` body; the message is the EM's `Message`. */
export const errorDocument = (status: number, message: string): Body => ({
  xml: () =>
    xmlDocument(
      'Error',
      [
        ['Message', message],
        ['StatusCode', status],
      ],
      textElement('FirstChanceExceptionMessage', message),
    ),
  json: () => ({
    FirstChanceExceptionMessage: null,
    Message: message,
    StackTrace: null,
    Status: null,
    StatusCode: status,
  }),
});

export const API_VERSIONS = ['v1_5', 'v1_6', 'v1_7'] as const;

/** `GET /api/`: the entry point listing the supported API versions. */
export function apiRootDocument(base: string): Body {
  const links = [
    link('Down', 'LogonSessionList', `${base}logonSessions`),
    link('Create', 'LogonSession', `${base}sessionMngr/?v=latest`),
  ];
  const versionLinks = (v: string) => [link('Create', 'LogonSession', `${base}sessionMngr/?v=${v}`)];
  return {
    xml: () =>
      xmlDocument(
        'EnterpriseManager',
        [],
        linksXml(links) +
          element(
            'SupportedVersions',
            [],
            API_VERSIONS.map((v) =>
              element('SupportedVersion', [['Name', v]], linksXml(versionLinks(v))),
            ).join(''),
          ),
      ),
    json: () => ({
      Links: linksJson(links),
      SupportedVersions: {
        SupportedVersions: API_VERSIONS.map((v) => ({ Name: v, Links: linksJson(versionLinks(v)) })),
      },
    }),
  };
}

/** The `LogonSession` a logon answers: its `SessionId` (a GUID) is what logoff deletes. */
export function logonSessionDocument(base: string, sessionId: string, userName: string): Body {
  const href = `${base}logonSessions/${sessionId}`;
  const links = [
    link('Up', 'EnterpriseManager', base),
    link('Down', 'ReplicaJobSessionReferenceList', `${base}replicaSessions`),
    link('Down', 'ReplicaTaskSessionReferenceList', `${base}replicaTaskSessions`),
    link('Down', 'QueryService', `${base}querySvc`),
    link('Delete', null, href),
  ];
  return {
    xml: () =>
      xmlDocument(
        'LogonSession',
        [
          ['Type', 'LogonSession'],
          ['Href', href],
        ],
        linksXml(links) + textElement('UserName', userName) + textElement('SessionId', sessionId),
      ),
    json: () => ({
      UserName: userName,
      SessionId: sessionId,
      Links: linksJson(links),
      Href: href,
      Type: 'LogonSession',
    }),
  };
}
