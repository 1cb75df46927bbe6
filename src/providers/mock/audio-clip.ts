export interface ToneOptions {
  /** Default 250 ms. */
  durationMs?: number;
  /** Default 440 Hz. */
  frequencyHz?: number;
  /** Default 8000 Hz (telephone quality). */
  sampleRate?: number;
}

/**
 * A playable WAV (PCM, 16-bit, mono) of a sine tone, made in code. The mock serves it as
 * `audio/wav` for both TTS APIs: ElevenLabs and OpenAI really return MP3 by default, but an
 * MP3 encoder is not worth writing for a mock, and the content type says what it is.
 */
export function sineWav(options: ToneOptions = {}): Uint8Array {
  const { durationMs = 250, frequencyHz = 440, sampleRate = 8000 } = options;
  const samples = Math.round((sampleRate * durationMs) / 1000);
  const dataBytes = samples * 2;
  const buffer = Buffer.alloc(44 + dataBytes);
  buffer.write('RIFF', 0, 'ascii');
  buffer.writeUInt32LE(36 + dataBytes, 4);
  buffer.write('WAVE', 8, 'ascii');
  buffer.write('fmt ', 12, 'ascii');
  buffer.writeUInt32LE(16, 16); // fmt chunk size
  buffer.writeUInt16LE(1, 20); // PCM
  buffer.writeUInt16LE(1, 22); // mono
  buffer.writeUInt32LE(sampleRate, 24);
  buffer.writeUInt32LE(sampleRate * 2, 28); // byte rate
  buffer.writeUInt16LE(2, 32); // block align
  buffer.writeUInt16LE(16, 34); // bits per sample
  buffer.write('data', 36, 'ascii');
  buffer.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < samples; i++) {
    const value = Math.sin((2 * Math.PI * frequencyHz * i) / sampleRate) * 0.5 * 32767;
    buffer.writeInt16LE(Math.round(value), 44 + i * 2);
  }
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

let defaultClip: Uint8Array | undefined;

/** `sineWav()` with the default tone, made once; each call returns its own copy. */
export function defaultToneWav(): Uint8Array {
  defaultClip ??= sineWav();
  return defaultClip.slice();
}

export const AUDIO_CONTENT_TYPE = 'audio/wav';
