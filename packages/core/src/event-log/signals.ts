import { ValidationError } from "../errors/index.ts";

const CHANNEL = /^[A-Za-z0-9_:-]{1,200}$/;
/** Largest signal message, in UTF-8 bytes. */
export const MAX_SIGNAL_BYTES = 1024;

/** @throws ValidationError for a channel name outside `[A-Za-z0-9_:-]{1,200}`. */
export function checkChannel(channel: string): void {
  if (!CHANNEL.test(channel))
    throw new ValidationError("invalid signal channel", [
      `channel: "${channel.slice(0, 40)}" is not 1-200 characters of A-Z a-z 0-9 _ : -`,
    ]);
}

/** @throws ValidationError for a bad channel or a message over {@link MAX_SIGNAL_BYTES}. */
export function checkSignal(channel: string, message: string): void {
  checkChannel(channel);
  if (new TextEncoder().encode(message).length > MAX_SIGNAL_BYTES) {
    throw new ValidationError("invalid signal", [`message: at most ${MAX_SIGNAL_BYTES} bytes`]);
  }
}
