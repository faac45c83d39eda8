/** A pure verdict on one object's state: kapp-style, one function per kind. */
export interface Readiness {
  done: boolean;
  ok: boolean;
  message: string;
}

export const waiting = (message: string): Readiness => ({ done: false, ok: false, message });
export const ready = (message: string): Readiness => ({ done: true, ok: true, message });
export const failed = (message: string): Readiness => ({ done: true, ok: false, message });
