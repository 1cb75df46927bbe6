import { describeMockLimits, formatEnvExports, runMockProviders } from '../providers/index.ts';
import type { Output } from '../redaction/output.ts';

/** `call-agent mock-providers`: serves until interrupted. */
export async function mockProvidersCommand(options: {
  port?: number | undefined;
  host: string;
  /** The mock ElevenLabs plan. */
  ttsCharacterLimit?: number | undefined;
  ttsQuotaPeriodSeconds?: number | undefined;
  output: Output;
  signal: AbortSignal;
}): Promise<number> {
  const { output } = options;
  const elevenLabs = {
    ...(options.ttsCharacterLimit !== undefined && { characterLimit: options.ttsCharacterLimit }),
    ...(options.ttsQuotaPeriodSeconds !== undefined && {
      quotaPeriodMs: options.ttsQuotaPeriodSeconds * 1000,
    }),
  };
  const running = await runMockProviders({
    port: options.port ?? 0,
    host: options.host,
    elevenLabs,
  });
  output.out(
    `# mock providers at ${running.origin} (faults: POST ${running.origin}/__faults, requests: GET ${running.origin}/__requests)`,
  );
  output.out(describeMockLimits(elevenLabs));
  output.outBlock(formatEnvExports(running.baseUrls));
  if (!options.signal.aborted) {
    await new Promise<void>((resolve) =>
      options.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
  }
  await running.close();
  return 0;
}
