// When the site is busy: API Gateway's own 429 ({"message": "Too Many Requests"}, before the
// function runs) and a 503 (the load balancer's when Lambda throttles, or the site's own with
// Retry-After when S3 is unavailable). Loaded before the page's own module, it gives
// `catsite.fetchRetrying`: fetch, retried after Retry-After or a growing, jittered pause, at
// most three more times, for requests that are safe to repeat (every API call the pages make:
// reads, a plain set, a presign, registering a location); and `catsite.busyMessage(status)`,
// the words to show when the site stays busy.
const RETRIED = new Set([429, 503]);
const ATTEMPTS = 4;

function pause(response, attempt) {
  const after = Number(response.headers.get("Retry-After"));
  const base = Number.isFinite(after) && after > 0 ? after * 1000 : 500 * 2 ** attempt;
  return new Promise((resolve) => setTimeout(resolve, Math.min(base, 8000) * (0.5 + Math.random() / 2)));
}

async function fetchRetrying(url, options) {
  let response = await fetch(url, options);
  for (let attempt = 1; attempt < ATTEMPTS && RETRIED.has(response.status); attempt += 1) {
    await pause(response, attempt);
    response = await fetch(url, options);
  }
  return response;
}

function busyMessage(status) {
  if (status === 429) return "The site is busy right now (too many requests). Please try again in a minute.";
  if (status === 503) return "The site is briefly unavailable. Please try again in a minute.";
  return null;
}

globalThis.catsite = { fetchRetrying, busyMessage };
