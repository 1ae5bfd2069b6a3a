// Every authenticated caller may read who they are. The citizen's own Patient is only a
// reference here: its details are guarded by the demographics subgraph's rules.
import { allow, createPermissions } from '../../platform/authorisation.js';

export const rules = {
  Query: { me: allow },
  Me: allow,
  StaffRole: allow,
  Patient: allow,
  Organisation: allow,
};

export const permissions = createPermissions(rules);
