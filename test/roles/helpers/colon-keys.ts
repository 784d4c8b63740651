/**
 * `gpg --show-keys --with-colons` listings for the signing-key tests, in GnuPG's format
 * (doc/DETAILS: pub/sub field 7 = expiry, field 12 = capabilities, fpr field 10 = fingerprint).
 */
export const FPR_A = 'DE15B14486CD377B9E876E1A234654DA9A296436';
export const FPR_B = '0123456789ABCDEF0123456789ABCDEF01234567';

/** A primary key that certifies and signs, with an encryption subkey; expires: epoch seconds, or '' for never. */
export function colonKey(fingerprint: string, expires: number | '', subExpires: number | '' = expires): string {
  return [
    `pub:-:2048:1:${fingerprint.slice(-16)}:1690000000:${expires}::-:::scESC::::::23::0:`,
    `fpr:::::::::${fingerprint}:`,
    'uid:-::::1690000000::A1B2C3::isv:kubernetes OBS Project <isv:kubernetes@build.opensuse.org>::::::::::0:',
    `sub:-:2048:1:${'F'.repeat(16)}:1690000000:${subExpires}:::::e::::::23:`,
    `fpr:::::::::${'F'.repeat(40)}:`,
    '',
  ].join('\n');
}
