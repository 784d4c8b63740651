/**
 * Whether this process runs under CI. CI systems set CI to "true" (GitHub, GitLab) or "1"
 * (others), and people export CI=1 by hand: every reader must agree, so this is the only one.
 * "0", "false" and empty mean not CI, as in the common CI-detection libraries.
 */
export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = (env.CI ?? '').trim().toLowerCase();
  return value !== '' && value !== '0' && value !== 'false';
}
