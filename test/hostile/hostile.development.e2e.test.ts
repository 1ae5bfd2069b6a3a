// The hostile-input suite (issue 15) against a stack in development mode.
import { runHostileSuite } from './run-hostile-suite.js';

runHostileSuite('development');
