import { formatEnvExports, runMockProviders } from '../providers/index.ts';
import type { Output } from '../redaction/output.ts';

/** `call-agent mock-providers`: serves until interrupted. */
export async function mockProvidersCommand(options: {
  port?: number | undefined;
  host: string;
  output: Output;
  signal: AbortSignal;
}): Promise<number> {
  const { output } = options;
  const running = await runMockProviders({ port: options.port ?? 0, host: options.host });
  output.out(
    `# mock providers at ${running.origin} (faults: POST ${running.origin}/__faults, requests: GET ${running.origin}/__requests)`,
  );
  output.outBlock(formatEnvExports(running.baseUrls));
  if (!options.signal.aborted) {
    await new Promise<void>((resolve) =>
      options.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
  }
  await running.close();
  return 0;
}
