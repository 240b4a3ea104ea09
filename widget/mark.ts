/**
 * A visitor's mark: a colour and an initial shown beside their name, so two visitors who chose
 * the same name can still be told apart. The colour comes from the visitor id (the server's,
 * not chosen by the visitor), never from the name; only the initial is read from the name.
 */

/**
 * A hue (0–359) from a visitor id: a polynomial hash of its characters modulo 360. One id always
 * gets one hue, and as 31 and 360 share no factor, ids one character apart never share one.
 */
export function hue(id: string): number {
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) % 360;
  return h;
}

/**
 * The first letter or digit of a name that shows, uppercased ('' when there is none): leading
 * spaces, punctuation, symbols and emoji are skipped, and so are the Hangul fillers, letters that
 * draw nothing.
 */
export function initial(name: string): string {
  return name.match(/(?![\u115f\u1160\u3164\uffa0])[\p{L}\p{N}]/u)?.[0].toUpperCase() ?? '';
}
