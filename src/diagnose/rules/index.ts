// The rule list: every family of diagnosis rules, in the order their findings are listed.
import { authRules } from './auth.js';
import { callRules } from './call.js';
import { dialogRules } from './dialog.js';
import { extensionRules } from './extensions.js';
import { mediaRules } from './media.js';
import { messageRules } from './messages.js';
import { networkRules } from './network.js';
import { reachabilityRules } from './reachability.js';
import { registerRules } from './register.js';
import { requestRules } from './requests.js';
import type { Rule } from './rule.js';
import { wordsRules } from './words.js';

export const rules: readonly Rule[] = [
  authRules,
  registerRules,
  reachabilityRules,
  callRules,
  mediaRules,
  extensionRules,
  dialogRules,
  requestRules,
  networkRules,
  wordsRules,
  messageRules,
];

export type { FindingDraft, Rule } from './rule.js';
