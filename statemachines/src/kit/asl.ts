// The Amazon States Language shapes the generator writes: only the fields these machines use. Keys are declared in
// the order the JSON shows them, which is the order the console and a reviewer read them in.
import type { RetryPolicy } from '../../../core/errors/index.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Parameters = { [key: string]: Json };

export interface Retrier extends RetryPolicy {
  ErrorEquals: string[];
}

export interface Catcher {
  ErrorEquals: string[];
  ResultPath: string | null;
  Next: string;
}

export type ChoiceRule = { [key: string]: Json };

export type AslState = { Type: string; [key: string]: unknown };

export interface AslMachine {
  Comment?: string;
  StartAt: string;
  TimeoutSeconds?: number;
  States: Record<string, AslState>;
}
