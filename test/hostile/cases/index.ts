// Every category, in the order the suite runs them.
import { auth } from './auth.js';
import { input } from './input.js';
import { limits } from './limits.js';
import { persisted } from './persisted.js';
import { subgraphs } from './subgraphs.js';
import { suggestions } from './suggestions.js';
import { transport } from './transport.js';
import { writes } from './writes.js';

export const CATEGORIES = [auth, persisted, limits, input, subgraphs, writes, transport, suggestions];
