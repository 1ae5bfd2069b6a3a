// Real tokens from the sandbox's identity issuers (POST /_sandbox/identity/tokens), for the
// end-to-end tests.
export type Profile = 'citizen' | 'clinician' | 'clerk' | 'partner' | 'ig-officer';

export interface MintOptions {
  nhsNumber?: string;
  level?: 'P0' | 'P5' | 'P9';
  clientId?: string;
  scopes?: string[];
  audience?: string;
  expiresInSeconds?: number;
  orgCode?: string;
}

export async function mintToken(
  sandboxUrl: string,
  profile: Profile,
  options: MintOptions = {},
): Promise<string> {
  const response = await fetch(`${sandboxUrl}/_sandbox/identity/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ profile, ...options }),
  });
  if (!response.ok)
    throw new Error(`minting a ${profile} token failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
