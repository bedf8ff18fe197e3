// Silences, kept in the state table so that adding one needs no redeploy: every poll reads them all (a handful of
// small items in one partition). An operator may be allowed this partition alone (docs/deploy.md, "Silences"):
//
//   pk = SILENCE      sk = <id>      the silence (JSON), expiresAt a day after it ends (so `silence list` shows it)

import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import * as z from 'zod';
import type { Silence } from '../alerts/silence.ts';
import type { SubjectState } from '../alerts/state.ts';
import { DAY } from '../duration.ts';
import { KEY, sendConditional } from './dynamo.ts';

export const SILENCE_PARTITION = 'SILENCE';
/** How long an ended silence stays listed before DynamoDB's TTL deletes it. */
export const KEEP_ENDED_MS = DAY;

export interface SilenceStore {
  /** Every stored silence, ended ones not yet expired included; items that are not silences are skipped. */
  list(): Promise<{ silences: Silence[]; skipped: string[] }>;
  /** Stores a new silence; false when one with its id exists. */
  add(silence: Silence): Promise<boolean>;
  /** Deletes a silence; false when there was none with that id. */
  remove(id: string): Promise<boolean>;
  /** Every subject's state of every EM: what a silence being added or listed matches. */
  subjects(): Promise<SubjectState[]>;
}

/** Stored as given; compared as UTC strings by the engine, so normalised here. */
const iso = z.iso.datetime({ offset: true }).transform((value) => new Date(value).toISOString());
const glob = z.string().min(1).nullable();
/** A stored silence, checked on every read: a hand-edited item must not stop a poll. */
const stored = z.object({
  id: z.string().min(1),
  job: glob,
  server: glob,
  em: glob,
  from: iso,
  until: iso,
  untilResolved: z.boolean(),
  reason: z.string(),
  by: z.string().nullable(),
}) satisfies z.ZodType<Silence>;

export class DynamoSilenceStore implements SilenceStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
  ) {}

  async list(): Promise<{ silences: Silence[]; skipped: string[] }> {
    const silences: Silence[] = [];
    const skipped: string[] = [];
    const query = (ExclusiveStartKey?: Key) =>
      this.client.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: SILENCE_PARTITION } },
          ConsistentRead: true,
          ExclusiveStartKey,
        }),
      );
    for await (const item of items(query)) {
      const parsed = stored.safeParse(parseJson(item.data?.S));
      if (parsed.success) silences.push(parsed.data);
      else skipped.push(item.sk?.S ?? '?');
    }
    return { silences: silences.sort((a, b) => a.from.localeCompare(b.from)), skipped };
  }

  async add(silence: Silence): Promise<boolean> {
    const expiresAt = Math.ceil((Date.parse(silence.until) + KEEP_ENDED_MS) / 1000);
    return sendConditional(
      this.client,
      new PutItemCommand({
        TableName: this.table,
        Item: {
          pk: { S: SILENCE_PARTITION },
          sk: { S: silence.id },
          data: { S: JSON.stringify(stored.parse(silence)) },
          expiresAt: { N: String(expiresAt) },
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async remove(id: string): Promise<boolean> {
    return sendConditional(
      this.client,
      new DeleteItemCommand({
        TableName: this.table,
        Key: { pk: { S: SILENCE_PARTITION }, sk: { S: id } },
        ConditionExpression: 'attribute_exists(pk)',
      }),
    );
  }

  async subjects(): Promise<SubjectState[]> {
    const states: SubjectState[] = [];
    const scan = (ExclusiveStartKey?: Key) =>
      this.client.send(
        new ScanCommand({
          TableName: this.table,
          FilterExpression: 'begins_with(sk, :subject)',
          ExpressionAttributeValues: { ':subject': { S: KEY.subject } },
          ProjectionExpression: '#data',
          ExpressionAttributeNames: { '#data': 'data' },
          ExclusiveStartKey,
        }),
      );
    for await (const item of items(scan)) {
      const state = parseJson(item.data?.S) as SubjectState | undefined;
      if (state?.kind && typeof state.name === 'string') states.push(state);
    }
    return states;
  }
}

type Key = Record<string, AttributeValue>;

/** Every item of a query or scan, page after page. */
async function* items(
  page: (start?: Key) => Promise<{ Items?: Key[] | undefined; LastEvaluatedKey?: Key | undefined }>,
): AsyncGenerator<Key> {
  let start: Key | undefined;
  do {
    const { Items, LastEvaluatedKey } = await page(start);
    yield* Items ?? [];
    start = LastEvaluatedKey;
  } while (start);
}

function parseJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
}
