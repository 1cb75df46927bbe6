/**
 * Builds elements. Text only ever goes in through textContent: whatever a contact or a
 * provider wrote is shown as text, never read as HTML.
 */
export function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === 'text') node.textContent = String(value);
    else if (key === 'class') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'onclick') node.addEventListener('click', value);
    else node.setAttribute(key, String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

/** Replaces the children of `node`. */
export function fill(node, children) {
  node.replaceChildren(...children.filter(Boolean));
}

/** `in 4 s`, `12 s ago`, from two times in ms. */
export function relative(at, now) {
  if (at === null || at === undefined) return '—';
  const seconds = Math.round((Date.parse(at) - now) / 1000);
  if (seconds === 0) return 'now';
  const span =
    Math.abs(seconds) < 120
      ? `${Math.abs(seconds)} s`
      : `${Math.round(Math.abs(seconds) / 60)} min`;
  return seconds > 0 ? `in ${span}` : `${span} ago`;
}
