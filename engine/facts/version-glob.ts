/** A version pin is exact, or a prefix when it ends in '*' (apt's own 'kubeadm=1.30.*' form). */
export function versionGlobMatches(installed: string, wanted: string): boolean {
  return wanted.endsWith('*') ? installed.startsWith(wanted.slice(0, -1)) : installed === wanted;
}
