// The demo page's own controls: a dark-mode toggle (a class on <html>, as many sites do) and the
// page's language (<html lang> and dir, as a single-page app switching language does). The chat
// is not told about either: it follows the page.
const root = document.documentElement;
root.classList.add('light');

const theme = document.getElementById('theme');
theme.addEventListener('click', () => {
  const dark = root.classList.toggle('dark');
  root.classList.toggle('light', !dark);
  theme.setAttribute('aria-pressed', String(dark));
});

const RTL = new Set(['ar', 'he']);
document.getElementById('lang').addEventListener('change', (event) => {
  const lang = event.target.value;
  root.lang = lang;
  root.dir = RTL.has(lang) ? 'rtl' : 'ltr';
});
