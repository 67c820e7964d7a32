import { MIN_PASSPHRASE } from './format';

/** Whether a new passphrase and its confirmation can be submitted. */
export function newPassphraseOk(value: string, confirm: string): boolean {
  return value.length >= MIN_PASSPHRASE && value === confirm;
}
