// The CLI's ends, passed in so tests run commands in-process and read exactly what they print.

export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** A transient status line on a terminal (overwritten in place); absent when stderr is not a terminal. */
  progress?: ((line: string) => void) | undefined;
  readStdin(): Promise<string>;
  env: Record<string, string | undefined>;
  cwd: string;
}

export const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  progress: process.stderr.isTTY ? (line) => process.stderr.write(`\r\x1b[K${line}`) : undefined,
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  env: process.env,
  cwd: process.cwd(),
};
