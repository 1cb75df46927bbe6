import { formatEnvExports, runMockProviders } from '../providers/index.ts';

/** `call-agent mock-providers`: serves until interrupted. */
export async function mockProvidersCommand(options: {
  port?: number | undefined;
  host: string;
  signal: AbortSignal;
}): Promise<number> {
  const running = await runMockProviders({ port: options.port ?? 0, host: options.host });
  process.stdout.write(
    `# mock providers at ${running.origin} (faults: POST ${running.origin}/__faults, requests: GET ${running.origin}/__requests)\n`,
  );
  process.stdout.write(`${formatEnvExports(running.baseUrls)}\n`);
  if (!options.signal.aborted) {
    await new Promise<void>((resolve) =>
      options.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
  }
  await running.close();
  return 0;
}
