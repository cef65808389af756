// A request's `name` tag when the scenario gave none: k6 would use the full URL, and every tag is
// a Prometheus label, so a script that puts an id in its URLs (the guidelines' own
// `/students/student_${__VU}_${__ITER}/careers/pool`) makes one series per request. Grouping
// replaces the id-like parts with placeholders, so such requests share one name:
//
//   path segments   digits -> {n}, a UUID -> {uuid}, 8+ hex characters with a digit -> {hex},
//                   and the numbers of `prefix_<n>_<n>` / `prefix-<n>` -> {n}
//   query           every value -> {} (the keys stay)
//
// Pure and free of Node APIs: the scenario bundles include it (lab/scenarios/groupedHttp.ts).

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^(?=[^0-9]*[0-9])[0-9a-f]{8,}$/i;

/** The placeholders grouping writes: a name holding one was grouped. */
export const GROUPED_NAME = /\{(n|uuid|hex)\}|=\{\}/;

function groupSegment(segment: string): string {
  if (segment === '') return segment;
  if (/^\d+$/.test(segment)) return '{n}';
  if (UUID.test(segment)) return '{uuid}';
  if (HEX.test(segment)) return '{hex}';
  // numbers after a separator: student_3_17 -> student_{n}_{n}, order-42 -> order-{n}
  return /^[A-Za-z]/.test(segment) ? segment.replace(/([_-])\d+(?=$|[_-])/g, '$1{n}') : segment;
}

export function groupUrl(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)?([^?#]*)(?:\?([^#]*))?/i.exec(url);
  if (!m) return url;
  const [, origin = '', path = '', query] = m;
  const groupedPath = path.split('/').map(groupSegment).join('/');
  const groupedQuery = query === undefined ? '' : `?${query.split('&').map((pair) => {
    const at = pair.indexOf('=');
    return at < 0 ? pair : `${pair.slice(0, at)}={}`;
  }).join('&')}`;
  return `${origin}${groupedPath}${groupedQuery}`;
}
