import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, rmSync } from 'node:fs';
import { Agent, fetch } from 'undici';
import { describe, expect, it } from 'vitest';
import { DEFAULT_USER } from '../../functions/simulator/index.ts';
import { CANARY, findCanary } from '../support/canary.ts';
import { basic } from '../support/simulator.ts';

const MAIN = new URL('../../functions/simulator/main.ts', import.meta.url).pathname;

describe('the simulator command line', () => {
  it('starts over TLS on the demo day, prints URL, user and CA file, takes EM_PASSWORD, stops on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, '--port', '0', '--tls'], {
      env: { ...process.env, EM_PASSWORD: CANARY },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let errors = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      errors += chunk;
    });
    const exited = once(child, 'exit');
    try {
      while (!output.includes('Press Ctrl+C to stop.')) {
        const early = exited.then(() => Promise.reject(new Error(`The simulator exited: ${errors}`)));
        await Promise.race([once(child.stdout, 'data'), early]);
      }
      const url = /at (https:\/\/127\.0\.0\.1:\d+\/api\/)/.exec(output)?.[1] ?? '';
      const caFile = /CA file: +(\S+)/.exec(output)?.[1] ?? '';
      expect(output).toContain(`user:     ${DEFAULT_USER.username}`);
      expect(output).toContain('password: from EM_PASSWORD');
      expect(findCanary(output + errors)).toEqual([]);
      const dispatcher = new Agent({ connect: { ca: readFileSync(caFile, 'utf8') } });
      const response = await fetch(`${url}sessionMngr/?v=latest`, {
        method: 'POST',
        headers: { authorization: basic(DEFAULT_USER.username, CANARY) },
        dispatcher,
      });
      expect(response.status).toBe(201);
      await dispatcher.close();
      rmSync(caFile);
    } finally {
      child.kill('SIGTERM');
      const [code] = await exited;
      expect(code).toBe(0);
    }
  });
});
