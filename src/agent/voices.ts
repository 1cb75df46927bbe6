import type { Audio, ContactInfo, SpeechSynthesizer } from '../providers/ports.ts';
import {
  withFallback,
  type Alternative,
  type FallbackResult,
  type ServicePolicy,
} from '../resilience/index.ts';
import { StepFailure } from './step-failure.ts';

/** A voice, with the policy that protects it. */
export interface Voice {
  provider: SpeechSynthesizer;
  policy: ServicePolicy;
}

export interface SpeakOptions {
  signal?: AbortSignal | undefined;
  /** The step failure an error of a voice's call makes (its verdict on that voice's circuit). */
  failure: (policy: ServicePolicy, error: unknown) => StepFailure;
}

/** One voice's failure to speak a script. */
interface VoiceFailure {
  voice: Voice;
  error: unknown;
}

/**
 * Speaks `script` with the first voice, the fallback standing in for it. Throws a StepFailure
 * when every voice failed (see `everyVoiceFailed`).
 */
export async function speakWith(
  [first, fallback]: readonly [Voice, Voice | undefined],
  contact: ContactInfo,
  script: string,
  options: SpeakOptions,
): Promise<FallbackResult<Audio>> {
  const voices = fallback ? [first, fallback] : [first];
  const failed: VoiceFailure[] = [];
  const alternatives: Array<Alternative<Audio>> = voices.map((voice) => ({
    name: voice.provider.service,
    run: (signal) =>
      voice.policy
        .execute(
          (attempt) =>
            voice.provider.synthesize(script, attempt.signal, { language: contact.language }),
          { signal, context: { contactId: contact.id } },
        )
        .catch((error: unknown) => {
          failed.push({ voice, error });
          throw error;
        }),
  }));
  try {
    return await withFallback(alternatives, { signal: options.signal });
  } catch (error) {
    if (options.signal?.aborted === true || failed.length === 0) {
      throw options.failure(first.policy, error);
    }
    throw everyVoiceFailed(first, failed, options.failure);
  }
}

/**
 * Every voice failed. Each failure gets its own verdict, on its own voice's circuit; a voice
 * that refused the request itself (a bad voice id, a text too long) cannot speak it later
 * either. None can: the contact fails. One can: the contact waits on that voice alone. Both
 * can: it goes back as soon as one may speak again, waiting on the first voice (the waiting
 * room lets it in when either takes calls again). The reason names each voice's error.
 */
function everyVoiceFailed(
  first: Voice,
  failed: readonly VoiceFailure[],
  failure: SpeakOptions['failure'],
): StepFailure {
  const firstService = first.provider.service;
  const failures = failed.map(({ voice, error }) => failure(voice.policy, error));
  const reason = failures.map(({ verdict }) => verdict.reason).join('; ');
  const able = failures.flatMap(({ service, verdict }) =>
    verdict.kind === 'defer' ? [{ service, verdict }] : [],
  );
  const [only] = able;
  if (only === undefined) return new StepFailure(firstService, { ...failures[0]!.verdict, reason });
  if (able.length === 1) {
    // The fallback's recovery lets in the contacts waiting on the first voice: one the
    // fallback cannot speak for would come back each time, so its returns are counted.
    const onFirst = only.service === firstService && failures.length > 1;
    const countsAsFailure = only.verdict.countsAsFailure || onFirst;
    return new StepFailure(only.service, { ...only.verdict, countsAsFailure, reason });
  }
  const timed = able.filter(({ verdict }) => !verdict.untilReleased);
  const [soonest] = (timed.length > 0 ? timed : able).sort(
    (a, b) => a.verdict.notBefore - b.verdict.notBefore,
  );
  return new StepFailure(firstService, { ...(soonest ?? only).verdict, reason });
}
