// The hostile-input suite (issue 15) against a stack with NODE_ENV=production.
import { runHostileSuite } from './run-hostile-suite.js';

runHostileSuite('production');
