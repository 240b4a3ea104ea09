// A tiny router: links change the URL with pushState and the page re-renders without a
// reload. The chat notices and moves to the new page's room by itself.
const routes = {
  '/spa': ['Home', 'This single-page app changes routes with history.pushState.'],
  '/spa/about': ['About', 'Each route is its own room, even though the page never reloads.'],
  '/spa/pricing': ['Pricing', 'The chat is free. So is moving between rooms: try Back.'],
};
function render() {
  const path = window.location.pathname.replace(/\/+$/, '') || '/';
  const [title, text] = routes[path] ?? ['Not found', 'No such route in this demo.'];
  document.title = `${title} · Single-page app · pagechat demo`;
  document.getElementById('heading').textContent = title;
  document.getElementById('where').textContent = `Route ${window.location.pathname}`;
  document.getElementById('body').textContent = text;
  for (const link of document.querySelectorAll('a[data-route]')) {
    if (new URL(link.href).pathname.replace(/\/+$/, '') === path) {
      link.setAttribute('aria-current', 'page');
    } else {
      link.removeAttribute('aria-current');
    }
  }
}
document.addEventListener('click', (event) => {
  const link = event.target.closest('a[data-route]');
  if (!link || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  window.history.pushState(null, '', link.href);
  render();
});
window.addEventListener('popstate', render);
render();
