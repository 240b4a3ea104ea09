/**
 * Registration of the widget's custom element, in one place. Guarded by `customElements.get`
 * because embed scripts get pasted twice, and a page may load both the script and the npm build:
 * the first definition wins, later ones do nothing instead of throwing.
 */
import { PageChat } from './page-chat.js';

export const TAG_NAME = 'page-chat';

export function defineElements(): void {
  if (!customElements.get(TAG_NAME)) customElements.define(TAG_NAME, PageChat);
}
