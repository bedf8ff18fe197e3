// The CLI's ends, passed in so tests run commands in-process and read exactly what they print.

export interface Io {
  out(line: string): void;
  err(line: string): void;
  /** A transient status line on a terminal (overwritten in place); absent when stderr is not a terminal. */
  progress?: ((line: string) => void) | undefined;
  readStdin(): Promise<string>;
  /**
   * Calls `handler` at the first SIGINT or SIGTERM (Ctrl-C) until the returned function is called; a second
   * signal ends the process at once, with exit code 130.
   */
  onInterrupt(handler: () => void): () => void;
  env: Record<string, string | undefined>;
  cwd: string;
  /** The clock polls decide at (tests set it to the simulator's). */
  now(): Date;
}

const INTERRUPTS = ['SIGINT', 'SIGTERM'] as const;

export const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  progress: process.stderr.isTTY ? (line) => process.stderr.write(`\r\x1b[K${line}`) : undefined,
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  onInterrupt: (handler) => {
    let interrupted = false;
    const listener = () => {
      if (interrupted) process.exit(130); // the clean stop takes too long for the user: leave it
      interrupted = true;
      handler();
    };
    for (const signal of INTERRUPTS) process.on(signal, listener);
    return () => {
      for (const signal of INTERRUPTS) process.off(signal, listener);
    };
  },
  env: process.env,
  cwd: process.cwd(),
  now: () => new Date(),
};
