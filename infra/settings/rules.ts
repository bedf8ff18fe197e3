// Rules more than one setting follows: an https:// URL that carries no credentials (settings land in the
// CloudFormation template, which anyone who may read the stack can see). The secret ARN and EM name rules are the
// Lambda's too, so they live in functions/rules.ts.

import type * as z from 'zod';
import { redactUrl } from '../../functions/em/config.ts';

export interface UrlRule {
  /** What to give: the whole fix, e.g. `give an https:// URL, e.g. "https://...".` */
  fix: string;
  /** Where credentials go instead of the URL. */
  credentials: string;
  /** A query or fragment is allowed (webhooks), or not (an API base). */
  query: boolean;
}

/** An https:// URL with no user name or password in it; a problem never repeats them. */
export function httpsUrl(rule: UrlRule) {
  return (value: string, ctx: z.RefinementCtx<string>) => {
    const problem = urlProblem(value, rule);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  };
}

function urlProblem(value: string, { fix, credentials, query }: UrlRule): string | undefined {
  if (!URL.canParse(value)) return `"${redactUrl(value)}" is not a URL; ${fix}`;
  const url = new URL(value);
  if (url.protocol !== 'https:') return `use https:// (got ${url.protocol}); ${fix}`;
  if (url.username || url.password) return `remove the user name or password from the URL; ${credentials}`;
  if (!query && (url.search || url.hash)) return `remove the query or fragment; ${fix}`;
  return undefined;
}
