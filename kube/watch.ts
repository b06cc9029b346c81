/** Decoding of the watch stream: one JSON event per line. */
import { KubeTransportError } from "./errors.ts";
import type { KubeObject } from "./types.ts";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

export interface WatchEvent<T = KubeObject> {
  type: WatchEventType;
  object: T;
}

/**
 * Splits a byte stream into lines and parses each as a watch event. An abort
 * of `signal` cancels the stream (ends the generator) even when the
 * underlying body does not error by itself.
 */
export async function* decodeWatchStream<T>(
  stream: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<WatchEvent<T>> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  const onAbort = () => reader.cancel().catch(() => undefined);
  signal?.addEventListener("abort", onAbort, { once: true });
  let buffer = "";
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (line) yield parseEvent<T>(line);
      }
    }
    if (buffer.trim()) yield parseEvent<T>(buffer.trim());
  } finally {
    signal?.removeEventListener("abort", onAbort);
    await reader.cancel().catch(() => undefined);
  }
}

function parseEvent<T>(line: string): WatchEvent<T> {
  try {
    return JSON.parse(line) as WatchEvent<T>;
  } catch (err) {
    throw new KubeTransportError(`watch: a line is not JSON: ${line.slice(0, 200)}`, {
      cause: err,
    });
  }
}
