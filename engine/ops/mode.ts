/** Modes are shown the way chmod takes them: octal, at least four digits ('0644', '4755'). */
export function formatMode(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}
