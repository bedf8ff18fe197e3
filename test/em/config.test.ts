import { describe, expect, it } from 'vitest';
import { apiBase } from '../../functions/em/config.ts';
import { EmError } from '../../functions/em/errors.ts';
import { CANARY, findCanary } from '../support/canary.ts';

describe('apiBase', () => {
  it.each([
    ['https://em.example.com:9398/api/', 'https://em.example.com:9398/api/'],
    ['https://em.example.com:9398/api', 'https://em.example.com:9398/api/'],
    ['https://em.example.com:9398', 'https://em.example.com:9398/api/'],
    ['https://em.example.com:9398/', 'https://em.example.com:9398/api/'],
    ['https://em.example.com:9398/api//', 'https://em.example.com:9398/api/'],
    ['https://proxy.example.com/veeam/api/', 'https://proxy.example.com/veeam/api/'],
    ['https://proxy.example.com/veeam', 'https://proxy.example.com/veeam/api/'],
  ])('%s → %s', (input, expected) => {
    expect(apiBase('em', input).href).toBe(expected);
  });

  it.each([
    ['not a url', /not a valid URL/],
    ['ftp://em:9398/api/', /must start with https/],
    ['https://em:9398/api/?v=latest', /must not have a query/],
  ])('refuses %s', (input, message) => {
    expect(() => apiBase('em', input)).toThrow(EmError);
    expect(() => apiBase('em', input)).toThrow(message);
  });

  it('refuses credentials in the URL without echoing them', () => {
    const attempt = () => apiBase('em', `https://admin:${CANARY}@em:9398/api/`);
    expect(attempt).toThrow(/user name or password/);
    try {
      attempt();
    } catch (error) {
      expect(findCanary(String((error as Error).message))).toEqual([]);
    }
  });
});
